// Starts the built app (`next start`, from VITRINE_NEXT_DIST_DIR or .next) against the test
// database, for tests that need real HTTP and a process they can kill.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export type AppServer = { url: string; process: ChildProcess; stop: (signal?: NodeJS.Signals) => Promise<void> };

export function ensureBuilt(): string {
  const distDir = process.env.VITRINE_NEXT_DIST_DIR || ".next";
  if (!existsSync(join(process.cwd(), distDir, "BUILD_ID"))) {
    const build = spawnSync(process.execPath, [join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), "build"], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, VITRINE_NEXT_DIST_DIR: distDir },
    });
    if (build.status !== 0) throw new Error("next build failed");
  }
  return distDir;
}

export async function startAppServer(options: {
  databaseUrl: string;
  port: number;
  embedded: boolean;
  env?: Record<string, string>;
}): Promise<AppServer> {
  const distDir = ensureBuilt();
  const child = spawn(
    process.execPath,
    [join(process.cwd(), "scripts", "serve.mjs"), "--port", String(options.port), "--host", "127.0.0.1"],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        NEXTAUTH_SECRET: "integration-test-secret-0123456789abcdef",
        NEXTAUTH_URL: `http://127.0.0.1:${options.port}`,
        VITRINE_LOG_LEVEL: process.env.TEST_APP_LOG_LEVEL ?? "error",
        VITRINE_NEXT_DIST_DIR: distDir,
        VITRINE_DB_POOL_MAX: options.embedded ? "1" : "4",
        ...options.env,
      },
    },
  );
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 300) throw new Error("the app did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    stop: async (signal: NodeJS.Signals = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

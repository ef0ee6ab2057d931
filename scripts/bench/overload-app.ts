// The built app for bench:overload: built once into its own folder (unless VITRINE_NEXT_DIST_DIR
// names a build already), served by scripts/serve.mjs in a process group of its own so SIGKILL
// takes the whole group, and started again on the same port after a crash.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type BuildInfo = { distDir: string; built: boolean; ageMinutes: number };

/** Builds the app into `distDir` when it holds no build (or `rebuild`); `next build` rewrites tsconfig.json, so put it back. */
export function ensureBuild(distDir: string, rebuild: boolean): BuildInfo {
  const buildId = join(process.cwd(), distDir, "BUILD_ID");
  let built = false;
  if (rebuild || !existsSync(buildId)) {
    const tsconfig = readFileSync(join(process.cwd(), "tsconfig.json"));
    const build = spawnSync(process.execPath, [join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), "build"], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, VITRINE_NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0) throw new Error("next build failed");
    // Leave the working tree as it was: next build adds the build folder's types to tsconfig.json.
    if (!readFileSync(join(process.cwd(), "tsconfig.json")).equals(tsconfig)) writeFileSync(join(process.cwd(), "tsconfig.json"), tsconfig);
    built = true;
  }
  return { distDir, built, ageMinutes: (Date.now() - statSync(buildId).mtimeMs) / 60_000 };
}

export type AppProcess = {
  url: string;
  pid: () => number;
  alive: () => boolean;
  /** SIGKILL to the whole process group; resolves when the leader is gone. */
  kill: () => Promise<void>;
  /** Starts it again on the same port; resolves with the milliseconds until /api/health answered 200. */
  start: () => Promise<number>;
  stop: () => Promise<void>;
  logFile: string;
};

export function appProcess(options: { port: number; databaseUrl: string; distDir: string; dataDir: string; logFile: string }): AppProcess {
  const url = `http://127.0.0.1:${options.port}`;
  const secret = randomBytes(32).toString("hex");
  // The app's configuration is the bench's own: nothing of the caller's VITRINE_* or DATABASE_URL leaks in.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("VITRINE_") && k !== "DATABASE_URL" && !k.startsWith("NEXTAUTH_")),
  );
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const t0 = Date.now();
    const log = openSync(options.logFile, "a");
    const c = spawn(
      process.execPath,
      [join(process.cwd(), "scripts", "serve.mjs"), "--port", String(options.port), "--host", "127.0.0.1"],
      {
        detached: true,
        stdio: ["ignore", log, log],
        env: {
          ...inherited,
          DATABASE_URL: options.databaseUrl,
          NEXTAUTH_SECRET: secret,
          NEXTAUTH_URL: url,
          NODE_ENV: "production",
          VITRINE_LOG_LEVEL: "warn",
          VITRINE_NEXT_DIST_DIR: options.distDir,
          VITRINE_DATA_DIR: options.dataDir,
        },
      },
    );
    closeSync(log);
    child = c;
    exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    for (let i = 0; ; i++) {
      if (c.exitCode !== null || c.signalCode !== null)
        throw new Error(`the app exited (${c.exitCode ?? c.signalCode}); see ${options.logFile}`);
      try {
        if ((await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) })).ok) break;
      } catch {
        // not up yet
      }
      if (i > 600) throw new Error(`the app did not answer /api/health within 2 minutes; see ${options.logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now() - t0;
  };

  const kill = async () => {
    const c = child;
    if (!c?.pid || c.exitCode !== null || c.signalCode !== null) return;
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      c.kill("SIGKILL");
    }
    await exited;
  };

  return {
    url,
    logFile: options.logFile,
    pid: () => child?.pid ?? 0,
    alive: () => child !== null && child.exitCode === null && child.signalCode === null,
    start,
    kill,
    stop: async () => {
      const c = child;
      if (!c?.pid || c.exitCode !== null || c.signalCode !== null) return;
      try {
        process.kill(-c.pid, "SIGTERM");
      } catch {
        c.kill("SIGTERM");
      }
      const timer = setTimeout(() => void kill(), 6_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

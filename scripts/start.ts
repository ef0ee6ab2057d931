// `npm start` (and `npm run dev`): the one command that runs Vitrine. With no DATABASE_URL it
// serves embedded Postgres (PGlite) from .vitrine/, applies migrations, seeds demo data on first
// start, then runs Next.js with the same code path as a real Postgres deployment.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { closeDb, createDb, setDb } from "@/lib/db/client";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { clearEmbeddedState, dataDir, pgDataDir, writeEmbeddedState } from "@/lib/db/embedded-state";
import { migrate } from "@/lib/db/migrate";
import { type Env, EnvError, env } from "@/lib/env";

function say(line: string) {
  process.stdout.write(`${line}\n`);
}

function loadOrCreateSecret(dir: string): string {
  const path = join(dir, "auth-secret");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { dev: { type: "boolean" }, port: { type: "string" }, host: { type: "string" }, "no-seed": { type: "boolean" } },
    strict: true,
  });
  let e: Env;
  try {
    e = env();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const port = values.port ?? process.env.PORT ?? "3000";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    process.stderr.write(`Invalid port "${port}": PORT (or --port) must be a number from 1 to 65535\n`);
    process.exit(2);
  }
  const host = values.host ?? "0.0.0.0";
  const base = dataDir(e.VITRINE_DATA_DIR);
  mkdirSync(base, { recursive: true });

  let url = e.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  const embedded = !url;
  if (!url) {
    say(`Vitrine: no DATABASE_URL, using embedded Postgres in ${pgDataDir(e.VITRINE_DATA_DIR)}`);
    const pg = await startEmbeddedPostgres({ dataDir: pgDataDir(e.VITRINE_DATA_DIR) });
    url = pg.url;
    stopEmbedded = pg.stop;
    writeEmbeddedState(e.VITRINE_DATA_DIR, { url, pid: process.pid, startedAt: new Date().toISOString() });
  }

  const result = await migrate({ url, log: (l) => say(`Vitrine: migration ${l}`) });
  say(`Vitrine: database schema up to date (${result.applied.length} applied, ${result.alreadyApplied.length} already applied)`);

  const client = createDb({ url, poolMax: embedded ? 1 : 2 });
  setDb(client);
  const { ensureDefaultTrustRoot } = await import("@/lib/server/trust/ensure-default-trust-root");
  if ((await ensureDefaultTrustRoot({ now: new Date() })).created)
    say("Vitrine: trusted the Sigstore public-good root (default trust root)");
  let demo: { password: string; users: Array<{ email: string; role: string }> } | null = null;
  const credentialsPath = join(base, "demo-credentials.txt");
  if (embedded && !values["no-seed"] && (await client.user.count()) === 0) {
    const { seedDemo } = await import("@/lib/server/seed/seed-demo");
    demo = await seedDemo({ now: new Date() });
    writeFileSync(credentialsPath, `${[`password: ${demo.password}`, ...demo.users.map((u) => `${u.role}: ${u.email}`)].join("\n")}\n`, {
      mode: 0o600,
    });
  }
  await closeDb(client);
  setDb(undefined);

  let secret = e.NEXTAUTH_SECRET;
  if (!secret) {
    secret = loadOrCreateSecret(base);
    if (!embedded)
      say(`Vitrine: NEXTAUTH_SECRET is not set; using a generated one kept in ${join(base, "auth-secret")}. Set it in production.`);
  }

  const nextBin = join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const stampPath = join(process.cwd(), e.VITRINE_NEXT_DIST_DIR, "VITRINE_SOURCE");
  const stamp = sourceStamp();
  const built = existsSync(join(process.cwd(), e.VITRINE_NEXT_DIST_DIR, "BUILD_ID"));
  const stale = built && stamp !== null && (!existsSync(stampPath) || readFileSync(stampPath, "utf8") !== stamp);
  if (!values.dev && (!built || stale)) {
    if (stale) say("Vitrine: the code changed since the last build; rebuilding…");
    say("Vitrine: building the app (first start only; takes a minute or two)…");
    const build = spawnSync(process.execPath, [nextBin, "build"], {
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0) {
      process.stderr.write("Vitrine: the build failed\n");
      process.exit(1);
    }
    if (stamp) writeFileSync(stampPath, stamp);
  }

  const publicUrl = e.NEXTAUTH_URL ?? `http://localhost:${port}`;
  const serve = join(process.cwd(), "scripts", "serve.mjs");
  const child: ChildProcess = spawn(process.execPath, [serve, "--port", port, "--host", host, ...(values.dev ? ["--dev"] : [])], {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: url,
      NEXTAUTH_SECRET: secret,
      NEXTAUTH_URL: publicUrl,
      NEXT_TELEMETRY_DISABLED: "1",
      // The embedded server multiplexes connections onto one PGlite; a few are plenty.
      // PGlite has one session: one connection per process keeps queries from interleaving.
      ...(embedded ? { VITRINE_DB_POOL_MAX: "1" } : {}),
    },
  });

  void waitUntilUp(publicUrl, port).then((up) => {
    if (!up) return;
    say("");
    say(`Vitrine is running at ${publicUrl}`);
    if (embedded) say(`Data: embedded Postgres in ${pgDataDir(e.VITRINE_DATA_DIR)} (kept across restarts)`);
    if (demo) {
      say("Demo data loaded. Sign in as any of these (one per role), all with the same password:");
      for (const u of demo.users) say(`  ${u.role.padEnd(10)} ${u.email}`);
      say(`  password   ${demo.password}`);
      say(`(also written to ${credentialsPath})`);
    } else if (embedded && existsSync(credentialsPath)) {
      say(`Demo credentials: ${credentialsPath}`);
    }
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null) child.kill("SIGTERM");
    if (stopEmbedded) {
      await stopEmbedded().catch(() => {});
      clearEmbeddedState(e.VITRINE_DATA_DIR);
    }
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  child.on("exit", (code) => void stop(code ?? 0));
}

/** What the build was made from: the git commit and any uncommitted changes (null outside git). */
function sourceStamp(): string | null {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" });
  if (head.status !== 0) return null;
  const diff = spawnSync("git", ["diff", "HEAD"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return createHash("sha256")
    .update(head.stdout)
    .update(diff.stdout ?? "")
    .digest("hex");
}

async function waitUntilUp(publicUrl: string, port: string): Promise<boolean> {
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.stderr.write(`Vitrine: ${publicUrl} did not answer /api/health within 2 minutes\n`);
  return false;
}

main().catch((error: unknown) => {
  process.stderr.write(`Vitrine failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});

// The server the browser tests run against (playwright.config.ts starts it after `next build`).
// It gives every run a FRESH database: a new database vitrine_e2e_<timestamp> on the server in
// DATABASE_URL (dropped on exit), or an in-memory embedded PGlite when DATABASE_URL is unset.
// Then it applies the migrations, creates one user per role (e2e/fixtures.ts), and runs
// `next start` until it is told to stop.
//
// It serves the build in VITRINE_NEXT_DIST_DIR (playwright.config.ts builds into .next-e2e, so a
// developer's `next build` into .next cannot swap the app out from under the tests).
//
//   node --conditions=react-server --import tsx scripts/e2e-server.ts
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDb, setDb } from "@/lib/db/client";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { createUser } from "@/lib/server/users/create-user";
import {
  E2E_NEXTAUTH_SECRET,
  E2E_PASSWORD,
  E2E_PORT,
  E2E_ROLES,
  RATE_LIMIT_USER,
  RESULTS_DIR,
  SIGNIN_MAX_PER_ACCOUNT,
  SIGNIN_MAX_PER_ADDRESS,
  SIGNIN_WINDOW_SECONDS,
  USERS,
  WRONG_PASSWORD_USER,
} from "../e2e/fixtures";

// Databases left behind by a run that was killed outright; old enough that no live run owns them.
const STALE_DATABASE_MS = 24 * 60 * 60 * 1000;

function say(line: string): void {
  process.stdout.write(`e2e-server: ${line}\n`);
}

type Database = { url: string; kind: "postgres" | "embedded"; drop: () => Promise<void> };

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function freshDatabase(): Promise<Database> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const embedded = await startEmbeddedPostgres({ dataDir: "memory://" });
    return { url: embedded.url, kind: "embedded", drop: embedded.stop };
  }
  const stamp = Date.now();
  const name = `vitrine_e2e_${stamp}_${process.pid}`;
  await withClient(base, async (c) => {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'vitrine\\_e2e\\_%'");
    for (const { datname } of rows) {
      const created = Number(/^vitrine_e2e_(\d+)_\d+$/.exec(datname)?.[1] ?? Number.NaN);
      if (created && stamp - created > STALE_DATABASE_MS) {
        say(`dropping stale database ${datname}`);
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
      }
    }
    await c.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: "postgres",
    drop: () => withClient(base, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function createUsers(url: string): Promise<void> {
  const client = createDb({ url, poolMax: 2 });
  setDb(client);
  try {
    const actor = { kind: "system", name: "e2e" } as const;
    const now = new Date();
    const people = [...E2E_ROLES.map((role) => ({ role, ...USERS[role] })), { ...RATE_LIMIT_USER }, { ...WRONG_PASSWORD_USER }];
    for (const p of people) {
      await createUser({ actor, input: { email: p.email, name: p.name, role: p.role, password: E2E_PASSWORD }, now });
    }
    say(`created ${people.length} users (${people.map((p) => p.email).join(", ")})`);
  } finally {
    await client.$disconnect();
    setDb(undefined);
  }
}

/** The build to serve: VITRINE_NEXT_DIST_DIR (playwright.config.ts sets .next-e2e), else .next. */
function checkBuild(): string {
  const distDir = process.env.VITRINE_NEXT_DIST_DIR || ".next";
  if (!existsSync(join(process.cwd(), distDir, "BUILD_ID"))) {
    throw new Error(`no build in ${distDir}: run \`VITRINE_NEXT_DIST_DIR=${distDir} npx next build\` first`);
  }
  return distDir;
}

function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const port = String(E2E_PORT);
  const distDir = checkBuild();
  const dataDir = mkdtempSync(join(tmpdir(), "vitrine-e2e-"));
  let database: Database;
  try {
    database = await freshDatabase();
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  let child: ChildProcess | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child) {
      if (child.exitCode === null) child.kill("SIGTERM");
      await waitForExit(child, 5_000);
    }
    await database.drop().catch((error: unknown) => process.stderr.write(`e2e-server: could not drop the database: ${String(error)}\n`));
    rmSync(dataDir, { recursive: true, force: true });
    say("stopped, database removed");
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  try {
    say(`fresh ${database.kind} database at ${database.url.replace(/\/\/[^@]*@/, "//")}`);
    const result = await migrate({ url: database.url });
    say(`applied ${result.applied.length} migrations`);
    await createUsers(database.url);
  } catch (error) {
    process.stderr.write(`e2e-server: setup failed: ${(error as Error)?.stack ?? String(error)}\n`);
    await stop(1);
    return;
  }

  // The app's own logs go to a file (Playwright shows only this process's stderr); errors are echoed.
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logPath = join(RESULTS_DIR, "e2e-server.log");
  const logFile = createWriteStream(logPath, { flags: "a" });
  child = spawn(process.execPath, [join(process.cwd(), "scripts", "serve.mjs"), "--port", port, "--host", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      NEXTAUTH_SECRET: E2E_NEXTAUTH_SECRET,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      NEXT_TELEMETRY_DISABLED: "1",
      VITRINE_SIGNIN_MAX_PER_ACCOUNT: String(SIGNIN_MAX_PER_ACCOUNT),
      VITRINE_SIGNIN_MAX_PER_ADDRESS: String(SIGNIN_MAX_PER_ADDRESS),
      VITRINE_SIGNIN_WINDOW_SECONDS: String(SIGNIN_WINDOW_SECONDS),
      VITRINE_LOG_LEVEL: process.env.VITRINE_LOG_LEVEL ?? "info",
      VITRINE_NEXT_DIST_DIR: distDir,
      // Its own signing key and data, not the developer's .vitrine/.
      VITRINE_DATA_DIR: dataDir,
      // As scripts/start.ts runs it: PGlite has one session, so one connection per process
      // (its socket server interleaves extended-protocol messages of concurrent connections).
      ...(database.kind === "embedded" ? { VITRINE_DB_POOL_MAX: "1" } : {}),
    },
  });
  child.stdout?.pipe(logFile, { end: false });
  child.stderr?.on("data", (chunk: Buffer) => {
    logFile.write(chunk);
    // Echo what looks like a failure: error-level JSON lines and anything that is not a log line.
    // (next-auth's JWT_SESSION_ERROR is expected: the suite sends forged and expired session cookies.)
    for (const line of chunk.toString("utf8").split("\n")) {
      const failure = !line.startsWith("{") || (line.includes('"level":"error"') && !line.includes("next-auth JWT_SESSION_ERROR"));
      if (line.trim() && failure) process.stderr.write(`[next] ${line.length > 300 ? `${line.slice(0, 300)}… (${logPath})` : line}\n`);
    }
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(`e2e-server: next start exited (${code ?? signal}); see ${logPath}\n`);
      void stop(code ?? 1);
    }
  });
  say(`next start (${distDir}) on http://127.0.0.1:${port} (logs: ${logPath})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`e2e-server failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});

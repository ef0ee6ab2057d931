// A throwaway Postgres cluster of the benchmark's own (bench:overload restarts it, so it cannot be a
// server anyone else uses): initdb into a temporary folder, trust authentication, loopback only, on
// a free port. initdb and postgres refuse to run as root, so as root they run as the `postgres` user
// (runuser) in a folder that user owns.
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";

export type OwnPostgres = {
  /** postgresql://postgres@127.0.0.1:PORT/DATABASE */
  url: string;
  port: number;
  dataDir: string;
  /** The server's version, from its bin folder (e.g. 15). */
  version: string;
  /** `pg_ctl restart -m fast`: resolves when the server accepts connections again; the wall time in ms. */
  restart: () => Promise<number>;
  /** The end of the server log, for error messages. */
  logTail: () => string;
  stop: () => void;
};

/** A TCP port nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The newest installed Postgres's bin folder (/usr/lib/postgresql/<version>/bin), or PG_BIN. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0])
    throw new Error(`no Postgres server binaries under ${root} (install postgresql, or set PG_BIN to the folder with initdb and pg_ctl)`);
  return join(root, versions[0], "bin");
}

function postgresUser(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) throw new Error("running as root, and there is no `postgres` user to run initdb and postgres as");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startOwnPostgres(options: { database: string }): Promise<OwnPostgres> {
  const bin = postgresBinDir();
  const asUser = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), "vitrine-overload-pg-"));
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const dataDir = join(dir, "data");
  const logFile = join(dir, "postgres.log");
  const commandOf = (tool: string, args: string[]): [string, string[]] =>
    asUser ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]] : [join(bin, tool), args];
  const run = (tool: string, args: string[]) => {
    const [command, argv] = commandOf(tool, args);
    const result = spawnSync(command, argv, { encoding: "utf8", timeout: 120_000 });
    if (result.status !== 0) {
      throw new Error(`${tool} ${args.join(" ")} failed (exit ${result.status}): ${result.stderr || result.stdout}\n${logTail()}`);
    }
  };
  // The same, without blocking the event loop (the benchmark's clients keep running meanwhile).
  const runAsync = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [command, argv] = commandOf(tool, args);
      const child = spawn(command, argv, { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`${tool} ${args.join(" ")} failed (exit ${code}): ${stderr}\n${logTail()}`)),
      );
    });
  const logTail = () => {
    try {
      return readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
    } catch {
      return "";
    }
  };
  const port = await freePort();
  run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"]);
  // Loopback TCP only; the Unix socket goes into the temporary folder, not /var/run/postgresql.
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c max_connections=100`;
  const ctlArgs = (args: string[]) => ["-D", dataDir, "-o", serverOptions, "-l", logFile, "-w", "-t", "60", ...args];
  const ctl = (args: string[]) => run("pg_ctl", ctlArgs(args));
  ctl(["start"]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      ctl(["stop", "-m", "immediate"]);
    } catch {
      // already down
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${options.database}"`);
    await admin.end();
  } catch (error) {
    stop();
    throw error;
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/${options.database}`,
    port,
    dataDir,
    version: bin.split("/").at(-2) ?? "?",
    logTail,
    restart: async () => {
      const t0 = Date.now();
      // -w: pg_ctl waits until the new server accepts connections.
      await runAsync("pg_ctl", ctlArgs(["restart", "-m", "fast"]));
      return Date.now() - t0;
    },
    stop,
  };
}

// Shared by the benchmarks: a fresh database on the Postgres in DATABASE_URL (required: benchmarks
// measure the real thing), a built app served by `next start`, an ingest token, and RSS sampling.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { createDb, setDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { createToken } from "@/lib/server/tokens/create-token";

export type BenchServer = {
  url: string;
  databaseUrl: string;
  token: string;
  pid: number;
  peakRssBytes: () => number;
  stop: () => Promise<void>;
};

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function treeRss(pid: number): number {
  return rssOf(pid) + childrenOf(pid).reduce((sum, c) => sum + treeRss(c), 0);
}

export async function startBenchServer(options: { name: string; port?: number; env?: Record<string, string> }): Promise<BenchServer> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("Benchmarks run against real Postgres: set DATABASE_URL (a server where databases may be created)");
  const dbName = `vitrine_bench_${options.name}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  await migrate({ url: databaseUrl });
  const client = createDb({ url: databaseUrl, poolMax: 2 });
  setDb(client);
  const token = await createToken({
    actor: { kind: "system", name: "bench" },
    input: { name: "bench", scopes: ["ingest", "read"] },
    now: new Date(),
  });
  await client.$disconnect();
  setDb(undefined);

  const nextBin = join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  // Benchmarks measure the code as it is now: build it into a folder of their own.
  const distDir = ".next-bench";
  if (process.env.BENCH_SKIP_BUILD !== "1" || !existsSync(join(process.cwd(), distDir, "BUILD_ID"))) {
    const build = spawnSync(process.execPath, [nextBin, "build"], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, VITRINE_NEXT_DIST_DIR: distDir },
    });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const port = options.port ?? 3300 + Math.floor(Math.random() * 500);
  const child: ChildProcess = spawn(
    process.execPath,
    [join(process.cwd(), "scripts", "serve.mjs"), "--port", String(port), "--host", "127.0.0.1"],
    {
      stdio: ["ignore", process.env.BENCH_SERVER_LOGS ? "inherit" : "ignore", "inherit"],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        VITRINE_LOG_LEVEL: process.env.BENCH_SERVER_LOGS ? "info" : "warn",
        VITRINE_NEXT_DIST_DIR: distDir,
        VITRINE_INGEST_RATE_PER_MINUTE: "100000000",
        VITRINE_DATA_DIR: join(process.cwd(), ".vitrine", `bench-${options.name}`),
        ...options.env,
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not yet
    }
    if (i > 240) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 250));
  }
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, child.pid ? treeRss(child.pid) : 0);
  }, 200);
  return {
    url,
    databaseUrl,
    token: token.secret,
    pid: child.pid ?? 0,
    peakRssBytes: () => peak,
    stop: async () => {
      clearInterval(sampler);
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const REPOS = ["payments/api", "web/frontend", "platform/base", "ml/scorer", "identity/auth", "data/etl"];
const ENVS = ["dev", "staging", "prod"];

function hex(seed: string): string {
  // Deterministic pseudo-digest from a seed (the benchmark needs realistic shapes, not real images).
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${seed}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 64);
}

/** A realistic mix: 60% artifact.published (with tags), 20% build.finished, 20% service.deployed. */
export function createEvent(prefix: string, n: number): Record<string, unknown> {
  const repo = REPOS[n % REPOS.length]!;
  const name = repo.split("/")[1]!;
  const digest = `sha256:${hex(`${prefix}-${n}`)}`;
  const purl = `pkg:oci/${name}@${digest.replace(":", "%3A")}?repository_url=registry.acme.dev/${repo}&tag=1.${n % 50}.${n % 7}`;
  const kind = n % 5;
  const context = { specversion: "0.5.1", id: `${prefix}-${n}`, source: `/ci/${repo}`, timestamp: new Date().toISOString() };
  if (kind === 3) {
    return {
      context: { ...context, type: "dev.cdevents.build.finished.0.3.0" },
      subject: { id: `run-${prefix}-${n}`, source: `/ci/${repo}`, content: { artifactId: purl } },
    };
  }
  if (kind === 4) {
    return {
      context: { ...context, type: "dev.cdevents.service.deployed.0.3.0" },
      subject: { id: `${name}-svc`, source: `/k8s/${ENVS[n % 3]}`, content: { environment: { id: ENVS[n % 3] }, artifactId: purl } },
    };
  }
  return {
    context: { ...context, type: "dev.cdevents.artifact.published.0.3.0" },
    subject: { id: purl, source: `/ci/${repo}`, content: { user: "release-bot" } },
  };
}

/** Runs labelled seeding statements in order on one connection (so pg_temp helpers persist), printing each one's time. */
export async function runSeed(databaseUrl: string, statements: Array<[string, string]>): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  const width = Math.max(...statements.map(([label]) => label.length));
  try {
    for (const [label, text] of statements) {
      const t0 = performance.now();
      await client.query(text);
      console.log(`  seeded ${label.padEnd(width)} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

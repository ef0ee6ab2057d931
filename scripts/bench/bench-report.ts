// npm run bench:report - a signed CSV compliance report over HTTP for 100,000 deployments, against
// real Postgres and the built app (as bench-server.ts starts it), with the server's memory watched.
//
// Seeds, with set-based SQL only (ids and digests derived from md5/sha256 of the row number, so two
// runs seed the same data): 60,000 artefacts, 54,000 of them with a verified cosign signature, every
// second one with verified SLSA provenance from a build of a source commit, every third admitted by
// an external verifier; three environments: prod with 100,000 deployments (10,000 workloads, ten
// deployments each over 60 days, the last one running), staging with 20,000 and dev with 1,000;
// 5,000 open alerts on prod workloads. Then, signed in as a compliance officer:
//
//   GET /api/v1/reports/compliance?environment=<env>&from=<90 days ago>&to=<now>&format=csv
//
// for dev (warm-up), staging (20,000 rows) and prod (100,000 rows), each read as a stream (never
// held), its sha256 checked against the signed statement in Vitrine-Signature, which must verify
// with Vitrine's public key. For each: time to the last byte, rows, bytes, and the server's resident
// memory (process tree, sampled every 50 ms) before and at its peak during the export.
//
// BENCH_SEED_ONLY=1 seeds the database in DATABASE_URL and exits.
//
// Targets (issue 7): 100,000 rows in under 10 s with under 300 MB of extra memory, and memory flat in
// the row count (the 20,000-row export needs about as much as the 100,000-row one).
import { spawnSync } from "node:child_process";
import { createHash, createPublicKey, verify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createDb, setDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { parseSignature, type ReportStatement } from "@/lib/domain/report-signature";
import { createUser } from "@/lib/server/users/create-user";
import { runSeed, startBenchServer } from "./bench-server";

const ARTIFACTS = 60_000;
const PROD = 100_000;
const STAGING = 20_000;
const DEV = 1_000;
const PER_WORKLOAD = 10;
const EMAIL = "bench-compliance@bench.test";
const PASSWORD = "bench-password-0123456789";
// A build folder of its own, so a benchmark of another feature running beside this one keeps its .next-bench.
const DIST_DIR = ".next-bench-report";

// Each statement is one set-based INSERT; pg_temp.h(text) is a stable pseudo-random int, pg_temp.u a stable uuid.
const SEED_SQL: Array<[string, string]> = [
  [
    "helpers",
    `CREATE FUNCTION pg_temp.h(t text) RETURNS int LANGUAGE sql IMMUTABLE AS
       $$ SELECT (('x' || substr(md5(t), 1, 8))::bit(32)::int) & 2147483647 $$;
     CREATE FUNCTION pg_temp.u(t text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT md5(t)::uuid $$;`,
  ],
  [
    "environments",
    `INSERT INTO environments (id, name, created_at)
     SELECT pg_temp.u('env-' || name), name, '2026-01-01Z' FROM unnest(ARRAY['prod', 'staging', 'dev']) name`,
  ],
  [
    "artefacts",
    `INSERT INTO artifacts (id, digest, kind, media_type, first_seen_at, last_seen_at)
     SELECT pg_temp.u('a' || i), 'sha256:' || encode(sha256(convert_to('bench-report-artifact-' || i, 'UTF8')), 'hex'), 'oci_image'::"ArtifactKind",
            'application/vnd.oci.image.manifest.v1+json', now() - interval '90 days', now() - interval '90 days'
       FROM generate_series(1, ${ARTIFACTS}) i`,
  ],
  [
    "documents and verified signatures (9 in 10 artefacts)",
    `WITH dsrc AS (
       SELECT * FROM (SELECT pg_temp.u('sdoc' || i), 'sha256:' || encode(sha256(convert_to('sig-' || i, 'UTF8')), 'hex'), 'cosign', 'application/json',
              convert_to('{"sig":' || i || '}', 'UTF8'), 12, 'signatures', now() - interval '90 days'
         FROM generate_series(1, ${ARTIFACTS}) i WHERE i % 10 <> 0) AS x(id, sha256, format, content_type, body, size_bytes, route, received_at)),
     d AS (
       INSERT INTO documents (id, sha256, format, content_type, size_bytes, route, received_at)
       SELECT id, sha256, format, content_type, size_bytes, route, received_at FROM dsrc RETURNING id),
     dbody AS (
       INSERT INTO document_bodies (document_id, received_at, body) SELECT id, received_at, body FROM dsrc)
     INSERT INTO signatures (id, artifact_id, document_id, format, material, verdict, verdict_reason, evidence, verified_at, created_at)
     SELECT pg_temp.u('sig' || i), pg_temp.u('a' || i), pg_temp.u('sdoc' || i), 'cosign', '{}'::jsonb, 'verified',
            'verified with the trusted key "release"',
            jsonb_build_object('keyFingerprint', 'sha256:' || encode(sha256(convert_to('release', 'UTF8')), 'hex'), 'trustedAs', 'release'),
            now() - interval '90 days', now() - interval '90 days'
       FROM generate_series(1, ${ARTIFACTS}) i WHERE i % 10 <> 0`,
  ],
  [
    "sources, builds and verified SLSA provenance (every second artefact)",
    `WITH src AS (
       INSERT INTO sources (id, repository, commit, created_at)
       SELECT pg_temp.u('src' || j), 'https://github.com/acme/repo-' || (j % 50), substr(encode(sha256(convert_to('c' || j, 'UTF8')), 'hex'), 1, 40), now()
         FROM generate_series(1, 10000) j RETURNING id),
     b AS (
       INSERT INTO builds (id, builder_id, invocation_id, outcome, created_at)
       SELECT pg_temp.u('b' || i), 'https://github.com/acme/repo-' || (i % 50) || '/.github/workflows/release.yml@refs/heads/main', 'run-' || i, 'success', now()
         FROM generate_series(2, ${ARTIFACTS}, 2) i RETURNING id),
     bs AS (
       INSERT INTO build_sources (build_id, source_id)
       SELECT pg_temp.u('b' || i), pg_temp.u('src' || (pg_temp.h('bs' || i) % 10000 + 1)) FROM generate_series(2, ${ARTIFACTS}, 2) i RETURNING build_id),
     dsrc AS (
       SELECT * FROM (SELECT pg_temp.u('pdoc' || i), 'sha256:' || encode(sha256(convert_to('prov-' || i, 'UTF8')), 'hex'), 'dsse', 'application/json',
              convert_to('{"prov":' || i || '}', 'UTF8'), 13, 'attestations', now() - interval '90 days'
         FROM generate_series(2, ${ARTIFACTS}, 2) i) AS x(id, sha256, format, content_type, body, size_bytes, route, received_at)),
     d AS (
       INSERT INTO documents (id, sha256, format, content_type, size_bytes, route, received_at)
       SELECT id, sha256, format, content_type, size_bytes, route, received_at FROM dsrc RETURNING id),
     dbody AS (
       INSERT INTO document_bodies (document_id, received_at, body) SELECT id, received_at, body FROM dsrc),
     att AS (
       INSERT INTO attestations (id, document_id, envelope, statement_type, predicate_type, build_id, material, verdict, verdict_reason, verified_at, created_at)
       SELECT pg_temp.u('att' || i), pg_temp.u('pdoc' || i), 'dsse', 'https://in-toto.io/Statement/v1', 'https://slsa.dev/provenance/v1',
              pg_temp.u('b' || i), '{}'::jsonb, 'verified', 'verified with the trusted key "release"', now() - interval '90 days', now() - interval '90 days'
         FROM generate_series(2, ${ARTIFACTS}, 2) i RETURNING id)
     INSERT INTO attestation_subjects (attestation_id, digest, artifact_id)
     SELECT pg_temp.u('att' || i), 'sha256:' || encode(sha256(convert_to('bench-report-artifact-' || i, 'UTF8')), 'hex'), pg_temp.u('a' || i)
       FROM generate_series(2, ${ARTIFACTS}, 2) i`,
  ],
  [
    "external verifier passes (every third artefact)",
    `WITH dsrc AS (
       SELECT * FROM (SELECT pg_temp.u('vdoc' || i), 'sha256:' || encode(sha256(convert_to('claim-' || i, 'UTF8')), 'hex'), 'admission-decision',
              'application/json', convert_to('{"claim":' || i || '}', 'UTF8'), 14, 'verifications', now() - interval '90 days'
         FROM generate_series(3, ${ARTIFACTS}, 3) i) AS x(id, sha256, format, content_type, body, size_bytes, route, received_at)),
     d AS (
       INSERT INTO documents (id, sha256, format, content_type, size_bytes, route, received_at)
       SELECT id, sha256, format, content_type, size_bytes, route, received_at FROM dsrc RETURNING id),
     dbody AS (
       INSERT INTO document_bodies (document_id, received_at, body) SELECT id, received_at, body FROM dsrc)
     INSERT INTO verification_claims (id, document_id, verifier, artifact_id, reference, result, policy, occurred_at, created_at)
     SELECT pg_temp.u('vc' || i), pg_temp.u('vdoc' || i), 'policy-controller', pg_temp.u('a' || i), 'registry.acme.dev/app', 'pass',
            'signed-images', now() - interval '90 days', now() - interval '90 days'
       FROM generate_series(3, ${ARTIFACTS}, 3) i`,
  ],
  [
    `deployments (prod ${PROD}, staging ${STAGING}, dev ${DEV}; ${PER_WORKLOAD} per workload over 60 days, the last running)`,
    `INSERT INTO deployments (id, environment_id, cluster, namespace, workload, artifact_id, reference, pinned, resolved_digest, status,
                              started_at, ended_at, created_at, policy_pass, policy_failures, evaluated_at)
     SELECT pg_temp.u('dep-' || env || '-' || g), pg_temp.u('env-' || env), 'cluster-' || (g / ${PER_WORKLOAD} % 3), 'team-' || (g / ${PER_WORKLOAD} % 40),
            'svc-' || (g / ${PER_WORKLOAD}), a.id,
            CASE WHEN g % 20 = 0 THEN 'registry.acme.dev/acme/app:1.' || (g % 50) ELSE 'registry.acme.dev/acme/app@' || a.digest END,
            g % 20 <> 0, a.digest,
            (CASE WHEN g % ${PER_WORKLOAD} < ${PER_WORKLOAD - 1} THEN 'replaced' ELSE 'running' END)::"DeploymentStatus",
            now() - interval '60 days' + (g % ${PER_WORKLOAD}) * interval '6 days' + (g / ${PER_WORKLOAD}) * interval '1 second',
            CASE WHEN g % ${PER_WORKLOAD} < ${PER_WORKLOAD - 1}
                 THEN now() - interval '60 days' + (g % ${PER_WORKLOAD} + 1) * interval '6 days' + (g / ${PER_WORKLOAD}) * interval '1 second' END,
            now() - interval '60 days', (i % 10 <> 0 AND g % 20 <> 0),
            CASE WHEN i % 10 = 0 THEN '[{"requirement":"signatures","reason":"requires 1 verified signature; found none"}]'::jsonb
                 WHEN g % 20 = 0 THEN '[{"requirement":"digest-pinning","reason":"requires digest-pinned references"}]'::jsonb
                 ELSE '[]'::jsonb END,
            now()
       FROM (SELECT env, g, pg_temp.h(env || g) % ${ARTIFACTS} + 1 AS i
               FROM (VALUES ('prod', ${PROD}), ('staging', ${STAGING}), ('dev', ${DEV})) e(env, n), generate_series(0, n - 1) g) x
       JOIN artifacts a ON a.id = pg_temp.u('a' || x.i)`,
  ],
  [
    "open alerts (5,000 prod workloads)",
    `INSERT INTO alerts (id, dedupe_key, rule, severity, status, environment, subject_kind, subject_id, subject_label, summary, evidence,
                         first_fired_at, last_fired_at, created_at, updated_at)
     SELECT pg_temp.u('alert' || w), 'unsigned-deployed|deployment:' || w || '|prod', 'unsigned-deployed', 'critical', 'open', 'prod', 'deployment',
            'cluster-' || (w % 3) || '/team-' || (w % 40) || '/svc-' || w, 'svc-' || w || ' in prod', 'bench alert', '{}'::jsonb,
            now(), now(), now(), now()
       FROM generate_series(0, 9999, 2) w`,
  ],
  ["vacuum analyze", "VACUUM ANALYZE"],
];

function seed(databaseUrl: string): Promise<number> {
  return runSeed(databaseUrl, SEED_SQL);
}

function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function treeRss(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    children = [];
  }
  return rssOf(pid) + children.reduce((sum, c) => sum + treeRss(c), 0);
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function treeCpu(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    children = [];
  }
  return cpuSeconds(pid) + children.reduce((sum, c) => sum + treeCpu(c), 0);
}

type CpuSample = { server: number; backends: Map<number, number> };

/** CPU used by the app server and by the Postgres backends of its database: what the export cost, whatever else the machine runs. */
async function cpuNow(databaseUrl: string, serverPid: number): Promise<CpuSample> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    return { server: treeCpu(serverPid), backends: new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)])) };
  } finally {
    await c.end();
  }
}

function cpuSpent(before: CpuSample, after: CpuSample): { app: number; db: number } {
  let db = 0;
  for (const [pid, cpu] of after.backends) db += cpu - (before.backends.get(pid) ?? 0);
  return { app: after.server - before.server, db };
}

/** Signs in over next-auth's credentials endpoint, as the sign-in form does; answers the Cookie header. */
async function signIn(url: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${url}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email: EMAIL, password: PASSWORD, callbackUrl: `${url}/`, json: "true" }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed: HTTP ${res.status}`);
  return cookie();
}

type Export = {
  environment: string;
  rows: number;
  bytes: number;
  seconds: number;
  baseMiB: number;
  peakMiB: number;
  extraMiB: number;
  appCpu: number;
  dbCpu: number;
};

/** One export over HTTP, read as a stream; its bytes checked against the signed statement. */
async function exportCsv(options: {
  url: string;
  databaseUrl: string;
  cookie: string;
  pid: number;
  environment: string;
  publicKeyPem: string;
}): Promise<Export> {
  const cpuBefore = await cpuNow(options.databaseUrl, options.pid);
  const base = treeRss(options.pid);
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRss(options.pid));
  }, 50);
  const to = new Date();
  const from = new Date(to.getTime() - 90 * 86_400_000);
  const t0 = performance.now();
  try {
    const res = await fetch(
      `${options.url}/api/v1/reports/compliance?environment=${options.environment}&from=${from.toISOString()}&to=${to.toISOString()}&format=csv`,
      { headers: { cookie: options.cookie } },
    );
    if (res.status !== 200 || !res.body) throw new Error(`${options.environment}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const hash = createHash("sha256");
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      for (const b of chunk) if (b === 0x0a) lines++;
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, treeRss(options.pid));
    const signature = parseSignature(res.headers.get("vitrine-signature") ?? "");
    if (!signature.ok) throw new Error(`${options.environment}: ${signature.reason}`);
    const statement = JSON.parse(signature.value.statement.toString("utf8")) as ReportStatement;
    if (!verify(null, signature.value.statement, createPublicKey(options.publicKeyPem), Buffer.from(signature.value.sig, "base64"))) {
      throw new Error(`${options.environment}: the signature does not verify`);
    }
    if (statement.sha256 !== hash.digest("hex")) throw new Error(`${options.environment}: the bytes differ from the signed sha256`);
    if (statement.rows !== lines - 1) throw new Error(`${options.environment}: ${lines - 1} rows read, ${statement.rows} signed`);
    const mib = (n: number) => Math.round(n / 1024 / 1024);
    return {
      environment: options.environment,
      rows: lines - 1,
      bytes,
      seconds,
      baseMiB: mib(base),
      peakMiB: mib(peak),
      extraMiB: mib(peak - base),
      ...(({ app, db }) => ({ appCpu: app, dbCpu: db }))(cpuSpent(cpuBefore, await cpuNow(options.databaseUrl, options.pid))),
    };
  } finally {
    clearInterval(sampler);
  }
}

/** Builds the current code into DIST_DIR (BENCH_SKIP_BUILD=1 reuses a finished build there). */
function build(): void {
  if (process.env.BENCH_SKIP_BUILD === "1" && existsSync(join(process.cwd(), DIST_DIR, "BUILD_ID"))) return;
  console.log(`building into ${DIST_DIR} ...`);
  const next = join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const result = spawnSync(process.execPath, [next, "build"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, VITRINE_NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed");
}

async function main() {
  if (process.env.BENCH_SEED_ONLY === "1") {
    // Seeds the (migrated) database in DATABASE_URL and exits, to explore the data or profile queries.
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("BENCH_SEED_ONLY seeds the database in DATABASE_URL: set it");
    await migrate({ url });
    console.log(`seeded in ${(await seed(url)).toFixed(1)} s`);
    return;
  }
  build();
  // bench-server.ts builds .next-bench unless told not to; this benchmark serves its own build instead.
  if (existsSync(join(process.cwd(), ".next-bench", "BUILD_ID"))) process.env.BENCH_SKIP_BUILD = "1";
  const server = await startBenchServer({ name: "report", env: { VITRINE_NEXT_DIST_DIR: DIST_DIR } });
  try {
    console.log("seeding (set-based SQL):");
    const seedSeconds = await seed(server.databaseUrl);
    const client = createDb({ url: server.databaseUrl, poolMax: 1 });
    setDb(client);
    await createUser({
      actor: { kind: "system", name: "bench" },
      input: { email: EMAIL, role: "compliance", password: PASSWORD },
      now: new Date(),
    });
    await client.$disconnect();
    setDb(undefined);
    const cookie = await signIn(server.url);
    const key = await fetch(`${server.url}/api/v1/reports/public-key`, { headers: { cookie } });
    if (key.status !== 200) throw new Error(`public key: HTTP ${key.status}`);
    const publicKeyPem = await key.text();
    const run = (environment: string) =>
      exportCsv({ url: server.url, databaseUrl: server.databaseUrl, cookie, pid: server.pid, environment, publicKeyPem });

    // Warm-up: the route compiled, pdfkit and the pools loaded, the signing key read.
    const warm = await run("dev");
    const results = [await run("staging"), await run("prod"), await run("staging"), await run("prod")];
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ");

    console.log("\nbench:report (real Postgres, HTTP, signed CSV, this machine)");
    console.log(
      `  seeding (${ARTIFACTS.toLocaleString("en")} artefacts, ${(PROD + STAGING + DEV).toLocaleString("en")} deployments)`.padEnd(66),
      `${seedSeconds.toFixed(1)} s`,
    );
    console.log(`  machine load average (1 / 5 / 15 min)`.padEnd(66), load);
    console.log(`  warm-up: dev, ${warm.rows} rows`.padEnd(66), `${warm.seconds.toFixed(2)} s`);
    console.log(
      `\n  ${"export".padEnd(10)} ${"rows".padStart(8)} ${"bytes".padStart(12)} ${"time".padStart(8)} ${"rows/s".padStart(8)} ${"RSS before".padStart(11)} ${"RSS peak".padStart(9)} ${"extra".padStart(7)} ${"CPU app".padStart(8)} ${"CPU db".padStart(7)}`,
    );
    for (const r of results) {
      console.log(
        `  ${r.environment.padEnd(10)} ${String(r.rows).padStart(8)} ${String(r.bytes).padStart(12)} ${`${r.seconds.toFixed(2)} s`.padStart(8)} ${String(Math.round(r.rows / r.seconds)).padStart(8)} ${`${r.baseMiB} MiB`.padStart(11)} ${`${r.peakMiB} MiB`.padStart(9)} ${`${r.extraMiB} MiB`.padStart(7)} ${`${r.appCpu.toFixed(1)} s`.padStart(8)} ${`${r.dbCpu.toFixed(1)} s`.padStart(7)}`,
      );
    }
    const prod = results.filter((r) => r.environment === "prod");
    const staging = results.filter((r) => r.environment === "staging");
    const worst = (list: Export[], f: (r: Export) => number) => Math.max(...list.map(f));
    console.log(
      `\n  100k rows: worst time ${worst(prod, (r) => r.seconds).toFixed(2)} s (target < 10 s), worst extra memory ${worst(prod, (r) => r.extraMiB)} MiB (target < 300 MB);` +
        ` 20k rows: worst extra ${worst(staging, (r) => r.extraMiB)} MiB (flat: the 5x larger export should need about the same).`,
    );
    console.log(
      "  CPU app / db: CPU seconds used by the app server and by its Postgres backends during the export; with a core free for each,\n" +
        "  the time would be about the larger of the two (the export reads on one connection while the next page is read on another).",
    );
    console.log(
      JSON.stringify({
        bench: "report",
        seedSeconds: +seedSeconds.toFixed(1),
        rows100k: prod[0]?.rows,
        bytes100k: prod[0]?.bytes,
        seconds100k: +worst(prod, (r) => r.seconds).toFixed(2),
        extraMiB100k: worst(prod, (r) => r.extraMiB),
        seconds20k: +worst(staging, (r) => r.seconds).toFixed(2),
        extraMiB20k: worst(staging, (r) => r.extraMiB),
        peakRssMiB: worst(results, (r) => r.peakMiB),
        appCpu100k: +worst(prod, (r) => r.appCpu).toFixed(1),
        dbCpu100k: +worst(prod, (r) => r.dbCpu).toFixed(1),
        load,
      }),
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

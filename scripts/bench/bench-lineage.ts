// npm run bench:lineage - lineage, blast radius and the artefacts list on a large, seeded estate,
// against real Postgres, over HTTP (the built app, as bench-server.ts starts it).
//
// Seeds, with set-based SQL only (generate_series; every id, digest and choice derived from md5 or
// sha256 of the row number, so two runs seed byte-identical data): 100,000 artefacts from 50,000
// builds (each an image index and its platform image, linked by a manifest edge) by 5 builders from
// 20,000 source commits in 50 repositories, builds after the first 500 taking one of their platform
// images as a base image; 50,000 version tags plus a `latest` per repository that moved 1,000 times;
// 102,000 verified signatures by 5 trusted keys, one of which (release-hot) signed 10,000 artefacts
// (2,000 of them also signed by another key); 300,000 deployments of the indexes over 6 environments
// x 2,000 workloads, 25 per workload, the last one running. Then measures:
//
//   1. GET /api/v1/lineage/{digest}?depth=3 for BENCH_LINEAGE_SAMPLES (default 300) artefacts drawn
//      with a seeded PRNG (mulberry32, seed 42): p50/p95/p99 and the graph sizes;
//   2. GET /api/v1/blast-radius?key=<release-hot>: the first page (p50/p95 of 20), and the whole CSV;
//   3. GET /api/v1/artifacts (first page, p50/p95 of 50).
//
// Targets (issue 5): lineage p95 < 100 ms, blast radius < 500 ms, artefacts list first page < 150 ms.
// BENCH_SEED_ONLY=1 seeds the (migrated) database in DATABASE_URL and exits, to explore the data.
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { percentile, runSeed, startBenchServer } from "./bench-server";

const ARTIFACTS = 100_000;
const BUILDS = ARTIFACTS / 2;
const SOURCES = 20_000;
const REPOS = 50;
const DEPLOYMENTS = 300_000;
const SLOTS = 12_000; // 6 environments x 2,000 workloads
const HOT_KEY = "release-hot";
const SAMPLES = Number(process.env.BENCH_LINEAGE_SAMPLES ?? 300);

const artifactDigest = (i: number) => `sha256:${createHash("sha256").update(`bench-artifact-${i}`).digest("hex")}`;

/** mulberry32: a tiny seeded PRNG, so the sampled artefacts are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Each statement is one set-based INSERT; pg_temp.h(text) is a stable pseudo-random int from md5.
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
     SELECT pg_temp.u('env' || e), (ARRAY['dev','test','staging','prod','prod-eu','prod-us'])[e + 1], '2026-01-01Z' FROM generate_series(0, 5) e`,
  ],
  [
    "trusted keys",
    `INSERT INTO trusted_keys (id, kind, name, public_key, algorithm, fingerprint, environments, created_at)
     SELECT pg_temp.u('key' || k), 'pem', name, '-----BEGIN PUBLIC KEY-----(bench)-----END PUBLIC KEY-----', 'ecdsa-p256',
            'sha256:' || encode(sha256(convert_to(name, 'UTF8')), 'hex'), '{}', '2026-01-01Z'
       FROM unnest(ARRAY['${HOT_KEY}','release-a','release-b','nightly','backup']) WITH ORDINALITY AS t(name, k)`,
  ],
  [
    "sources",
    `INSERT INTO sources (id, repository, commit, created_at)
     SELECT pg_temp.u('src' || j), 'https://github.com/acme/repo-' || (j % ${REPOS}),
            substr(encode(sha256(convert_to('commit-' || j, 'UTF8')), 'hex'), 1, 40), '2026-01-01Z'
       FROM generate_series(1, ${SOURCES}) j`,
  ],
  [
    "builds",
    `INSERT INTO builds (id, builder_id, invocation_id, build_type, started_at, finished_at, outcome, created_at)
     SELECT pg_temp.u('b' || b), 'https://builder.acme.dev/' || (ARRAY['gha','gitlab','tekton','jenkins','buildkite'])[b % 5 + 1],
            'run-' || b, 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
            timestamptz '2026-01-01Z' + b * interval '10 minutes', timestamptz '2026-01-01Z' + b * interval '10 minutes' + interval '5 minutes',
            'success', timestamptz '2026-01-01Z' + b * interval '10 minutes'
       FROM generate_series(1, ${BUILDS}) b`,
  ],
  [
    "build sources",
    `INSERT INTO build_sources (build_id, source_id)
     SELECT pg_temp.u('b' || b), pg_temp.u('src' || (pg_temp.h('bs' || b) % ${SOURCES} + 1)) FROM generate_series(1, ${BUILDS}) b`,
  ],
  [
    "artifacts",
    `INSERT INTO artifacts (id, digest, kind, media_type, size_bytes, first_seen_at, last_seen_at)
     SELECT pg_temp.u('a' || i), 'sha256:' || encode(sha256(convert_to('bench-artifact-' || i, 'UTF8')), 'hex'),
            (CASE WHEN i % 2 = 1 THEN 'oci_index' ELSE 'oci_image' END)::"ArtifactKind",
            CASE WHEN i % 2 = 1 THEN 'application/vnd.oci.image.index.v1+json' ELSE 'application/vnd.oci.image.manifest.v1+json' END,
            1000 + pg_temp.h('size' || i) % 100000,
            timestamptz '2026-01-01Z' + ((i + 1) / 2) * interval '10 minutes' + interval '5 minutes',
            timestamptz '2026-01-01Z' + ((i + 1) / 2) * interval '10 minutes' + interval '5 minutes'
       FROM generate_series(1, ${ARTIFACTS}) i`,
  ],
  [
    "artifact names",
    `INSERT INTO artifact_names (id, artifact_id, name, first_seen_at)
     SELECT pg_temp.u('n' || i), pg_temp.u('a' || i), 'registry.acme.dev/acme/repo-' || (((i + 1) / 2) % ${REPOS}), '2026-01-01Z'
       FROM generate_series(1, ${ARTIFACTS}) i`,
  ],
  [
    "build outputs and base-image inputs",
    `INSERT INTO build_artifacts (build_id, artifact_id, role)
     SELECT pg_temp.u('b' || ((i + 1) / 2)), pg_temp.u('a' || i), 'output'::"BuildArtifactRole" FROM generate_series(1, ${ARTIFACTS}) i
     UNION ALL
     SELECT pg_temp.u('b' || b), pg_temp.u('a' || (2 * (pg_temp.h('in' || b) % 500 + 1))), 'input'::"BuildArtifactRole" FROM generate_series(501, ${BUILDS}) b`,
  ],
  [
    "index -> platform manifest edges",
    `INSERT INTO artifact_edges (from_id, to_id, kind)
     SELECT pg_temp.u('a' || i), pg_temp.u('a' || (i + 1)), 'manifest' FROM generate_series(1, ${ARTIFACTS}, 2) i`,
  ],
  [
    "tags",
    `INSERT INTO tags (id, reference, repository, name, created_at)
     SELECT pg_temp.u('t' || b), 'registry.acme.dev/acme/repo-' || (b % ${REPOS}) || ':1.' || b, 'registry.acme.dev/acme/repo-' || (b % ${REPOS}),
            '1.' || b, timestamptz '2026-01-01Z' + b * interval '10 minutes'
       FROM generate_series(1, ${BUILDS}) b
     UNION ALL
     SELECT pg_temp.u('latest' || r), 'registry.acme.dev/acme/repo-' || r || ':latest', 'registry.acme.dev/acme/repo-' || r, 'latest', '2026-01-01Z'
       FROM generate_series(0, ${REPOS - 1}) r`,
  ],
  [
    "tag history (version tags, and latest moving over every index of its repository)",
    `INSERT INTO tag_history (id, tag_id, artifact_id, digest, valid_from, valid_to)
     SELECT pg_temp.u('th' || b), pg_temp.u('t' || b), a.id, a.digest, a.first_seen_at, NULL
       FROM generate_series(1, ${BUILDS}) b JOIN artifacts a ON a.id = pg_temp.u('a' || (2 * b - 1))
     UNION ALL
     SELECT pg_temp.u('lh' || b), pg_temp.u('latest' || (b % ${REPOS})), a.id, a.digest, a.first_seen_at,
            lead(a.first_seen_at) OVER (PARTITION BY b % ${REPOS} ORDER BY b)
       FROM generate_series(1, ${BUILDS}) b JOIN artifacts a ON a.id = pg_temp.u('a' || (2 * b - 1))`,
  ],
  [
    "documents and signatures (release-hot: every 10th artefact; every 50th also by backup)",
    `WITH s AS (
       SELECT i, n, CASE WHEN n = 2 THEN 'backup' WHEN i % 10 = 1 THEN '${HOT_KEY}'
                         ELSE (ARRAY['release-a','release-b','nightly','backup'])[i % 4 + 1] END AS key
         FROM generate_series(1, ${ARTIFACTS}) i CROSS JOIN LATERAL (SELECT 1 AS n UNION ALL SELECT 2 WHERE i % 50 = 1) x),
     m AS (
       SELECT s.*, jsonb_build_object('payload', repeat(md5('p' || i || '-' || n), 8), 'signature', repeat(md5('s' || i || '-' || n), 3)) AS material
         FROM s),
     dsrc AS (
       SELECT * FROM (SELECT pg_temp.u('doc' || i || '-' || n), 'sha256:' || encode(sha256(convert_to(material::text, 'UTF8')), 'hex'), 'cosign',
              'application/json', convert_to(material::text, 'UTF8'), octet_length(material::text), 'signatures',
              timestamptz '2026-01-01Z' + ((i + 1) / 2) * interval '10 minutes' + interval '6 minutes'
         FROM m) AS x(id, sha256, format, content_type, body, size_bytes, route, received_at)),
     d AS (
       INSERT INTO documents (id, sha256, format, content_type, size_bytes, route, received_at)
       SELECT id, sha256, format, content_type, size_bytes, route, received_at FROM dsrc RETURNING id),
     dbody AS (
       INSERT INTO document_bodies (document_id, received_at, body) SELECT id, received_at, body FROM dsrc)
     INSERT INTO signatures (id, artifact_id, document_id, format, key_hint, material, verdict, verdict_reason, evidence, verified_at, created_at)
     SELECT pg_temp.u('sig' || i || '-' || n), pg_temp.u('a' || i), pg_temp.u('doc' || i || '-' || n), 'cosign',
            'sha256:' || encode(sha256(convert_to(key, 'UTF8')), 'hex'), material, 'verified',
            'verified with the trusted key "' || key || '"',
            jsonb_build_object('keyFingerprint', 'sha256:' || encode(sha256(convert_to(key, 'UTF8')), 'hex'), 'trustedAs', key),
            timestamptz '2026-01-01Z' + ((i + 1) / 2) * interval '10 minutes' + interval '6 minutes',
            timestamptz '2026-01-01Z' + ((i + 1) / 2) * interval '10 minutes' + interval '6 minutes'
       FROM m`,
  ],
  [
    "deployments (25 per workload, the last one running)",
    `INSERT INTO deployments (id, environment_id, namespace, workload, artifact_id, reference, pinned, resolved_digest, status,
                              started_at, ended_at, created_at, policy_pass, evaluated_at)
     SELECT pg_temp.u('dep' || g), pg_temp.u('env' || (slot % 6)), 'team-' || (slot / 6 % 40), 'svc-' || (slot / 6), a.id,
            'registry.acme.dev/acme/app@' || a.digest, true, a.digest,
            (CASE WHEN seq < ${DEPLOYMENTS / SLOTS - 1} THEN 'replaced' ELSE 'running' END)::"DeploymentStatus",
            timestamptz '2026-06-01Z' + seq * interval '1 day' + slot * interval '1 second',
            CASE WHEN seq < ${DEPLOYMENTS / SLOTS - 1} THEN timestamptz '2026-06-01Z' + (seq + 1) * interval '1 day' + slot * interval '1 second' END,
            timestamptz '2026-06-01Z' + seq * interval '1 day' + slot * interval '1 second',
            pg_temp.h('pass' || g) % 10 <> 0, timestamptz '2026-06-01Z' + seq * interval '1 day'
       FROM (SELECT g, g % ${SLOTS} AS slot, g / ${SLOTS} AS seq, 2 * (pg_temp.h('dep' || g) % ${BUILDS}) + 1 AS idx
               FROM generate_series(0, ${DEPLOYMENTS - 1}) g) x
       JOIN artifacts a ON a.id = pg_temp.u('a' || x.idx)`,
  ],
  // The steady state autovacuum keeps: GIN pending lists merged, visibility maps set (index-only counts).
  ["vacuum analyze", "VACUUM ANALYZE"],
];

function seed(databaseUrl: string): Promise<number> {
  return runSeed(databaseUrl, SEED_SQL);
}

async function timed(url: string, token: string): Promise<{ ms: number; status: number; body: string; contentType: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  return { ms: performance.now() - t0, status: res.status, body, contentType: res.headers.get("content-type") ?? "" };
}

function expectOk(r: { status: number; body: string }, what: string): void {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
}

const fmt = (values: number[], digits = 1) => [50, 95, 99].map((p) => percentile(values, p).toFixed(digits)).join(" / ");

async function main() {
  if (process.env.BENCH_SEED_ONLY === "1") {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("BENCH_SEED_ONLY seeds the database in DATABASE_URL: set it");
    await migrate({ url });
    console.log(`seeded in ${(await seed(url)).toFixed(1)} s`);
    return;
  }
  const server = await startBenchServer({ name: "lineage" });
  try {
    console.log("seeding (set-based SQL):");
    const seedSeconds = await seed(server.databaseUrl);
    const api = (path: string) => timed(`${server.url}${path}`, server.token);

    const hot = await (async () => {
      const c = new pg.Client({ connectionString: server.databaseUrl });
      await c.connect();
      try {
        const { rows } = await c.query<{ id: string }>(`SELECT id FROM trusted_keys WHERE name = $1`, [HOT_KEY]);
        return rows[0]?.id as string;
      } finally {
        await c.end();
      }
    })();

    // Warm-up: compile the routes, fill caches.
    const random = mulberry32(42);
    const pick = () => 1 + Math.floor(random() * ARTIFACTS);
    for (let i = 0; i < 20; i++) expectOk(await api(`/api/v1/lineage/${artifactDigest(pick())}?depth=3`), "lineage warm-up");
    expectOk(await api(`/api/v1/blast-radius?key=${hot}`), "blast radius warm-up");
    expectOk(await api("/api/v1/artifacts"), "artefacts warm-up");

    // 1. Lineage at depth 3.
    const lineageMs: number[] = [];
    const sizes: number[] = [];
    let truncated = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const r = await api(`/api/v1/lineage/${artifactDigest(pick())}?depth=3`);
      expectOk(r, "lineage");
      lineageMs.push(r.ms);
      const graph = JSON.parse(r.body) as { nodes: unknown[]; truncated: boolean };
      sizes.push(graph.nodes.length);
      if (graph.truncated) truncated++;
    }

    // 2. Blast radius of the key that signed 10,000 artefacts.
    const firstPage = await api(`/api/v1/blast-radius?key=${hot}`);
    expectOk(firstPage, "blast radius");
    const radius = JSON.parse(firstPage.body) as {
      totals: { artifacts: number; deployments: number; onlyTrust: number };
      artifacts: unknown[];
      environments: unknown[];
    };
    const radiusMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await api(`/api/v1/blast-radius?key=${hot}`);
      expectOk(r, "blast radius");
      radiusMs.push(r.ms);
    }
    const csvMs: number[] = [];
    let csvRows = 0;
    let csvBytes = 0;
    for (let i = 0; i < 3; i++) {
      const r = await api(`/api/v1/blast-radius?key=${hot}&format=csv`);
      expectOk(r, "blast radius CSV");
      if (!r.contentType.startsWith("text/csv")) throw new Error(`blast radius CSV answered ${r.contentType}`);
      csvMs.push(r.ms);
      csvRows = r.body.split("\r\n").length - 2;
      csvBytes = Buffer.byteLength(r.body);
    }

    // 3. The artefacts list, first page.
    const listMs: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await api("/api/v1/artifacts");
      expectOk(r, "artefacts list");
      listMs.push(r.ms);
    }

    const rows: Array<[string, string]> = [
      ["seeding (100k artefacts, 300k deployments)", `${seedSeconds.toFixed(1)} s`],
      [`lineage depth 3, ${SAMPLES} artefacts, p50/p95/p99 ms`, fmt(lineageMs)],
      ["lineage nodes per graph p50/p95/max", `${percentile(sizes, 50)} / ${percentile(sizes, 95)} / ${Math.max(...sizes)}`],
      ["lineage graphs truncated", String(truncated)],
      [
        "blast radius (release-hot): artefacts / deployments / onlyTrust",
        `${radius.totals.artifacts} / ${radius.totals.deployments} / ${radius.totals.onlyTrust}`,
      ],
      ["blast radius first page: cold ms", firstPage.ms.toFixed(1)],
      ["blast radius first page p50/p95/p99 ms (20 runs)", fmt(radiusMs)],
      ["blast radius full CSV ms (3 runs, each)", csvMs.map((m) => m.toFixed(0)).join(" / ")],
      ["blast radius CSV rows / bytes", `${csvRows} / ${csvBytes}`],
      ["GET /api/v1/artifacts first page p50/p95/p99 ms (50 runs)", fmt(listMs)],
      ["server peak RSS", `${(server.peakRssBytes() / 1024 / 1024).toFixed(0)} MiB`],
    ];
    console.log("\nbench:lineage (real Postgres, HTTP, this machine)");
    for (const [k, v] of rows) console.log(`  ${k.padEnd(64)} ${v}`);
    console.log("\nTargets: lineage p95 < 100 ms, blast radius < 500 ms, artefacts list first page < 150 ms.");
    console.log(
      JSON.stringify({
        bench: "lineage",
        seedSeconds: +seedSeconds.toFixed(1),
        lineageP50Ms: +percentile(lineageMs, 50).toFixed(1),
        lineageP95Ms: +percentile(lineageMs, 95).toFixed(1),
        lineageP99Ms: +percentile(lineageMs, 99).toFixed(1),
        blastRadiusColdMs: +firstPage.ms.toFixed(1),
        blastRadiusP95Ms: +percentile(radiusMs, 95).toFixed(1),
        blastRadiusCsvMs: Math.round(Math.max(...csvMs)),
        artifactsListP95Ms: +percentile(listMs, 95).toFixed(1),
        peakRssMiB: Math.round(server.peakRssBytes() / 1024 / 1024),
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

// npm run bench:ingest - ingestion throughput and latency against real Postgres, over HTTP.
//
// 1. batches of 500 realistic CDEvents from 8 concurrent clients for BENCH_SECONDS (default 30):
//    events/s, request latency p50/p95/p99;
// 2. once the evaluation work the batches queued is done (its drain time is printed), single-event requests at
//    50 requests/s for 20 s: latency p50/p95/p99;
// 3. the same documents as a plain multi-row INSERT into a bare table: rows/s, and the ratio;
// and the server's peak memory (RSS) throughout.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createEvent, percentile, startBenchServer } from "./bench-server";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);

async function main() {
  const server = await startBenchServer({ name: "ingest" });
  try {
    let retries = 0;
    const post = async (body: string) => {
      const t0 = performance.now();
      for (;;) {
        const res = await fetch(`${server.url}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
          body,
        });
        const text = await res.text();
        if (res.status === 429 || res.status === 503) {
          // What a well-behaved client does: wait as told, then send the same request again.
          retries++;
          await new Promise((r) => setTimeout(r, Math.min(1000, Number(res.headers.get("retry-after") ?? 1) * 1000)));
          continue;
        }
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
        return { ms: performance.now() - t0, answer: JSON.parse(text) as { accepted?: number; status?: string } };
      }
    };

    // Warm-up: compile routes, fill caches.
    await post(JSON.stringify(Array.from({ length: 50 }, (_, i) => createEvent(`warm-${i}`, i))));

    // 1. Batches from concurrent clients.
    let seq = 0;
    let accepted = 0;
    const batchLatencies: number[] = [];
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (performance.now() < deadline) {
          const body = JSON.stringify(Array.from({ length: BATCH }, () => createEvent(`c${client}`, seq++)));
          const { ms, answer } = await post(body);
          batchLatencies.push(ms);
          accepted += answer.accepted ?? 0;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const eventsPerSecond = accepted / elapsed;

    // The burst leaves evaluation work queued (policies and alert rules for every artefact it touched). The single-event
    // phase measures latency at a steady rate, so it starts once that backlog is done; how long it took is a figure.
    const drainStart = performance.now();
    const jobsClient = new pg.Client({ connectionString: server.databaseUrl });
    await jobsClient.connect();
    let waitingJobs = 1;
    while (waitingJobs > 0 && performance.now() - drainStart < 600_000) {
      waitingJobs = Number(
        (
          await jobsClient.query<{ n: string }>(
            "SELECT count(*)::text AS n FROM jobs WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= now()",
          )
        ).rows[0]?.n ?? 0,
      );
      if (waitingJobs > 0) await new Promise((r) => setTimeout(r, 250));
    }
    await jobsClient.end();
    const drainSeconds = (performance.now() - drainStart) / 1000;

    // 2. Single events at a steady 50 requests/s.
    const singleLatencies: number[] = [];
    const singleSeconds = Number(process.env.BENCH_SINGLE_SECONDS ?? 20);
    const rate = 50;
    // Open loop: request i leaves at i/rate seconds, whatever the answers before it.
    await Promise.all(
      Array.from({ length: singleSeconds * rate }, (_, i) =>
        new Promise((r) => setTimeout(r, i * (1000 / rate)))
          .then(() => post(JSON.stringify(createEvent("single", seq++))))
          .then(({ ms }) => {
            singleLatencies.push(ms);
          }),
      ),
    );

    // 3. The floor: the same documents as a multi-row INSERT into a bare table.
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    await client.query(
      "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, sha256 text NOT NULL, body bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now())",
    );
    const bareRows = Math.min(accepted, 100_000);
    const docs = Array.from({ length: bareRows }, (_, i) => Buffer.from(JSON.stringify(createEvent("bare", i))));
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += BATCH) {
      const chunk = docs.slice(i, i + BATCH);
      const values = chunk.map((_, j) => `($${j * 2 + 1}, $${j * 2 + 2})`).join(",");
      await client.query(
        `INSERT INTO bench_bare (sha256, body) VALUES ${values}`,
        chunk.flatMap((d) => [String(d.length), d]),
      );
    }
    const bareSeconds = (performance.now() - t0) / 1000;
    // Storage per stored event (for sizing, docs/architecture.md): every Vitrine table with its indexes and TOAST,
    // partitions included, over the documents stored.
    const [{ bytes, documents }] = (
      await client.query<{ bytes: string; documents: string }>(
        `SELECT (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT IN ('bench_bare', '_prisma_migrations'))::text AS bytes,
                (SELECT count(*) FROM documents)::text AS documents`,
      )
    ).rows as [{ bytes: string; documents: string }];
    const bytesPerEvent = Number(bytes) / Math.max(1, Number(documents));
    await client.end();
    const barePerSecond = bareRows / bareSeconds;

    const rows = [
      ["batches", `${CLIENTS} clients x ${BATCH} events, ${elapsed.toFixed(1)} s`],
      ["events accepted", accepted.toLocaleString("en")],
      ["events/s (sustained)", eventsPerSecond.toFixed(0)],
      ["batch latency p50/p95/p99 ms", [50, 95, 99].map((p) => percentile(batchLatencies, p).toFixed(0)).join(" / ")],
      ["single-event latency p50/p95/p99 ms (50 req/s)", [50, 95, 99].map((p) => percentile(singleLatencies, p).toFixed(1)).join(" / ")],
      [
        "evaluation backlog after the batches, drained in",
        `${drainSeconds.toFixed(1)} s${waitingJobs > 0 ? ` (${waitingJobs} jobs still due after 600 s)` : ""}`,
      ],
      ["plain multi-row INSERT rows/s", barePerSecond.toFixed(0)],
      ["Vitrine / plain INSERT", `${((eventsPerSecond / barePerSecond) * 100).toFixed(1)} %`],
      ["server peak RSS", `${(server.peakRssBytes() / 1024 / 1024).toFixed(0)} MiB`],
      [
        "database bytes per stored event (all tables, indexes)",
        `${Math.round(bytesPerEvent).toLocaleString("en")} (${Number(documents).toLocaleString("en")} documents)`,
      ],
      ["requests retried after 429/503", String(retries)],
    ];
    console.log("\nbench:ingest (real Postgres, HTTP, this machine)");
    for (const [k, v] of rows) console.log(`  ${k!.padEnd(48)} ${v}`);
    console.log(`\nTargets: >= 2000 events/s with batches of 500; single-event p95 < 50 ms at 50 req/s.`);
    console.log(
      JSON.stringify({
        bench: "ingest",
        eventsPerSecond: Math.round(eventsPerSecond),
        batchP95Ms: Math.round(percentile(batchLatencies, 95)),
        evaluationDrainSeconds: +drainSeconds.toFixed(1),
        singleP50Ms: +percentile(singleLatencies, 50).toFixed(1),
        singleP95Ms: +percentile(singleLatencies, 95).toFixed(1),
        singleP99Ms: +percentile(singleLatencies, 99).toFixed(1),
        plainInsertRowsPerSecond: Math.round(barePerSecond),
        peakRssMiB: Math.round(server.peakRssBytes() / 1024 / 1024),
        bytesPerEvent: Math.round(bytesPerEvent),
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

// npm run bench:alerts - from an ingest request's answer to the alert, and to its webhook, against real Postgres, over HTTP.
//
// A webhook channel points at a receiver this script starts on 127.0.0.1 (it checks every signature). Background
// load: BENCH_RATE ordinary CDEvents a second (default 500, batches of 50 every 100 ms, open loop: published
// artefacts, builds and deployments of unsigned images, as bench:ingest sends). Meanwhile BENCH_PROBES times
// (default 40, one every BENCH_PROBE_INTERVAL_MS, default 750) a deployment of a fresh unsigned image to a fresh
// environment is ingested (it fires unsigned-deployed under the built-in default policy), and from the moment
// its answer arrives the script measures
//   (a) until GET /api/v1/alerts?rule=unsigned-deployed&environment=<env> lists the alert (polled every 20 ms),
//   (b) until the receiver gets the signed dev.vitrine.alert.opened CloudEvent for that environment.
// Prints p50/p95/p99/max of both and the machine's load. Targets: p95 < 1 s readable, < 3 s delivered.
//
// The background is ordinary traffic: dev, staging and prod get a policy their deployments meet (no signature
// required), and the channel is an on-call pager for critical alerts, so the receiver is not flooded by the
// background's tag-mutated alerts (which the engine still evaluates and records). BENCH_FLOOD=1 keeps the built-in
// default policy and a channel for every severity instead: every background deployment then fires an alert too.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createDb, setDb } from "@/lib/db/client";
import { verifySignatureHeader } from "@/lib/domain/notifications";
import { createChannel } from "@/lib/server/notifications/create-channel";
import { putPolicy } from "@/lib/server/policies/put-policy";
import { createEvent, percentile, startBenchServer } from "./bench-server";

// The receiver listens on 127.0.0.1, which notifications refuse by default (docs/notifications.md): name that host, for
// createChannel here and for the app server, which inherits this environment.
process.env.VITRINE_NOTIFY_ALLOWED_HOSTS ??= "127.0.0.1";

const RATE = Number(process.env.BENCH_RATE ?? 500);
const PROBES = Number(process.env.BENCH_PROBES ?? 40);
const PROBE_INTERVAL_MS = Number(process.env.BENCH_PROBE_INTERVAL_MS ?? 750);
const TIMEOUT_MS = Number(process.env.BENCH_PROBE_TIMEOUT_MS ?? 30_000);
const BATCH = 50;
const FLOOD = process.env.BENCH_FLOOD === "1";
/** Batches allowed in flight at once: past that the server is not keeping up, and the batch is counted as skipped, not queued. */
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 8);

type Probe = { environment: string; sentAt: number; answeredAt: number; readableMs: number | null; deliveredMs: number | null };

function probeEvent(environment: string): Record<string, unknown> {
  const hex = randomBytes(32).toString("hex");
  return {
    context: {
      specversion: "0.5.1",
      id: `probe-${environment}`,
      source: "/bench/alerts",
      type: "dev.cdevents.service.deployed.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: {
      id: "probe-svc",
      source: `/k8s/${environment}`,
      content: {
        environment: { id: environment },
        artifactId: `pkg:oci/probe@sha256%3A${hex}?repository_url=registry.acme.dev/bench/probe`,
      },
    },
  };
}

async function main() {
  // The receiver: every request is checked against the channel's secret; probes wait for their environment.
  let secret = "";
  const deliveredAt = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const stats = { received: 0, badSignatures: 0, nonProbe: 0 };
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      res.writeHead(204).end();
      const body = Buffer.concat(chunks).toString("utf8");
      stats.received++;
      if (!verifySignatureHeader({ secret, body, header: String(req.headers["vitrine-signature"] ?? ""), now: new Date() })) {
        stats.badSignatures++;
        return;
      }
      const event = JSON.parse(body) as { type?: string; data?: { rule?: string; environment?: string | null } };
      const env = event.data?.environment ?? "";
      if (event.type !== "dev.vitrine.alert.opened" || event.data?.rule !== "unsigned-deployed" || !env.startsWith("bench-probe-")) {
        stats.nonProbe++;
        return;
      }
      if (!deliveredAt.has(env)) deliveredAt.set(env, at);
      waiting.get(env)?.();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/vitrine`;

  const server = await startBenchServer({ name: "alerts" });
  const client = createDb({ url: server.databaseUrl, poolMax: 2 });
  setDb(client);
  const actor = { kind: "system", name: "bench" } as const;
  const channel = await createChannel({
    actor,
    input: { kind: "webhook", name: "bench receiver", url: receiverUrl, minSeverity: FLOOD ? "low" : "critical" },
    now: new Date(),
  });
  if (!FLOOD) {
    for (const environment of ["dev", "staging", "prod"]) {
      const document = { environment, requireDigestPinning: true, signatures: { required: 0, signers: [] } };
      await putPolicy({ actor, environment, document, source: "bench", now: new Date() });
    }
  }
  secret = channel.secret ?? "";
  await client.$disconnect();
  setDb(undefined);

  const auth = { authorization: `Bearer ${server.token}` };
  const post = async (body: unknown) => {
    for (;;) {
      const res = await fetch(`${server.url}/api/v1/events`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status === 429 || res.status === 503) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
      return;
    }
  };

  let running = true;
  let background = 0;
  let backgroundErrors = 0;
  let skipped = 0;
  let inFlight = 0;
  try {
    // Warm-up: compile the routes, fire one alert end to end.
    await post(Array.from({ length: 20 }, (_, i) => createEvent("warm", i)));
    await post(probeEvent("bench-warm"));
    await fetch(`${server.url}/api/v1/alerts?rule=unsigned-deployed&environment=bench-warm`, { headers: auth }).then((r) => r.text());

    // Background load, open loop: a batch leaves every 100 ms whatever the answers before it.
    let seq = 0;
    const backgroundStarted = performance.now();
    const timer = setInterval(
      () => {
        if (!running) return;
        if (inFlight >= MAX_IN_FLIGHT) {
          skipped += BATCH;
          return;
        }
        const batch = Array.from({ length: BATCH }, () => createEvent("bg", seq++));
        inFlight++;
        post(batch)
          .then(() => {
            background += BATCH;
          })
          .catch(() => {
            backgroundErrors++;
          })
          .finally(() => {
            inFlight--;
          });
      },
      (1000 * BATCH) / RATE,
    );
    await new Promise((r) => setTimeout(r, 3000)); // let the load settle

    const probes: Probe[] = [];
    const runProbe = async (i: number): Promise<void> => {
      const environment = `bench-probe-${i}-${randomBytes(3).toString("hex")}`;
      const delivered = new Promise<void>((resolve) => waiting.set(environment, resolve));
      const sentAt = performance.now();
      await post(probeEvent(environment));
      const answeredAt = performance.now();
      const probe: Probe = { environment, sentAt, answeredAt, readableMs: null, deliveredMs: null };
      probes.push(probe);
      const deadline = answeredAt + TIMEOUT_MS;
      const readable = (async () => {
        const url = `${server.url}/api/v1/alerts?rule=unsigned-deployed&environment=${encodeURIComponent(environment)}`;
        while (performance.now() < deadline) {
          const res = await fetch(url, { headers: auth });
          const page = (await res.json()) as { items?: unknown[] };
          if (res.ok && (page.items?.length ?? 0) > 0) {
            probe.readableMs = performance.now() - answeredAt;
            return;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const webhook = Promise.race([delivered, new Promise<void>((r) => setTimeout(r, TIMEOUT_MS))]).then(() => {
        const at = deliveredAt.get(environment);
        if (at !== undefined) probe.deliveredMs = at - answeredAt;
      });
      await Promise.all([readable, webhook]);
      waiting.delete(environment);
    };
    // Probes overlap (one leaves every interval), as alerts do in real life.
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < PROBES; i++) {
      pending.push(runProbe(i));
      await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
    }
    await Promise.all(pending);
    running = false;
    clearInterval(timer);
    const backgroundSeconds = (performance.now() - backgroundStarted) / 1000;
    for (let i = 0; i < 300 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 100));
    // How far behind the job queue was when the probes ended.
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    const backlog = (
      await db.query<{ kind: string; n: number }>(
        `SELECT kind, count(*)::int AS n FROM jobs WHERE done_at IS NULL AND failed_at IS NULL GROUP BY kind ORDER BY kind`,
      )
    ).rows;
    await db.end();

    const readable = probes.flatMap((p) => (p.readableMs === null ? [] : [p.readableMs]));
    const delivered = probes.flatMap((p) => (p.deliveredMs === null ? [] : [p.deliveredMs]));
    // Vitrine's notification part alone: from the alert being readable to the webhook arriving.
    const afterReadable = probes.flatMap((p) =>
      p.readableMs === null || p.deliveredMs === null ? [] : [Math.max(0, p.deliveredMs - p.readableMs)],
    );
    const fmt = (values: number[]) => (values.length ? [50, 95, 99, 100].map((p) => percentile(values, p).toFixed(0)).join(" / ") : "none");
    const [l1, l5] = loadavg();
    const rows = [
      [
        "background load",
        `${(background / backgroundSeconds).toFixed(0)} events/s accepted (target ${RATE}), ${backgroundErrors} failed batches, ${skipped.toLocaleString("en")} events skipped while ${MAX_IN_FLIGHT} batches were in flight`,
      ],
      [
        "scenario",
        FLOOD ? "flood: every background alert notified" : "ordinary background (compliant deployments), pager channel for critical alerts",
      ],
      ["probes", `${probes.length} unsigned deployments to fresh environments, one every ${PROBE_INTERVAL_MS} ms`],
      [
        "(a) readable via GET /api/v1/alerts, ms p50/p95/p99/max",
        `${fmt(readable)}  (${probes.length - readable.length} not within ${TIMEOUT_MS / 1000} s)`,
      ],
      [
        "(b) webhook received, ms p50/p95/p99/max",
        `${fmt(delivered)}  (${probes.length - delivered.length} not within ${TIMEOUT_MS / 1000} s)`,
      ],
      ["(b) - (a): webhook after readable, ms p50/p95/p99/max", fmt(afterReadable)],
      [
        "webhook requests received",
        `${stats.received} (${stats.nonProbe} for background alerts), ${stats.badSignatures} with a bad signature`,
      ],
      ["jobs waiting when the probes ended", backlog.map((b) => `${b.kind} ${b.n}`).join(", ") || "none"],
      ["server peak RSS", `${(server.peakRssBytes() / 1024 / 1024).toFixed(0)} MiB`],
      ["machine load (1 / 5 min) on CPUs", `${l1?.toFixed(1)} / ${l5?.toFixed(1)} on ${availableParallelism()}`],
    ];
    console.log("\nbench:alerts (real Postgres, HTTP, this machine)");
    for (const [k, v] of rows) console.log(`  ${k!.padEnd(56)} ${v}`);
    console.log("\nTargets: p95 < 1000 ms to readable, p95 < 3000 ms to delivered.");
    console.log(
      JSON.stringify({
        bench: "alerts",
        backgroundEventsPerSecond: Math.round(background / backgroundSeconds),
        backgroundSkipped: skipped,
        probes: probes.length,
        readableP50Ms: Math.round(percentile(readable, 50)),
        readableP95Ms: Math.round(percentile(readable, 95)),
        readableP99Ms: Math.round(percentile(readable, 99)),
        deliveredP50Ms: Math.round(percentile(delivered, 50)),
        deliveredP95Ms: Math.round(percentile(delivered, 95)),
        deliveredP99Ms: Math.round(percentile(delivered, 99)),
        afterReadableP95Ms: Math.round(percentile(afterReadable, 95)),
        notReadable: probes.length - readable.length,
        notDelivered: probes.length - delivered.length,
        badSignatures: stats.badSignatures,
      }),
    );
  } finally {
    running = false;
    await server.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

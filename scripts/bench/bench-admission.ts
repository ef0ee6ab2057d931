// npm run bench:admission - Vitrine as the admission gate, against real Postgres, over HTTP.
//
// Seeds BENCH_ARTIFACTS artefacts (default 500), each with a cosign signature by a trusted key (verified on
// arrival), groups them into BENCH_WORKLOADS workloads of 5 images (default 100, like Deployments whose replicas
// share their images), then sends AdmissionReviews for pods of those workloads (distinct uids) in two phases of
// BENCH_SECONDS (default 20) each:
//   1. paced: BENCH_RATE reviews a second (default 50, open loop, each timed from the moment it was due, so a
//      server that falls behind is charged for the wait) - a large cluster's rollouts; the target is read here;
//   2. saturation: BENCH_CLIENTS clients (default 4) back to back - the instance's capacity, and its latency
//      when nothing is left idle.
// Prints the decision time as the client sees it
// (HTTP round trip: parse, decide, and record the document, decision row, ledger entries and evaluation job) at
// p50/p95/p99/max, decisions per second, the server-side decision time recorded in each row, and the machine's
// load (the figures mean little on a machine busy with other work). Target: p99 < 50 ms.
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createDb, setDb } from "@/lib/db/client";
import { createToken } from "@/lib/server/tokens/create-token";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { percentile, startBenchServer } from "./bench-server";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const ARTIFACTS = Number(process.env.BENCH_ARTIFACTS ?? 500);
const WORKLOADS = Number(process.env.BENCH_WORKLOADS ?? 100);
const IMAGES_PER_POD = 5;
const REGISTRY = "registry.acme.dev/bench";

function digestOf(n: number): string {
  return `sha256:${n.toString(16).padStart(8, "0").repeat(8)}`;
}

function review(uid: string, digests: string[]) {
  const containers = digests.map((d, i) => ({ name: `c${i}`, image: `${REGISTRY}/app-${i}@${d}` }));
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      operation: "CREATE",
      namespace: "prod",
      userInfo: { username: "system:serviceaccount:kube-system:replicaset-controller" },
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { generateName: "checkout-7d9f8b-", namespace: "prod", labels: { app: "checkout" } },
        spec: { containers: containers.slice(0, 4), initContainers: containers.slice(4), restartPolicy: "Always" },
      },
      dryRun: false,
    },
  };
}

async function main() {
  const server = await startBenchServer({ name: "admission" });
  try {
    // Trust and the gate's token, written straight to the bench database.
    const client = createDb({ url: server.databaseUrl, poolMax: 2 });
    setDb(client);
    const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await createTrustedKey({
      actor: { kind: "system", name: "bench" },
      input: { name: "release-key", publicKey: keys.publicKey.export({ type: "spki", format: "pem" }).toString() },
      now: new Date(),
    });
    const gate = await createToken({
      actor: { kind: "system", name: "bench" },
      input: { name: "gate", scopes: ["admission"] },
      now: new Date(),
    });
    await client.$disconnect();
    setDb(undefined);

    // Known artefacts with verified signatures, through the signatures route like a pipeline would.
    const digests = Array.from({ length: ARTIFACTS }, (_, i) => digestOf(i + 1));
    for (let i = 0; i < digests.length; i += 100) {
      const batch = digests.slice(i, i + 100).map((digest) => {
        const payload = Buffer.from(
          JSON.stringify({
            critical: {
              identity: { "docker-reference": REGISTRY },
              image: { "docker-manifest-digest": digest },
              type: "cosign container image signature",
            },
            optional: null,
          }),
        );
        return {
          artifact: digest,
          format: "cosign",
          payload: payload.toString("base64"),
          signature: sign("sha256", payload, keys.privateKey).toString("base64"),
        };
      });
      const res = await fetch(`${server.url}/api/v1/signatures`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
        body: JSON.stringify(batch),
      });
      if (!res.ok) throw new Error(`seeding signatures: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    }
    const pgc = new pg.Client({ connectionString: server.databaseUrl });
    await pgc.connect();
    const count = async (text: string) => Number((await pgc.query<{ n: number }>(text)).rows[0]?.n ?? 0);
    const verified = await count("SELECT count(*)::int AS n FROM signatures WHERE verdict = 'verified'");
    if (verified !== ARTIFACTS) throw new Error(`expected ${ARTIFACTS} verified signatures after seeding, found ${verified}`);

    let allowed = 0;
    let denied = 0;
    const post = async (body: string) => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/v1/admission/review`, {
        method: "POST",
        headers: { authorization: `Bearer ${gate.secret}`, "content-type": "application/json" },
        body,
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
      const answer = JSON.parse(text) as { response: { allowed: boolean; status?: { message: string } } };
      if (answer.response.allowed) allowed++;
      else {
        denied++;
        if (denied === 1) console.error(`unexpected denial: ${answer.response.status?.message}`);
      }
      return ms;
    };
    // Each workload runs 5 distinct known artefacts; a pod is a replica of a random workload.
    const workloads = Array.from({ length: WORKLOADS }, (_, w) =>
      Array.from({ length: IMAGES_PER_POD }, (_, i) => digests[(w * IMAGES_PER_POD + i) % digests.length]!),
    );
    const pod = () => workloads[Math.floor(Math.random() * workloads.length)]!;

    // Warm-up: compile the route, fill caches and pools.
    for (let i = 0; i < 50; i++) await post(JSON.stringify(review(randomUUID(), pod())));
    allowed = 0;
    denied = 0;
    const before = await count("SELECT count(*)::int AS n FROM admission_decisions");

    // 1. Paced: one review every 1000/RATE ms, each timed from when it was due.
    const paced: number[] = [];
    const pacedStart = performance.now();
    const due = Array.from({ length: Math.round(SECONDS * RATE) }, (_, i) => pacedStart + (i * 1000) / RATE);
    const inFlight: Promise<void>[] = [];
    for (const at of due) {
      const wait = at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = JSON.stringify(review(randomUUID(), pod()));
      inFlight.push(post(body).then(() => void paced.push(performance.now() - at)));
    }
    await Promise.all(inFlight);
    const pacedElapsed = (performance.now() - pacedStart) / 1000;

    // 2. Saturation: CLIENTS back to back.
    const latencies: number[] = [];
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < deadline) latencies.push(await post(JSON.stringify(review(randomUUID(), pod()))));
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const total = paced.length + latencies.length;

    const { rows } = await pgc.query<{ n: number; p50: number; p99: number }>(
      `SELECT count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99
         FROM (SELECT duration_ms FROM admission_decisions ORDER BY decided_at DESC, id DESC LIMIT $1) d`,
      [total],
    );
    const after = await count("SELECT count(*)::int AS n FROM admission_decisions");
    await pgc.end();
    const recorded = after - before;
    const server50 = Number(rows[0]?.p50 ?? Number.NaN);
    const server99 = Number(rows[0]?.p99 ?? Number.NaN);

    const fmt = (p: number) => percentile(latencies, p).toFixed(1);
    const fmtPaced = (p: number) => percentile(paced, p).toFixed(1);
    const table = [
      [
        "paced",
        `${RATE} reviews/s for ${pacedElapsed.toFixed(1)} s (${paced.length.toLocaleString("en")} decisions), timed from when each was due`,
      ],
      [
        "paced decision time p50/p95/p99/max ms (HTTP)",
        `${fmtPaced(50)} / ${fmtPaced(95)} / ${fmtPaced(99)} / ${Math.max(...paced).toFixed(1)}`,
      ],
      [
        "saturation",
        `${CLIENTS} clients back to back, pods of ${IMAGES_PER_POD} digest-pinned images (${WORKLOADS} workloads, ${ARTIFACTS} known artefacts), ${elapsed.toFixed(1)} s`,
      ],
      ["decisions (both phases)", `${total.toLocaleString("en")} (allowed ${allowed}, denied ${denied}, recorded ${recorded})`],
      ["saturation decisions/s", (latencies.length / elapsed).toFixed(0)],
      ["saturation decision time p50/p95/p99/max ms (HTTP)", `${fmt(50)} / ${fmt(95)} / ${fmt(99)} / ${Math.max(...latencies).toFixed(1)}`],
      ["server-side decide time p50/p99 ms (row, both phases)", `${server50.toFixed(2)} / ${server99.toFixed(2)}`],
      ["server peak RSS", `${(server.peakRssBytes() / 1024 / 1024).toFixed(0)} MiB`],
      [
        "machine",
        `${availableParallelism()} CPUs, load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" / ")} (1/5/15 min)`,
      ],
    ];
    console.log("\nbench:admission (real Postgres, HTTP, this machine)");
    for (const [k, v] of table) console.log(`  ${k!.padEnd(44)} ${v}`);
    const p99 = percentile(paced, 99);
    console.log(
      `\nTarget: p99 < 50 ms for a pod of five images whose artefacts are known, at ${RATE} reviews/s: ${p99 < 50 ? "met" : "NOT met"} (${p99.toFixed(1)} ms).`,
    );
    console.log(
      JSON.stringify({
        bench: "admission",
        pacedRate: RATE,
        pacedP50Ms: +fmtPaced(50),
        pacedP95Ms: +fmtPaced(95),
        pacedP99Ms: +fmtPaced(99),
        clients: CLIENTS,
        decisions: total,
        decisionsPerSecond: Math.round(latencies.length / elapsed),
        p50Ms: +fmt(50),
        p95Ms: +fmt(95),
        p99Ms: +fmt(99),
        maxMs: +Math.max(...latencies).toFixed(1),
        serverDecideP99Ms: +server99.toFixed(2),
        peakRssMiB: Math.round(server.peakRssBytes() / 1024 / 1024),
      }),
    );
    if (denied > 0 || recorded !== total) {
      throw new Error(`every review should be allowed and recorded once: denied ${denied}, recorded ${recorded} of ${total}`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

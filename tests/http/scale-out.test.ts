// Scale-out (issue 8): two app instances against one Postgres, behind this test's own round-robin.
// Ingestion on both, one ledger chain, every queued job run exactly once, and one alert per
// (rule, subject, environment) even though both instances evaluate rules at the same time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { createToken } from "@/lib/server/tokens/create-token";
import { type AppServer, startAppServer } from "../helpers/app-server";
import { databaseKind, databaseUrl, resetDatabase, setupTestDatabase } from "../helpers/db";

const { db } = setupTestDatabase();
// The embedded database is one PGlite session in this test process: one app at a time by design.
const postgres = databaseKind() !== "embedded";
const servers: AppServer[] = [];
let token: string;

const CLIENTS = 4;
const BATCHES = 8;
const BATCH = 100;
const WORKLOADS = 40;

function published(client: number, n: number) {
  const hex = (client * 1_000_000 + n).toString(16).padStart(64, "0");
  return {
    context: {
      specversion: "0.5.1",
      id: `scale-${client}-${n}`,
      source: `/scale/${client}`,
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: { id: `pkg:oci/app${client}@sha256%3A${hex}?repository_url=registry.scale.test/app${client}&tag=v${n % 5}`, content: {} },
  };
}

function deployed(workload: number) {
  const hex = (9_000_000 + workload).toString(16).padStart(64, "0");
  return {
    context: {
      specversion: "0.5.1",
      id: `deploy-${workload}`,
      source: "/scale/argo",
      type: "dev.cdevents.service.deployed.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: {
      id: `w${workload}`,
      content: { environment: { id: "scale-prod" }, artifactId: `pkg:oci/svc@sha256%3A${hex}?repository_url=registry.scale.test/svc` },
    },
  };
}

async function post(server: AppServer, body: unknown) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${server.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if ((res.status === 429 || res.status === 503) && attempt < 20) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    return res;
  }
}

describe.runIf(postgres)("two instances against one Postgres", () => {
  beforeAll(async () => {
    await resetDatabase();
    token = (await createToken({ actor: { kind: "system", name: "test" }, input: { name: "scale", scopes: ["ingest"] }, now: new Date() }))
      .secret;
    const base = 3800 + Math.floor(Math.random() * 100) * 2;
    // A generous per-token budget: this test is about correctness, not the rate limit.
    const env = { VITRINE_INGEST_RATE_PER_MINUTE: "100000" };
    servers.push(await startAppServer({ databaseUrl: databaseUrl(), embedded: false, port: base, env }));
    servers.push(await startAppServer({ databaseUrl: databaseUrl(), embedded: false, port: base + 1, env }));
  }, 240_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("ingests on both, keeps one chain, runs each job once and opens each alert once", async () => {
    let request = 0;
    const next = () => servers[request++ % servers.length] as AppServer;
    const acknowledged = new Set<string>();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let b = 0; b < BATCHES; b++) {
          const batch = Array.from({ length: BATCH }, (_, i) => published(client, b * BATCH + i));
          const res = await post(next(), batch);
          expect(res.status, await res.clone().text()).toBeLessThan(300);
          const answer = (await res.json()) as { results: Array<{ id: string | null; status: string }> };
          for (const r of answer.results) if (r.status === "accepted" && r.id) acknowledged.add(r.id);
        }
      }),
    );
    // Unsigned deployments, half through each instance (and each sent twice, once to each).
    await Promise.all(
      Array.from({ length: WORKLOADS }, async (_, w) => {
        for (const server of servers) {
          const res = await post(server, deployed(w));
          expect([200, 201]).toContain(res.status);
        }
      }),
    );

    const total = CLIENTS * BATCHES * BATCH;
    expect(acknowledged.size).toBe(total);
    expect(await db().document.count({ where: { id: { in: [...acknowledged] } } })).toBe(total);
    expect(await db().deployment.count({ where: { environment: { name: "scale-prod" } } })).toBe(WORKLOADS);

    // The queued evaluations drain: every job done, none run twice.
    const deadline = Date.now() + 120_000;
    while ((await db().job.count({ where: { doneAt: null, failedAt: null } })) > 0) {
      if (Date.now() > deadline) throw new Error("the job queue did not drain within 120 s");
      await new Promise((r) => setTimeout(r, 500));
    }
    const jobs = await db().job.findMany({ select: { attempts: true, lockedBy: true, failedAt: true } });
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.filter((j) => j.failedAt !== null)).toEqual([]);
    expect(jobs.filter((j) => j.attempts !== 1)).toEqual([]);
    const workers = new Set(jobs.map((j) => j.lockedBy));
    console.info(`scale-out: ${jobs.length} jobs run by ${workers.size} worker(s); ${total} events acknowledged and stored once`);

    // One alert per workload, whichever instance evaluated it.
    const alerts = await db().alert.groupBy({
      by: ["dedupeKey"],
      where: { rule: "unsigned-deployed", environment: "scale-prod" },
      _count: true,
    });
    expect(alerts).toHaveLength(WORKLOADS);
    expect(alerts.every((a) => a._count === 1)).toBe(true);

    // One chain.
    const ledger = await verifyLedger();
    expect(ledger.valid).toBe(true);
    expect(ledger.entries).toBeGreaterThanOrEqual(total + WORKLOADS);
  }, 300_000);
});

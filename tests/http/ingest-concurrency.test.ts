// 10,000 events from 8 concurrent clients over HTTP, with duplicates and bad items mixed in:
// exactly the expected rows afterwards, and a ledger that verifies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { createToken } from "@/lib/server/tokens/create-token";
import { type AppServer, startAppServer } from "../helpers/app-server";
import { databaseKind, databaseUrl, resetDatabase, setupTestDatabase } from "../helpers/db";

const { db } = setupTestDatabase();
let server: AppServer;
let token: string;

const CLIENTS = 8;
const PER_CLIENT = 1250; // 10,000 distinct events in all
const BATCH = 250;

function event(client: number, n: number) {
  const hex = (client * 1_000_000 + n).toString(16).padStart(64, "0");
  return {
    context: {
      specversion: "0.5.1",
      id: `c${client}-${n}`,
      source: `/load/${client}`,
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: { id: `pkg:oci/app${client}@sha256%3A${hex}?repository_url=registry.load.test/app${client}&tag=v${n % 10}`, content: {} },
  };
}

const BAD = [
  {
    context: {
      specversion: "0.4.1",
      id: "old",
      source: "/x",
      type: "dev.cdevents.artifact.published.0.1.0",
      timestamp: "2026-01-01T00:00:00Z",
    },
    subject: { id: "x" },
  },
  {
    context: {
      specversion: "0.5.1",
      id: 7,
      source: "/x",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: "2026-01-01T00:00:00Z",
    },
    subject: { id: "x" },
  },
  {
    context: {
      specversion: "0.5.1",
      id: "upper",
      source: "/x",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: "2026-01-01T00:00:00Z",
    },
    subject: { id: `pkg:oci/app@sha256%3A${"A".repeat(64)}` },
  },
];

describe("concurrent ingestion over HTTP", () => {
  beforeAll(async () => {
    await resetDatabase();
    token = (await createToken({ actor: { kind: "system", name: "test" }, input: { name: "load", scopes: ["ingest"] }, now: new Date() }))
      .secret;
    server = await startAppServer({
      databaseUrl: databaseUrl(),
      embedded: databaseKind() === "embedded",
      port: 3400 + Math.floor(Math.random() * 400),
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("stores each of 10,000 events exactly once, with duplicates and bad items mixed in", async () => {
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let start = 0; start < PER_CLIENT; start += BATCH) {
          const items: unknown[] = Array.from({ length: Math.min(BATCH, PER_CLIENT - start) }, (_, i) => event(client, start + i));
          // Replays of this client's earlier events and of another client's, and bad items.
          if (start > 0) items.push(event(client, start - 1), event((client + 1) % CLIENTS, start - 1));
          items.push(BAD[(client + start) % BAD.length]);
          const res = await fetch(`${server.url}/api/v1/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify(items),
          });
          expect(res.status).toBe(200);
          const answer = (await res.json()) as { accepted: number; duplicates: number; rejected: number };
          accepted += answer.accepted;
          duplicates += answer.duplicates;
          rejected += answer.rejected;
        }
      }),
    );
    const batchesPerClient = Math.ceil(PER_CLIENT / BATCH);
    // Cross-client replays race the original: each is a duplicate or, if it arrived first, the accepted copy.
    expect(accepted).toBe(CLIENTS * PER_CLIENT);
    expect(duplicates).toBe(CLIENTS * (batchesPerClient - 1) * 2);
    expect(rejected).toBe(CLIENTS * batchesPerClient);
    expect(await db().document.count()).toBe(10_000);
    expect(await db().artifact.count()).toBe(10_000);
    expect(await db().ledgerEntry.count({ where: { kind: "document.accepted" } })).toBe(10_000);
    const verification = await verifyLedger();
    expect(verification.valid).toBe(true);
    expect(verification.entries).toBe(await db().ledgerEntry.count());
  }, 300_000);
});

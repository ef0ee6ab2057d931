// Killing the server (-9) in the middle of batches loses no acknowledged event and leaves no
// partial document: every stored document has its ledger entry and its artefact, or none of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { createToken } from "@/lib/server/tokens/create-token";
import { type AppServer, startAppServer } from "../helpers/app-server";
import { databaseKind, databaseUrl, resetDatabase, setupTestDatabase, withPg } from "../helpers/db";

const { db } = setupTestDatabase();
let server: AppServer | undefined;
let token: string;
const port = 3800 + Math.floor(Math.random() * 150);

function event(n: number) {
  const hex = n.toString(16).padStart(64, "0");
  return {
    context: {
      specversion: "0.5.1",
      id: `crash-${n}`,
      source: "/crash",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: { id: `pkg:oci/crash@sha256%3A${hex}?repository_url=registry.crash.test/crash&tag=t${n % 5}`, content: {} },
  };
}

describe("a server killed mid-batch", () => {
  beforeAll(async () => {
    await resetDatabase();
    token = (await createToken({ actor: { kind: "system", name: "test" }, input: { name: "crash", scopes: ["ingest"] }, now: new Date() }))
      .secret;
    server = await startAppServer({ databaseUrl: databaseUrl(), embedded: databaseKind() === "embedded", port });
  }, 180_000);
  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  it("keeps every acknowledged event and no partial document", async () => {
    const acknowledged = new Set<string>();
    let next = 0;
    let stop = false;
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const batch = Array.from({ length: 200 }, () => event(next++));
        try {
          const res = await fetch(`${server!.url}/api/v1/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify(batch),
          });
          if (res.ok) {
            const answer = (await res.json()) as { results: Array<{ index: number; status: string }> };
            for (const r of answer.results)
              if (r.status === "accepted" || r.status === "duplicate") acknowledged.add(batch[r.index]!.context.id);
          }
        } catch {
          // the connection died with the server: this batch was never acknowledged
        }
      }
    });
    // Kill it mid-flow: once batches are being acknowledged (a busy machine may take a while for the first), 1 s later.
    for (let waited = 0; acknowledged.size === 0 && waited < 90_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    await server!.stop("SIGKILL");
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.size).toBeGreaterThan(0);

    // Every acknowledged event is stored exactly once.
    const stored = await withPg(async (c) =>
      (await c.query<{ event_id: string }>("SELECT event_id FROM documents")).rows.map((r) => r.event_id),
    );
    expect(new Set(stored).size).toBe(stored.length);
    for (const id of acknowledged) expect(stored).toContain(id);
    // No partial document: each has its ledger entry and its artefact.
    const orphans = await withPg(
      async (c) =>
        (
          await c.query(
            `SELECT d.id FROM documents d
           LEFT JOIN ledger_entries l ON l.document_id = d.id AND l.kind = 'document.accepted'
           LEFT JOIN tag_history h ON h.document_id = d.id
           WHERE l.sequence IS NULL OR h.id IS NULL`,
          )
        ).rows,
    );
    expect(orphans).toEqual([]);
    expect(await db().artifact.count()).toBe(stored.length);
    expect((await verifyLedger()).valid).toBe(true);

    // After a restart the same events are duplicates, and ingestion goes on.
    server = await startAppServer({ databaseUrl: databaseUrl(), embedded: databaseKind() === "embedded", port });
    const replay = await fetch(`${server.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify([...acknowledged].slice(0, 50).map((id) => event(Number(id.replace("crash-", ""))))),
    });
    const answer = (await replay.json()) as { duplicates: number };
    expect(answer.duplicates).toBe(Math.min(50, acknowledged.size));
  }, 300_000);
});

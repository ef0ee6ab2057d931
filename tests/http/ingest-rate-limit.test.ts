// Per-token ingestion budget: over it, 429 problem+json with Retry-After; other tokens unaffected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "@/lib/server/tokens/create-token";
import { type AppServer, startAppServer } from "../helpers/app-server";
import { databaseKind, databaseUrl, resetDatabase, setupTestDatabase } from "../helpers/db";

const { db } = setupTestDatabase();
let server: AppServer;

function event(id: string) {
  return {
    context: {
      specversion: "0.5.1",
      id,
      source: "/rate",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: "2026-11-20T10:00:00Z",
    },
    subject: { id: `pkg:oci/app@sha256%3A${id.padStart(64, "0")}?repository_url=registry.rate.test/app`, content: {} },
  };
}

async function post(token: string, id: string) {
  return fetch(`${server.url}/api/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(event(id)),
  });
}

describe("per-token ingestion rate limit", () => {
  beforeAll(async () => {
    await resetDatabase();
    server = await startAppServer({
      databaseUrl: databaseUrl(),
      embedded: databaseKind() === "embedded",
      port: 3990 + Math.floor(Math.random() * 9),
      env: { VITRINE_INGEST_RATE_PER_MINUTE: "3" },
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("answers 429 with Retry-After past the budget, stores nothing from refused requests, and spares other tokens", async () => {
    const system = { kind: "system", name: "test" } as const;
    const a = (await createToken({ actor: system, input: { name: "a", scopes: ["ingest"] }, now: new Date() })).secret;
    const b = (await createToken({ actor: system, input: { name: "b", scopes: ["ingest"] }, now: new Date() })).secret;
    const statuses: number[] = [];
    for (const id of ["a1", "a2", "a3", "a4", "a5"]) statuses.push((await post(a, id)).status);
    // The minute window may roll over between requests: at most 3 of any 5 in one window succeed.
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(3);
    const refused = await post(a, "a6");
    if (refused.status === 429) {
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await refused.json()) as { code: string }).code).toBe("rate_limited");
    }
    expect([...statuses, refused.status]).toContain(429);
    expect((await post(b, "b1")).status).toBe(201);
    const stored = await db().document.count();
    expect(stored).toBe([...statuses, refused.status].filter((s) => s === 201).length + 1);
  }, 60_000);
});

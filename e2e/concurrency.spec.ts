// Many principals at once, reads beside writes: every concurrent request must get the answer for
// its own principal.
//
// A regression test for the embedded database (no DATABASE_URL): PGlite is served through
// @electric-sql/pglite-socket, whose queue serialises single protocol messages, not whole
// Parse/Bind/Execute/Sync batches (upstream electric-sql/pglite#1046). With several pool
// connections one request's Parse overwrote another's unnamed statement: signed-in users were
// looked up as nobody (401, redirect to /signin) or got a 500 ("bind message supplies 3
// parameters, but prepared statement requires 4"). scripts/start.ts (and scripts/e2e-server.ts)
// now give the app one connection on embedded; with VITRINE_DB_POOL_MAX above 1 this test fails.
import { type APIRequestContext, expect, test } from "@playwright/test";
import { E2E_ROLES, type E2eRole } from "./fixtures";
import { createToken, sessionContext, tokenContext } from "./support/api";
import { artifactPublished, uniqueName } from "./support/events";

const LEDGER_ROLES: E2eRole[] = ["admin", "security", "compliance", "oncall"];
const ROUNDS = 20;

test("concurrent requests from different principals each get their own answer", async () => {
  test.setTimeout(120_000);
  const contexts: APIRequestContext[] = [];
  try {
    type Probe = { who: string; ctx: APIRequestContext; method: "GET" | "POST"; path: string; want: number; body?: () => unknown };
    const probes: Probe[] = [];
    for (const role of E2E_ROLES) {
      const ctx = await sessionContext(role);
      contexts.push(ctx);
      const ledger = LEDGER_ROLES.includes(role);
      probes.push({ who: role, ctx, method: "GET", path: "/api/v1/ledger/entries?limit=1", want: ledger ? 200 : 403 });
      probes.push({ who: role, ctx, method: "GET", path: "/ledger", want: ledger ? 200 : 403 });
      probes.push({ who: role, ctx, method: "GET", path: "/artifacts", want: 200 });
    }
    const reader = await tokenContext((await createToken(["read"], "e2e concurrency read")).secret);
    const ingest = await tokenContext((await createToken(["ingest"], "e2e concurrency ingest")).secret);
    contexts.push(reader, ingest);
    probes.push({ who: "token:read", ctx: reader, method: "GET", path: "/api/v1/artifacts?limit=1", want: 200 });
    probes.push({ who: "token:ingest", ctx: ingest, method: "GET", path: "/api/v1/artifacts?limit=1", want: 403 });
    // Writes in transactions beside the reads: each round records one new artefact.
    probes.push({
      who: "token:ingest",
      ctx: ingest,
      method: "POST",
      path: "/api/v1/events",
      want: 201,
      body: () => artifactPublished({ name: uniqueName("e2e-conc") }).event,
    });
    const wrong: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        probes.map(async (p) => {
          const res = await p.ctx.fetch(p.path, {
            method: p.method,
            maxRedirects: 0,
            ...(p.body ? { data: Buffer.from(JSON.stringify(p.body())), headers: { "content-type": "application/json" } } : {}),
          });
          if (res.status() !== p.want) wrong.push(`round ${round}: ${p.who} ${p.method} ${p.path} -> ${res.status()}, expected ${p.want}`);
        }),
      );
    }
    expect(wrong, `${wrong.length} of ${ROUNDS * probes.length} concurrent requests got another principal's answer`).toEqual([]);
  } finally {
    for (const ctx of contexts) await ctx.dispose();
  }
});

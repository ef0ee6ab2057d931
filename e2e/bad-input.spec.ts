// Bad input to POST /api/v1/events: every answer is a 4xx application/problem+json with a
// requestId (never a 500), field errors name their JSON path, and nothing of a refused request is
// stored (no artefact, no ledger entry). Each test uses its own ingest token, so "what did this
// token write to the ledger" is exact even while other specs ingest in parallel.
import { randomUUID } from "node:crypto";
import { type APIRequestContext, test as base, expect } from "@playwright/test";
import { BASE_URL } from "./fixtures";
import { type CreatedToken, createToken, expectProblem, ledgerEntriesAfter, ledgerHead, tokenContext } from "./support/api";
import { artifactPublished, type CdEvent, type ItemResult, postEvents, randomHex64, uniqueName } from "./support/events";

type Ingest = { ctx: APIRequestContext; token: CreatedToken; marker: string; headBefore: bigint };

const test = base.extend<{ reader: APIRequestContext; ingest: Ingest }>({
  reader: async ({ playwright }, use) => {
    const token = await createToken(["read"]);
    const ctx = await playwright.request.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { authorization: `Bearer ${token.secret}` } });
    await use(ctx);
    await ctx.dispose();
  },
  ingest: async ({ reader }, use) => {
    const token = await createToken(["ingest"]);
    const ctx = await tokenContext(token.secret);
    await use({ ctx, token, marker: uniqueName("e2e-bad"), headBefore: await ledgerHead(reader) });
    await ctx.dispose();
  },
});

/** A valid event for an artefact named after the test's marker (so a search finds anything stored). */
function eventFor(marker: string, suffix = "x"): CdEvent {
  return artifactPublished({ name: `${marker}-${suffix}` }).event;
}

/** What the test's token wrote: the artefacts named after its marker, and its ledger entries. */
async function storedBy(reader: APIRequestContext, ingest: Ingest) {
  const res = await reader.get("/api/v1/artifacts", { params: { q: ingest.marker } });
  expect(res.status(), await res.text()).toBe(200);
  const artifacts = ((await res.json()) as { items: Array<{ digest: string }> }).items.map((a) => a.digest);
  const ledger = (await ledgerEntriesAfter(reader, ingest.headBefore)).filter((e) => e.actor === `token:${ingest.token.id}`);
  return { artifacts, ledger };
}

async function expectNothingStored(reader: APIRequestContext, ingest: Ingest): Promise<void> {
  expect(await storedBy(reader, ingest)).toEqual({ artifacts: [], ledger: [] });
}

test("malformed JSON: 400", async ({ ingest, reader }) => {
  const res = await postEvents(ingest.ctx, `{"context": {"id": "${ingest.marker}"`);
  const problem = await expectProblem(res, 400);
  expect(problem.detail).toMatch(/JSON/);
  await expectNothingStored(reader, ingest);
});

test("not an object (a JSON number): 422 at $", async ({ ingest, reader }) => {
  const problem = await expectProblem(await postEvents(ingest.ctx, "42"), 422);
  expect(problem.errors?.map((e) => e.path)).toContain("$");
  await expectNothingStored(reader, ingest);
});

test("wrong types: 422 naming each JSON path", async ({ ingest, reader }) => {
  const event = eventFor(ingest.marker) as unknown as { context: Record<string, unknown> };
  event.context.id = 12345;
  event.context.timestamp = "yesterday";
  const problem = await expectProblem(await postEvents(ingest.ctx, event), 422);
  const paths = problem.errors?.map((e) => e.path) ?? [];
  expect(paths).toContain("$.context.id");
  expect(paths).toContain("$.context.timestamp");
  for (const e of problem.errors ?? []) expect(e.message.length).toBeGreaterThan(0);
  await expectNothingStored(reader, ingest);
});

test("a missing subject: 422 at $.subject", async ({ ingest, reader }) => {
  const { subject: _drop, ...event } = eventFor(ingest.marker);
  const problem = await expectProblem(await postEvents(ingest.ctx, event), 422);
  expect(problem.errors?.map((e) => e.path)).toContain("$.subject");
  await expectNothingStored(reader, ingest);
});

test("an unsupported CDEvents spec version: 422 at $.context.specversion", async ({ ingest, reader }) => {
  const event = eventFor(ingest.marker);
  event.context.specversion = "0.4.1";
  const problem = await expectProblem(await postEvents(ingest.ctx, event), 422);
  expect(problem.errors?.map((e) => e.path)).toContain("$.context.specversion");
  await expectNothingStored(reader, ingest);
});

for (const [label, hex] of [
  ["uppercase hex", randomHex64().toUpperCase()],
  ["63 hex characters", randomHex64().slice(1)],
  ["65 hex characters", `${randomHex64()}a`],
  ["not hex", `${randomHex64().slice(2)}zz`],
] as const) {
  test(`an invalid digest in the purl (${label}): 422 at $.subject.id, never "fixed"`, async ({ ingest, reader }) => {
    const event = artifactPublished({ name: `${ingest.marker}-digest`, hex }).event;
    const problem = await expectProblem(await postEvents(ingest.ctx, event), 422);
    expect(problem.errors?.map((e) => e.path)).toContain("$.subject.id");
    await expectNothingStored(reader, ingest);
    // Not stored under the lowercased digest either.
    const lower = await reader.get("/api/v1/artifacts", { params: { q: `sha256:${hex.toLowerCase().slice(0, 40)}` } });
    expect(((await lower.json()) as { items: unknown[] }).items).toEqual([]);
  });
}

test("a 10 MB body with Content-Length: 413", async ({ ingest, reader }) => {
  const event = eventFor(ingest.marker) as unknown as { subject: { content: Record<string, unknown> } };
  event.subject.content.padding = "x".repeat(10 * 1024 * 1024);
  const problem = await expectProblem(await postEvents(ingest.ctx, event), 413);
  expect(problem.detail).toMatch(/limit/);
  await expectNothingStored(reader, ingest);
});

test("a 10 MB body streamed without Content-Length: 413", async ({ ingest, reader }) => {
  const head = new TextEncoder().encode(`{"context":{"id":"${ingest.marker}"},"pad":"`);
  const chunk = new Uint8Array(1024 * 1024).fill(0x78);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(head);
      if (sent >= 10) {
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
        return;
      }
      sent++;
      controller.enqueue(chunk);
    },
  });
  const res = await fetch(`${BASE_URL}/api/v1/events`, {
    method: "POST",
    body,
    duplex: "half",
    headers: { authorization: `Bearer ${ingest.token.secret}`, "content-type": "application/json" },
  } as RequestInit & { duplex: "half" });
  expect(res.status).toBe(413);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const problem = (await res.json()) as { requestId?: string; status: number };
  expect(problem.status).toBe(413);
  expect(problem.requestId).toBe(res.headers.get("x-request-id"));
  await expectNothingStored(reader, ingest);
});

for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
  test(`wrong content type (${type}): 415`, async ({ ingest, reader }) => {
    const res = await postEvents(ingest.ctx, eventFor(ingest.marker), { "content-type": type });
    const problem = await expectProblem(res, 415);
    expect(problem.detail).toContain(type);
    await expectNothingStored(reader, ingest);
  });
}

test("no token: 401 with WWW-Authenticate", async ({ ingest, reader, playwright }) => {
  const anonymous = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const res = await postEvents(anonymous, eventFor(ingest.marker));
    await expectProblem(res, 401);
    expect(res.headers()["www-authenticate"]).toMatch(/^Bearer/);
  } finally {
    await anonymous.dispose();
  }
  await expectNothingStored(reader, ingest);
});

for (const authorization of ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer vtr_not-a-real-token", `Bearer vtr_${"A".repeat(43)}`]) {
  test(`a bad Authorization header (${authorization.slice(0, 20)}): 401`, async ({ ingest, reader, playwright }) => {
    const ctx = await playwright.request.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { authorization } });
    try {
      await expectProblem(await postEvents(ctx, eventFor(ingest.marker)), 401);
    } finally {
      await ctx.dispose();
    }
    await expectNothingStored(reader, ingest);
  });
}

test("a read-scoped token: 403", async ({ ingest, reader }) => {
  const problem = await expectProblem(await postEvents(reader, eventFor(ingest.marker)), 403);
  expect(problem.detail).toMatch(/ingest/);
  await expectNothingStored(reader, ingest);
});

test("an empty array: 422", async ({ ingest, reader }) => {
  await expectProblem(await postEvents(ingest.ctx, []), 422);
  await expectNothingStored(reader, ingest);
});

test("1001 items: 422, and none of the (valid) items is stored", async ({ ingest, reader }) => {
  const batch = Array.from({ length: 1001 }, (_, i) => eventFor(ingest.marker, String(i)));
  const problem = await expectProblem(await postEvents(ingest.ctx, batch), 422);
  expect(problem.detail).toMatch(/1000/);
  await expectNothingStored(reader, ingest);
});

test("Idempotency-Key on a batch: 400", async ({ ingest, reader }) => {
  const batch = [eventFor(ingest.marker, "1"), eventFor(ingest.marker, "2")];
  const res = await postEvents(ingest.ctx, batch, { "idempotency-key": randomUUID() });
  await expectProblem(res, 400);
  await expectNothingStored(reader, ingest);
});

test("a batch mixing good and bad items: 200 with a result per item; only the good ones are stored", async ({ ingest, reader }) => {
  const good1 = artifactPublished({ name: `${ingest.marker}-good1` });
  const good2 = artifactPublished({ name: `${ingest.marker}-good2` });
  const badType = eventFor(ingest.marker, "bad1") as unknown as { context: Record<string, unknown> };
  badType.context.id = 42;
  const badDigest = artifactPublished({ name: `${ingest.marker}-bad2`, hex: randomHex64().toUpperCase() }).event;
  const batch = [good1.event, badType, good2.event, badDigest, good1.event];
  const res = await postEvents(ingest.ctx, batch);
  expect(res.status(), await res.text()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/json/);
  const answer = (await res.json()) as { accepted: number; duplicates: number; rejected: number; results: ItemResult[] };
  expect(answer).toMatchObject({ accepted: 2, duplicates: 1, rejected: 2 });
  expect(answer.results.map((r) => [r.index, r.status])).toEqual([
    [0, "accepted"],
    [1, "rejected"],
    [2, "accepted"],
    [3, "rejected"],
    [4, "duplicate"],
  ]);
  const [r0, r1, r2, r3, r4] = answer.results;
  expect(r0?.artifact).toBe(good1.digest);
  expect(r2?.artifact).toBe(good2.digest);
  expect(r4?.id).toBe(r0?.id);
  // A rejected item names its bad fields (relative to the item, or to the batch).
  expect(r1?.problem?.errors.map((e) => e.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^\$(\[1\])?\.context\.id$/)]));
  expect(r3?.problem?.errors.map((e) => e.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^\$(\[3\])?\.subject\.id$/)]));
  expect(r1?.id).toBeNull();

  const stored = await storedBy(reader, ingest);
  expect(stored.artifacts.sort()).toEqual([good1.digest, good2.digest].sort());
  expect(stored.ledger.map((e) => e.kind)).toEqual(["document.accepted", "document.accepted"]);
  expect(stored.ledger.map((e) => e.documentId).sort()).toEqual([r0?.id, r2?.id].sort());

  const verify = await reader.get("/api/v1/ledger/verify");
  expect(await verify.json()).toMatchObject({ valid: true, firstBrokenSequence: null });
});

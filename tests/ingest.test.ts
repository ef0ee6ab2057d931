// Ingesting CDEvents: documents stored verbatim and content-addressed, the domain updated, one
// ledger entry per accepted document, duplicates answered with the original, batches atomic.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/api/errors";
import type { TokenActor } from "@/lib/auth/actor";
import { ingestEvents } from "@/lib/server/ingest/ingest-events";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { createToken } from "@/lib/server/tokens/create-token";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";
import { fixtureBytes } from "./helpers/fixtures";

const { db } = setupTestDatabase();

const REPO = "registry.acme.dev/payments/api";
const T0 = new Date("2026-11-25T10:00:00.000Z");
const digestOf = (label: string) => `sha256:${createHash("sha256").update(label).digest("hex")}`;
const D1 = digestOf("one");
const D2 = digestOf("two");
const D3 = digestOf("three");

type EventOptions = { id?: string; source?: string; digest?: string | null; repository?: string; tag?: string | null; at?: string };

/** An artifact.published CDEvent (v0.5.1) naming an OCI artefact by purl. */
function published(o: EventOptions = {}) {
  const repository = o.repository ?? REPO;
  const qualifiers = `repository_url=${repository}${o.tag ? `&tag=${o.tag}` : ""}`;
  const version = o.digest === null ? "" : `@${(o.digest ?? D1).replace(":", "%3A")}`;
  return {
    context: {
      specversion: "0.5.1",
      id: o.id ?? "evt-1",
      source: o.source ?? "/ci/pipeline",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: o.at ?? "2026-11-25T09:00:00Z",
    },
    subject: { id: `pkg:oci/api${version}?${qualifiers}`, source: "/ci/pipeline", content: { user: "ci-bot" } },
  };
}

let actor: TokenActor;

async function ingest(body: unknown, options: { raw?: Buffer; idempotencyKey?: string | null; now?: Date } = {}) {
  return ingestEvents({
    actor,
    rawBody: options.raw ?? Buffer.from(JSON.stringify(body, null, 2)),
    contentType: "application/json",
    idempotencyKey: options.idempotencyKey ?? null,
    now: options.now ?? T0,
  });
}

/** The digest the recorded history says a tag pointed at, at `at` (intervals are [validFrom, validTo)). */
async function digestAt(reference: string, at: Date): Promise<string | null> {
  const rows = await db().tagHistory.findMany({
    where: { tag: { reference }, validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] },
    orderBy: { validFrom: "desc" },
  });
  expect(rows.length, `${reference} at ${at.toISOString()} matches ${rows.length} intervals`).toBeLessThanOrEqual(1);
  return rows[0]?.digest ?? null;
}

async function counts() {
  return {
    documents: await db().document.count(),
    artifacts: await db().artifact.count(),
    names: await db().artifactName.count(),
    tags: await db().tag.count(),
    history: await db().tagHistory.count(),
    ledger: await db().ledgerEntry.count(),
  };
}

describe("ingestEvents", () => {
  beforeEach(async () => {
    await resetDatabase();
    const token = await createToken({ actor: { kind: "system", name: "test" }, input: { name: "ci", scopes: ["ingest"] }, now: T0 });
    actor = { kind: "token", id: token.id, name: token.name, scopes: token.scopes };
  });

  it("stores one event: the document byte for byte, the artefact, its name, the tag, and one ledger entry", async () => {
    // Deliberately odd formatting: the stored body must be these bytes, not a re-serialisation.
    const raw = Buffer.from(
      `{ "subject": ${JSON.stringify(published({ tag: "1.4.0" }).subject)},\n\t"context":${JSON.stringify(published().context)}  }\n`,
    );
    const { single, answer } = await ingest(null, { raw });
    expect(single).toBe(true);
    expect(answer).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    expect(answer.results).toEqual([{ index: 0, id: expect.any(String), status: "accepted", artifact: D1 }]);
    const id = answer.results[0]?.id as string;

    const doc = await db().document.findUniqueOrThrow({ where: { id }, include: { content: true } });
    expect(Buffer.from(doc.content!.body).equals(raw)).toBe(true);
    expect(doc).toMatchObject({
      sha256: createHash("sha256").update(raw).digest("hex"),
      sizeBytes: raw.byteLength,
      format: "cdevents",
      contentType: "application/json",
      eventId: "evt-1",
      eventSource: "/ci/pipeline",
      tokenId: actor.id,
      idempotencyKey: null,
      receivedAt: T0,
    });

    const artifact = await db().artifact.findUniqueOrThrow({ where: { digest: D1 }, include: { names: true } });
    expect(artifact).toMatchObject({ digest: D1, kind: "oci_image", firstSeenAt: T0 });
    expect(artifact.names.map((n) => n.name)).toEqual([REPO]);
    expect(artifact.names[0]?.purl).toMatch(/^pkg:oci\/api@sha256%3A/);

    const tag = await db().tag.findUniqueOrThrow({ where: { reference: `${REPO}:1.4.0` }, include: { history: true } });
    expect(tag).toMatchObject({ repository: REPO, name: "1.4.0" });
    expect(tag.history).toEqual([
      expect.objectContaining({
        digest: D1,
        artifactId: artifact.id,
        validFrom: new Date("2026-11-25T09:00:00Z"),
        validTo: null,
        documentId: id,
      }),
    ]);

    const entries = await db().ledgerEntry.findMany({ where: { kind: { not: "token.created" } } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: "document.accepted",
      actor: `token:${actor.id}`,
      subject: `artifact:${D1}`,
      documentId: id,
      payload: expect.objectContaining({ sha256: `sha256:${doc.sha256}`, format: "cdevents", eventId: "evt-1", source: "/ci/pipeline" }),
    });
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 2 });
  });

  it("keeps the conformance fixture (a purl without a digest) as evidence, with no artefact", async () => {
    const raw = fixtureBytes("cdevents", "conformance", "artifact_published.json");
    const { answer } = await ingest(null, { raw });
    expect(answer.accepted).toBe(1);
    const [result] = answer.results;
    expect(result).toMatchObject({ status: "accepted", artifact: null });
    expect(result?.notes?.join(" ")).toMatch(/evidence/);
    const doc = await db().document.findUniqueOrThrow({ where: { id: result?.id as string }, include: { content: true } });
    expect(Buffer.from(doc.content!.body).equals(raw)).toBe(true);
    expect(await counts()).toMatchObject({ documents: 1, artifacts: 0, tags: 0, history: 0, ledger: 2 });
    expect((await db().ledgerEntry.findFirstOrThrow({ where: { kind: "document.accepted" } })).subject).toBeNull();
  });

  describe("duplicates", () => {
    let originalId: string;
    let before: Awaited<ReturnType<typeof counts>>;

    beforeEach(async () => {
      const { answer } = await ingest(published({ tag: "1.0" }), { idempotencyKey: "key-1" });
      originalId = answer.results[0]?.id as string;
      before = await counts();
    });

    it("the same bytes again", async () => {
      const { answer } = await ingest(published({ tag: "1.0" }));
      expect(answer).toEqual({ accepted: 0, duplicates: 1, rejected: 0, results: [{ index: 0, id: originalId, status: "duplicate" }] });
      expect(await counts()).toEqual(before);
    });

    it("the same context.id and source in other bytes", async () => {
      const other = published({ tag: "1.0", at: "2026-11-25T09:30:00Z", digest: D2 });
      const { answer } = await ingest(other, { raw: Buffer.from(JSON.stringify(other)) });
      expect(answer.results).toEqual([{ index: 0, id: originalId, status: "duplicate" }]);
      expect(await counts()).toEqual(before);
      // The duplicate did not move the tag.
      expect(await db().tagHistory.findMany({ where: { validTo: null } })).toEqual([expect.objectContaining({ digest: D1 })]);
    });

    it("the same Idempotency-Key with another event", async () => {
      const { answer } = await ingest(published({ id: "evt-2", digest: D2 }), { idempotencyKey: "key-1" });
      expect(answer.results).toEqual([{ index: 0, id: originalId, status: "duplicate" }]);
      expect(await counts()).toEqual(before);
    });

    it("but not the same id from another source", async () => {
      const { answer } = await ingest(published({ source: "/another/pipeline" }));
      expect(answer.results[0]).toMatchObject({ status: "accepted" });
      expect(answer.results[0]?.id).not.toBe(originalId);
      expect((await counts()).documents).toBe(before.documents + 1);
    });

    it("the same event sent concurrently is stored once", async () => {
      const doc = published({ id: "evt-concurrent", digest: D3 });
      const answers = await Promise.all(Array.from({ length: 6 }, () => ingest(doc)));
      const statuses = answers.map((a) => a.answer.results[0]?.status).sort();
      expect(statuses).toEqual(["accepted", "duplicate", "duplicate", "duplicate", "duplicate", "duplicate"]);
      expect(new Set(answers.map((a) => a.answer.results[0]?.id)).size).toBe(1);
      expect((await counts()).documents).toBe(before.documents + 1);
      expect(await verifyLedger()).toMatchObject({ valid: true });
    });
  });

  describe("batches", () => {
    it("stores exactly the valid items, answering each one by index", async () => {
      const bad1 = { ...published({ id: "bad-1" }), context: { ...published().context, specversion: "0.4.1" } };
      const bad2 = { ...published({ id: "bad-2" }), context: { ...published().context, id: 42 } };
      // An uppercase digest is refused, never lowercased.
      const upper = published({ id: "upper", digest: `sha256:${D3.slice(7).toUpperCase()}` });
      const batch = [published({ id: "a", digest: D1, tag: "1.0" }), bad1, published({ id: "b", digest: D2 }), "not an event", bad2, upper];
      const { single, answer } = await ingest(batch);
      expect(single).toBe(false);
      expect(answer).toMatchObject({ accepted: 2, duplicates: 0, rejected: 4 });
      expect(answer.results.map((r) => [r.index, r.status])).toEqual([
        [0, "accepted"],
        [1, "rejected"],
        [2, "accepted"],
        [3, "rejected"],
        [4, "rejected"],
        [5, "rejected"],
      ]);
      expect(answer.results[5]?.problem?.errors).toEqual([{ path: "$.subject.id", message: "purl version: digest hex must be lowercase" }]);
      expect(answer.results[1]?.problem?.errors).toEqual([{ path: "$.context.specversion", message: "must be 0.5.x" }]);
      expect(answer.results[3]?.problem?.errors).toEqual([{ path: "$", message: "must be an object" }]);
      expect(answer.results[4]?.problem?.errors.map((e) => e.path)).toContain("$.context.id");
      for (const r of answer.results.filter((x) => x.status === "rejected")) expect(r.id).toBeNull();

      expect(await counts()).toMatchObject({ documents: 2, artifacts: 2, ledger: 3 });
      // A batch item is kept as its own JSON text.
      const doc = await db().document.findUniqueOrThrow({ where: { id: answer.results[0]?.id as string }, include: { content: true } });
      // A batch item is stored exactly as it was written inside the batch (here: pretty-printed, indented).
      const asSent = JSON.stringify(batch[0], null, 2).replace(/\n/g, "\n  ");
      expect(Buffer.from(doc.content!.body).toString("utf8")).toBe(asSent);
      expect(doc.sha256).toBe(createHash("sha256").update(Buffer.from(doc.content!.body)).digest("hex"));
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 3 });
    });

    it("answers a repeat within the same batch as a duplicate of the first", async () => {
      const e = published({ id: "same" });
      const { answer } = await ingest([e, e, { ...e, context: { ...e.context, timestamp: "2026-11-25T09:00:01Z" } }]);
      const [first, second, third] = answer.results;
      expect(first).toMatchObject({ status: "accepted" });
      expect(second).toEqual({ index: 1, id: first?.id, status: "duplicate" });
      expect(third).toEqual({ index: 2, id: first?.id, status: "duplicate" });
      expect((await counts()).documents).toBe(1);
    });

    it("stores nothing of a batch whose storage fails part-way (one transaction)", async () => {
      // A database-level failure on the second item, injected with a trigger for this test only.
      await withPg(async (c) => {
        await c.query(`CREATE FUNCTION vitrine_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.event_id = 'boom' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
        await c.query(`CREATE TRIGGER vitrine_test_boom BEFORE INSERT ON "documents" FOR EACH ROW EXECUTE FUNCTION vitrine_test_boom()`);
      });
      try {
        await expect(
          ingest([
            published({ id: "ok-1", digest: D1, tag: "1.0" }),
            published({ id: "boom", digest: D2 }),
            published({ id: "ok-3", digest: D3 }),
          ]),
        ).rejects.toThrow(/injected failure/);
        expect(await counts()).toMatchObject({ documents: 0, artifacts: 0, names: 0, tags: 0, history: 0, ledger: 1 });
        expect(await verifyLedger()).toMatchObject({ valid: true, entries: 1 });
      } finally {
        await withPg(async (c) => {
          await c.query(`DROP TRIGGER vitrine_test_boom ON "documents"`);
          await c.query(`DROP FUNCTION vitrine_test_boom()`);
        });
      }
    });

    it("refuses 1,001 items as a whole and stores nothing", async () => {
      const batch = Array.from({ length: 1001 }, (_, i) => published({ id: `e-${i}` }));
      const error = await ingest(batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("unprocessable");
      expect((error as AppError).message).toContain("1000");
      expect((await counts()).documents).toBe(0);
    });

    it("takes 1,000 items", async () => {
      // 999 cheap refusals and one good event: the limit itself is what is tested.
      const batch: unknown[] = Array.from({ length: 999 }, (_, i) => ({ nope: i }));
      batch.push(published({ id: "last" }));
      const { answer } = await ingest(batch);
      expect(answer).toMatchObject({ accepted: 1, rejected: 999 });
      expect(answer.results).toHaveLength(1000);
      expect(answer.results[999]).toMatchObject({ index: 999, status: "accepted" });
    });

    it("refuses an empty batch", async () => {
      await expect(ingest([])).rejects.toMatchObject({ code: "unprocessable" });
    });

    it("refuses an Idempotency-Key on a batch", async () => {
      await expect(ingest([published({ id: "x" }), published({ id: "y" })], { idempotencyKey: "k" })).rejects.toMatchObject({
        code: "bad_request",
      });
      expect((await counts()).documents).toBe(0);
    });

    it.each([
      ["empty", Buffer.alloc(0)],
      ["not JSON", Buffer.from("{ nope")],
      ["not UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ])("refuses a body that is %s with bad_request", async (_label, raw) => {
      await expect(ingest(null, { raw })).rejects.toMatchObject({ code: "bad_request" });
    });
  });

  // Bug: text Postgres cannot store (a NUL character, a lone UTF-16 surrogate) passes the JSON
  // Schema, then fails inside the storing transaction: the whole request throws (a 500) and the
  // valid items of the batch are lost. DESIGN.md: bad input gets a 4xx naming the JSON path,
  // never a 500. Such an item must be rejected on its own, with its path.
  it.each([
    ["a NUL character", "evt-\u0000-nul"],
    ["a lone surrogate", "evt-\ud800-surrogate"],
  ])("rejects an event id containing %s as a bad item, and stores the rest", async (_label, badId) => {
    const batch = [published({ id: "fine-1", digest: D1 }), published({ id: badId, digest: D2 }), published({ id: "fine-3", digest: D3 })];
    const result = await ingest(batch).catch((e: unknown) => e);
    expect(result, String(result)).not.toBeInstanceOf(Error);
    const { answer } = result as Awaited<ReturnType<typeof ingest>>;
    expect(answer.results.map((r) => r.status)).toEqual(["accepted", "rejected", "accepted"]);
    expect(answer.results[1]?.problem?.errors.map((e) => e.path)).toContain("$.context.id");
    expect(await verifyLedger()).toMatchObject({ valid: true });
  });

  describe("tag history", () => {
    const at = (h: number) => `2026-11-25T${String(h).padStart(2, "0")}:00:00Z`;
    const history = () => db().tagHistory.findMany({ where: { tag: { reference: `${REPO}:latest` } }, orderBy: { validFrom: "asc" } });

    it("closes the previous interval and opens a new one when the tag moves to another digest", async () => {
      await ingest(published({ id: "p1", digest: D1, tag: "latest", at: at(1) }));
      const { answer } = await ingest(published({ id: "p2", digest: D2, tag: "latest", at: at(2) }));
      expect(answer.results[0]?.notes?.join(" ")).toContain(`moved from ${D1} to ${D2}`);
      expect((await history()).map((h) => [h.digest, h.validFrom.toISOString(), h.validTo?.toISOString() ?? null])).toEqual([
        [D1, new Date(at(1)).toISOString(), new Date(at(2)).toISOString()],
        [D2, new Date(at(2)).toISOString(), null],
      ]);
      expect(await db().tag.count()).toBe(1);
    });

    it("does not open a new interval when the tag is published again at the same digest", async () => {
      await ingest(published({ id: "p1", digest: D1, tag: "latest", at: at(1) }));
      await ingest(published({ id: "p2", digest: D1, tag: "latest", at: at(2) }));
      expect((await history()).map((h) => [h.digest, h.validTo])).toEqual([[D1, null]]);
    });

    it("tracks each tag of a repository on its own", async () => {
      await ingest(published({ id: "p1", digest: D1, tag: "latest", at: at(1) }));
      await ingest(published({ id: "p2", digest: D2, tag: "1.5.0", at: at(2) }));
      expect((await history()).map((h) => [h.digest, h.validTo])).toEqual([[D1, null]]);
      expect(await db().tag.count()).toBe(2);
    });

    it("resolves the digest a tag pointed at, at a given time", async () => {
      await ingest(published({ id: "p1", digest: D1, tag: "latest", at: at(1) }));
      await ingest(published({ id: "p2", digest: D2, tag: "latest", at: at(3) }));
      const resolve = (h: number) => digestAt(`${REPO}:latest`, new Date(at(h)));
      expect(await resolve(0)).toBeNull();
      expect(await resolve(1)).toBe(D1);
      expect(await resolve(2)).toBe(D1);
      expect(await resolve(3)).toBe(D2);
      expect(await resolve(9)).toBe(D2);
    });

    // Bug: an event delivered late (older than the tag's current interval) closes the current
    // interval and opens a new current one from its older time, so the tag "now" resolves to the
    // stale digest and intervals overlap. Webhooks and retries deliver out of order; the late
    // interval belongs in the past, ending where the next one begins.
    it("places a late, older event in the past instead of making it current", async () => {
      await ingest(published({ id: "p1", digest: D1, tag: "latest", at: at(2) }));
      await ingest(published({ id: "p2", digest: D2, tag: "latest", at: at(4) }));
      await ingest(published({ id: "late", digest: D3, tag: "latest", at: at(1) }));
      const iso = (h: number) => new Date(at(h)).toISOString();
      expect((await history()).map((h) => [h.digest, h.validFrom.toISOString(), h.validTo?.toISOString() ?? null])).toEqual([
        [D3, iso(1), iso(2)],
        [D1, iso(2), iso(4)],
        [D2, iso(4), null],
      ]);
      expect(await digestAt(`${REPO}:latest`, new Date(at(5)))).toBe(D2);
      expect(await digestAt(`${REPO}:latest`, new Date(at(3)))).toBe(D1);
    });
  });

  describe("the ledger after a mixed workload", () => {
    it("verifies", async () => {
      await ingest(published({ id: "w1", digest: D1, tag: "1.0" }));
      await ingest(published({ id: "w1", digest: D1, tag: "1.0" })); // duplicate
      await ingest([published({ id: "w2", digest: D2, tag: "1.0" }), { broken: true }, published({ id: "w3", digest: D3, tag: "2.0" })]);
      await ingest(null, { raw: fixtureBytes("cdevents", "conformance", "artifact_published.json") });
      const entries = await db().ledgerEntry.findMany({ orderBy: { sequence: "asc" } });
      expect(entries.map((e) => e.kind)).toEqual([
        "token.created",
        "document.accepted",
        "document.accepted",
        "document.accepted",
        "document.accepted",
      ]);
      expect(entries.filter((e) => e.documentId !== null)).toHaveLength(4);
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 5, firstBrokenSequence: null });
    });
  });
});

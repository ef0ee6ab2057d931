import "server-only";
import { createHash } from "node:crypto";
import { AppError, type FieldProblem } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { type Sql, withTransaction } from "@/lib/db/sql";
import type { AdaptedDocument } from "@/lib/domain/events";
import { oversizedIdentifier } from "@/lib/ingest/identifiers";
import { UNSTORABLE_MESSAGE, unstorableTextPath } from "@/lib/ingest/text";
import { appendLedgerEntriesSql, type LedgerAppend, lockLedgerSql } from "@/lib/server/ledger/append-ledger-entry";
import { applyBatch } from "./apply-batch";
import { recordRejections } from "./rejections";
import { uuidv7 } from "./uuid";

export const MAX_BATCH_ITEMS = 1000;

export type ItemResult = {
  index: number;
  id: string | null;
  status: "accepted" | "duplicate" | "rejected";
  problem?: { title: string; detail: string; errors: FieldProblem[] };
  /** The artefact digest the document is mainly about, when there is one. */
  artifact?: string | null;
  notes?: string[];
};

export type BatchAnswer = { accepted: number; duplicates: number; rejected: number; results: ItemResult[] };

export type IncomingItem = {
  index: number;
  /** Stored verbatim: the request body for a single document, the item's own JSON text in a batch. */
  bytes: Uint8Array;
  contentType: string;
  /** cdevents, cloudevents, registry, sigstore-bundle, cosign, openpgp, notation-jws, attestation, cosign-verify, kyverno, ... */
  format: string;
  adapted: AdaptedDocument;
};

// Every ingesting transaction takes the ledger's advisory lock first, so they run one at a time
// anyway. Queue them in memory before they take a pooled connection: waiting on the lock while
// holding a connection would starve the pool (and everything else) under load.
const globalForQueue = globalThis as unknown as { vitrineIngestTurn?: Promise<unknown> };

function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  const previous = globalForQueue.vitrineIngestTurn ?? Promise.resolve();
  const run = previous.then(fn, fn);
  globalForQueue.vitrineIngestTurn = run.catch(() => undefined);
  return run;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function answerOf(results: ItemResult[]): BatchAnswer {
  const sorted = [...results].sort((a, b) => a.index - b.index);
  return {
    accepted: sorted.filter((r) => r.status === "accepted").length,
    duplicates: sorted.filter((r) => r.status === "duplicate").length,
    rejected: sorted.filter((r) => r.status === "rejected").length,
    results: sorted,
  };
}

/**
 * Stores the accepted items of one request: each document verbatim (content-addressed), what it
 * means in the domain tables, and its ledger entry, all in ONE transaction, so a crash leaves
 * either all of them or none. Rejected items are answered with their problems and store nothing.
 */
export async function storeDocuments(options: {
  actor: Actor;
  route: string;
  items: IncomingItem[];
  idempotencyKey?: string | null;
  now: Date;
}): Promise<BatchAnswer> {
  const { items, now } = options;
  if (items.length === 0)
    throw new AppError("unprocessable", "The request holds no document", {
      errors: [{ path: "$", message: "must hold at least one document" }],
    });
  if (items.length > MAX_BATCH_ITEMS) {
    throw new AppError("unprocessable", `A batch holds at most ${MAX_BATCH_ITEMS} documents; this one has ${items.length}`, {
      errors: [{ path: "$", message: `at most ${MAX_BATCH_ITEMS} items` }],
    });
  }
  if (options.idempotencyKey && items.length > 1)
    throw new AppError("bad_request", "Idempotency-Key applies to a single document; send batches without it");
  const tokenId = options.actor.kind === "token" ? options.actor.id : null;
  const results: ItemResult[] = [];
  const accepted: Array<IncomingItem & { adapted: Extract<AdaptedDocument, { ok: true }>; sha256: string }> = [];
  for (const item of items) {
    const unstorable = item.adapted.ok
      ? unstorableTextPath({ eventId: item.adapted.eventId, eventSource: item.adapted.eventSource, events: item.adapted.events })
      : null;
    // An over-long identifier would overflow its index entry in Postgres: bad input, refused like the rest.
    const oversized = item.adapted.ok && !unstorable ? oversizedIdentifier(item.adapted) : null;
    if (unstorable) {
      results.push({
        index: item.index,
        id: null,
        status: "rejected",
        problem: {
          title: "Invalid document",
          detail: `The document ${UNSTORABLE_MESSAGE}`,
          errors: [{ path: "$", message: UNSTORABLE_MESSAGE }],
        },
      });
    } else if (oversized) {
      results.push({
        index: item.index,
        id: null,
        status: "rejected",
        problem: {
          title: "Invalid document",
          detail: `An identifier in the document is too long: ${oversized}`,
          errors: [{ path: "$", message: oversized }],
        },
      });
    } else if (!item.adapted.ok) {
      results.push({
        index: item.index,
        id: null,
        status: "rejected",
        problem: { title: "Invalid document", detail: item.adapted.detail, errors: item.adapted.errors },
      });
    } else {
      accepted.push({ ...item, adapted: item.adapted, sha256: sha256Hex(item.bytes) });
    }
  }
  recordRejections({ route: options.route, tokenId, now, results, formats: new Map(items.map((i) => [i.index, i.format])) });
  if (accepted.length === 0) return answerOf(results);

  const stored = await inTurn(() =>
    withTransaction(async (sql) => {
      // Taken first: duplicate checks, domain updates and the ledger chain see one order.
      await lockLedgerSql(sql);
      const existing = await findExisting(sql, accepted, options.idempotencyKey ?? null, tokenId);
      // DESIGN.md: a document with an Idempotency-Key this token used before is a duplicate of the first.
      const out: ItemResult[] = [];
      const seen = new Map<string, string>();
      const fresh: Array<(typeof accepted)[number] & { id: string }> = [];
      for (const item of accepted) {
        const { adapted } = item;
        const eventKey =
          adapted.eventId !== null ? `${adapted.eventSource ?? ""}\u0000${adapted.eventId}\u0000${adapted.documentType}` : null;
        const dup =
          existing.bySha.get(item.sha256) ??
          seen.get(item.sha256) ??
          (eventKey ? (existing.byEvent.get(eventKey) ?? seen.get(eventKey)) : undefined) ??
          existing.byIdempotency?.id;
        if (dup) {
          out.push({ index: item.index, id: dup, status: "duplicate" });
          continue;
        }
        const id = uuidv7(now.getTime());
        seen.set(item.sha256, id);
        if (eventKey) seen.set(eventKey, id);
        fresh.push({ ...item, id });
      }
      if (fresh.length === 0) return out;
      // One statement for all the documents (the identity rows and their bytes, which live in a table
      // partitioned by month), then the domain changes of the whole batch.
      await sql.query(
        `WITH item AS MATERIALIZED (
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::int[], $8::text[], $9::text[], $10::text[], $13::text[])
             AS t(id, sha256, format, route, content_type, body, size_bytes, event_id, event_source, event_type, idempotency_key)),
         document AS (
           INSERT INTO documents (id, sha256, format, route, content_type, size_bytes, event_id, event_source, event_type, idempotency_key, token_id, received_at)
           SELECT id, sha256, format, route, content_type, size_bytes, event_id, event_source, event_type, idempotency_key, $11::uuid, $12::timestamptz
           FROM item)
         INSERT INTO document_bodies (document_id, received_at, body) SELECT id, $12::timestamptz, body FROM item`,
        [
          fresh.map((i) => i.id),
          fresh.map((i) => i.sha256),
          fresh.map((i) => i.format),
          fresh.map(() => options.route),
          fresh.map((i) => i.contentType),
          fresh.map((i) => Buffer.from(i.bytes.buffer, i.bytes.byteOffset, i.bytes.byteLength)),
          fresh.map((i) => i.bytes.byteLength),
          fresh.map((i) => i.adapted.eventId),
          fresh.map((i) => (i.adapted.eventId !== null ? (i.adapted.eventSource ?? "") : null)),
          fresh.map((i) => (i.adapted.eventId !== null ? i.adapted.documentType : null)),
          tokenId,
          now.toISOString(),
          fresh.map(() => (items.length === 1 ? (options.idempotencyKey ?? null) : null)),
        ],
      );
      const applied = await applyBatch(sql, {
        events: fresh.flatMap((item) => item.adapted.events.map((event) => ({ documentId: item.id, event }))),
        now,
      });
      const ledger: LedgerAppend[] = [];
      for (const item of fresh) {
        const { adapted } = item;
        const a = applied.get(item.id);
        const digests = [...new Set(a?.artifacts ?? [])];
        const notes = [...adapted.notes, ...(a?.notes ?? [])];
        const artifact = digests[0] ?? null;
        ledger.push({
          kind: "document.accepted",
          actor: actorRef(options.actor),
          subject: artifact ? `artifact:${artifact}` : null,
          documentId: item.id,
          payload: {
            sha256: `sha256:${item.sha256}`,
            route: options.route,
            format: item.format,
            type: adapted.documentType,
            ...(adapted.eventId !== null ? { eventId: adapted.eventId, source: adapted.eventSource } : {}),
            artifacts: digests.slice(0, 100),
          },
          now,
        });
        out.push({ index: item.index, id: item.id, status: "accepted", artifact, ...(notes.length ? { notes } : {}) });
      }
      await appendLedgerEntriesSql(sql, ledger, { locked: true });
      return out;
    }),
  );
  return answerOf([...results, ...stored]);
}

async function findExisting(
  sql: Sql,
  items: Array<{ sha256: string; adapted: Extract<AdaptedDocument, { ok: true }> }>,
  idempotencyKey: string | null,
  tokenId: string | null,
): Promise<{ bySha: Map<string, string>; byEvent: Map<string, string>; byIdempotency: { id: string; sha256: string } | undefined }> {
  const events = items.filter((i) => i.adapted.eventId !== null);
  const rows = await sql.query<{
    id: string;
    sha256: string;
    event_id: string | null;
    event_source: string | null;
    event_type: string | null;
    idempotency_key: string | null;
  }>(
    // Three index lookups (sha256; event source+id; token+key), never a scan of the documents.
    `SELECT id, sha256, event_id, event_source, event_type, idempotency_key FROM documents WHERE sha256 = ANY($1::text[])
     UNION
     SELECT d.id, d.sha256, d.event_id, d.event_source, d.event_type, d.idempotency_key
       FROM documents d JOIN unnest($2::text[], $3::text[]) AS e(source, id) ON d.event_source = e.source AND d.event_id = e.id
     UNION
     SELECT id, sha256, event_id, event_source, event_type, idempotency_key FROM documents
       WHERE $4::text IS NOT NULL AND token_id = $5::uuid AND idempotency_key = $4::text`,
    [
      items.map((i) => i.sha256),
      events.map((e) => e.adapted.eventSource ?? ""),
      events.map((e) => e.adapted.eventId),
      idempotencyKey,
      tokenId,
    ],
  );
  const bySha = new Map<string, string>();
  const byEvent = new Map<string, string>();
  let byIdempotency: { id: string; sha256: string } | undefined;
  for (const r of rows) {
    bySha.set(r.sha256, r.id);
    if (r.event_id !== null) byEvent.set(`${r.event_source ?? ""}\u0000${r.event_id}\u0000${r.event_type ?? ""}`, r.id);
    if (idempotencyKey && r.idempotency_key === idempotencyKey) byIdempotency = { id: r.id, sha256: r.sha256 };
  }
  return { bySha, byEvent, byIdempotency };
}

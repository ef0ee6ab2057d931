import "server-only";
import { createHash } from "node:crypto";
import { AppError, type FieldProblem } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db, type Prisma } from "@/lib/db/client";
import type { AdaptedDocument } from "@/lib/domain/events";
import { appendLedgerEntries, type LedgerAppend, lockLedger } from "@/lib/server/ledger/append-ledger-entry";
import { applyDomainEvent } from "./apply-domain-event";
import { recordRejections } from "./rejections";

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
    if (!item.adapted.ok) {
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

  const stored = await db().$transaction(
    async (tx) => {
      // Taken first: duplicate checks, domain updates and the ledger chain see one order.
      await lockLedger(tx);
      const existing = await findExisting(tx, accepted, options.idempotencyKey ?? null);
      const out: ItemResult[] = [];
      const ledger: LedgerAppend[] = [];
      const seen = new Map<string, string>();
      for (const item of accepted) {
        const { adapted } = item;
        const eventKey =
          adapted.eventId !== null ? `${adapted.eventSource ?? ""}\u0000${adapted.eventId}\u0000${adapted.documentType}` : null;
        const dup =
          existing.bySha.get(item.sha256) ??
          seen.get(item.sha256) ??
          (eventKey ? (existing.byEvent.get(eventKey) ?? seen.get(eventKey)) : undefined) ??
          existing.byIdempotency;
        if (dup) {
          out.push({ index: item.index, id: dup, status: "duplicate" });
          continue;
        }
        const doc = await tx.document.create({
          data: {
            sha256: item.sha256,
            format: item.format,
            route: options.route,
            contentType: item.contentType,
            body: new Uint8Array(item.bytes),
            sizeBytes: item.bytes.byteLength,
            eventId: adapted.eventId,
            eventSource: adapted.eventId !== null ? (adapted.eventSource ?? "") : null,
            eventType: adapted.eventId !== null ? adapted.documentType : null,
            idempotencyKey: items.length === 1 ? (options.idempotencyKey ?? null) : null,
            tokenId,
            receivedAt: now,
          },
          select: { id: true },
        });
        seen.set(item.sha256, doc.id);
        if (eventKey) seen.set(eventKey, doc.id);
        const digests: string[] = [];
        const notes = [...adapted.notes];
        for (const event of adapted.events) {
          const applied = await applyDomainEvent(tx, { event, documentId: doc.id, now });
          digests.push(...applied.artifacts);
          notes.push(...applied.notes);
        }
        const artifact = digests[0] ?? null;
        ledger.push({
          kind: "document.accepted",
          actor: actorRef(options.actor),
          subject: artifact ? `artifact:${artifact}` : null,
          documentId: doc.id,
          payload: {
            sha256: `sha256:${item.sha256}`,
            route: options.route,
            format: item.format,
            type: adapted.documentType,
            ...(adapted.eventId !== null ? { eventId: adapted.eventId, source: adapted.eventSource } : {}),
            artifacts: [...new Set(digests)].slice(0, 100),
          },
          now,
        });
        out.push({ index: item.index, id: doc.id, status: "accepted", artifact, ...(notes.length ? { notes } : {}) });
      }
      await appendLedgerEntries(tx, ledger);
      return out;
    },
    { timeout: 120_000, maxWait: 60_000 },
  );
  return answerOf([...results, ...stored]);
}

async function findExisting(
  tx: Prisma.TransactionClient,
  items: Array<{ sha256: string; adapted: Extract<AdaptedDocument, { ok: true }> }>,
  idempotencyKey: string | null,
): Promise<{ bySha: Map<string, string>; byEvent: Map<string, string>; byIdempotency: string | undefined }> {
  const events = items.filter((i) => i.adapted.eventId !== null);
  const rows = await tx.document.findMany({
    where: {
      OR: [
        { sha256: { in: items.map((i) => i.sha256) } },
        ...(events.length ? [{ eventId: { in: [...new Set(events.map((e) => e.adapted.eventId as string))] } }] : []),
        ...(idempotencyKey ? [{ idempotencyKey }] : []),
      ],
    },
    select: { id: true, sha256: true, eventId: true, eventSource: true, eventType: true, idempotencyKey: true },
  });
  const bySha = new Map<string, string>();
  const byEvent = new Map<string, string>();
  let byIdempotency: string | undefined;
  for (const r of rows) {
    bySha.set(r.sha256, r.id);
    if (r.eventId !== null) byEvent.set(`${r.eventSource ?? ""}\u0000${r.eventId}\u0000${r.eventType ?? ""}`, r.id);
    if (idempotencyKey && r.idempotencyKey === idempotencyKey) byIdempotency = r.id;
  }
  return { bySha, byEvent, byIdempotency };
}

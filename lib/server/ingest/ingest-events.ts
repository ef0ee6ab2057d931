import "server-only";
import { createHash } from "node:crypto";
import { AppError, type FieldProblem } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db, type Prisma } from "@/lib/db/client";
import type { DomainEvent } from "@/lib/domain/events";
import { adaptCdevent } from "@/lib/ingest/cdevents";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";
import { applyDomainEvent } from "./apply-domain-event";

export const MAX_BATCH_ITEMS = 1000;

export type ItemResult = {
  index: number;
  id: string | null;
  status: "accepted" | "duplicate" | "rejected";
  problem?: { title: string; detail: string; errors: FieldProblem[] };
  artifact?: string | null;
  notes?: string[];
};

export type BatchAnswer = { accepted: number; duplicates: number; rejected: number; results: ItemResult[] };

type Candidate = {
  index: number;
  bytes: Buffer;
  sha256: string;
  eventId: string;
  eventSource: string;
  eventType: string;
  events: DomainEvent[];
  notes: string[];
};

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Ingests CDEvents: one JSON object, or an array of up to 1,000. Valid items are stored together
 * in one transaction (document verbatim, domain changes, ledger entry each); invalid items are
 * answered with their problems and store nothing.
 */
export async function ingestEvents(options: {
  actor: Actor;
  tokenId: string | null;
  rawBody: Uint8Array;
  parsed: unknown;
  contentType: string;
  idempotencyKey: string | null;
  now: Date;
}): Promise<{ single: boolean; answer: BatchAnswer }> {
  const single = !Array.isArray(options.parsed);
  const items: unknown[] = single ? [options.parsed] : (options.parsed as unknown[]);
  if (items.length === 0)
    throw new AppError("unprocessable", "The batch is empty", { errors: [{ path: "$", message: "must hold at least one event" }] });
  if (items.length > MAX_BATCH_ITEMS) {
    throw new AppError("unprocessable", `A batch holds at most ${MAX_BATCH_ITEMS} events; this one has ${items.length}`, {
      errors: [{ path: "$", message: `at most ${MAX_BATCH_ITEMS} items` }],
    });
  }
  if (options.idempotencyKey !== null && !single) {
    throw new AppError("bad_request", "Idempotency-Key applies to a single document; send batches without it");
  }

  const results: ItemResult[] = [];
  const candidates: Candidate[] = [];
  items.forEach((item, index) => {
    const adapted = adaptCdevent(item);
    if (!adapted.ok) {
      results.push({
        index,
        id: null,
        status: "rejected",
        problem: { title: "Invalid event", detail: adapted.detail, errors: adapted.errors },
      });
      return;
    }
    // A single document is kept byte for byte; a batch item as its own JSON text.
    const bytes = single ? Buffer.from(options.rawBody) : Buffer.from(JSON.stringify(item));
    candidates.push({ index, bytes, sha256: sha256(bytes), ...adapted });
  });

  if (candidates.length > 0) {
    const stored = await db().$transaction(
      async (tx) => {
        // Taken first so that duplicate checks and the ledger chain see a stable order.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(72707302)`;
        const out: ItemResult[] = [];
        const seenInBatch = new Map<string, string>();
        for (const c of candidates) {
          const dup = await findDuplicate(tx, c, single ? options.idempotencyKey : null);
          const inBatch = seenInBatch.get(c.sha256) ?? seenInBatch.get(`${c.eventSource}\u0000${c.eventId}`);
          if (dup || inBatch) {
            out.push({ index: c.index, id: dup ?? inBatch ?? null, status: "duplicate" });
            continue;
          }
          const doc = await tx.document.create({
            data: {
              sha256: c.sha256,
              format: "cdevents",
              contentType: options.contentType,
              body: new Uint8Array(c.bytes),
              sizeBytes: c.bytes.byteLength,
              eventId: c.eventId,
              eventSource: c.eventSource,
              idempotencyKey: single ? options.idempotencyKey : null,
              tokenId: options.tokenId,
              receivedAt: options.now,
            },
          });
          seenInBatch.set(c.sha256, doc.id);
          seenInBatch.set(`${c.eventSource}\u0000${c.eventId}`, doc.id);
          let artifact: string | null = null;
          for (const event of c.events) {
            const applied = await applyDomainEvent(tx, { event, documentId: doc.id, now: options.now });
            artifact = applied.artifactDigest ?? artifact;
          }
          await appendLedgerEntry(tx, {
            kind: "document.accepted",
            actor: actorRef(options.actor),
            subject: artifact ? `artifact:${artifact}` : null,
            documentId: doc.id,
            payload: { sha256: `sha256:${c.sha256}`, format: "cdevents", type: c.eventType, eventId: c.eventId, source: c.eventSource },
            now: options.now,
          });
          out.push({ index: c.index, id: doc.id, status: "accepted", artifact, ...(c.notes.length ? { notes: c.notes } : {}) });
        }
        return out;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
    results.push(...stored);
  }

  results.sort((a, b) => a.index - b.index);
  return {
    single,
    answer: {
      accepted: results.filter((r) => r.status === "accepted").length,
      duplicates: results.filter((r) => r.status === "duplicate").length,
      rejected: results.filter((r) => r.status === "rejected").length,
      results,
    },
  };
}

async function findDuplicate(tx: Prisma.TransactionClient, c: Candidate, idempotencyKey: string | null): Promise<string | null> {
  const existing = await tx.document.findFirst({
    where: {
      OR: [{ sha256: c.sha256 }, { eventSource: c.eventSource, eventId: c.eventId }, ...(idempotencyKey ? [{ idempotencyKey }] : [])],
    },
    select: { id: true },
  });
  return existing?.id ?? null;
}

import "server-only";
import { AppError } from "@/lib/api/errors";
import { parseJsonBody } from "@/lib/api/read-body";
import type { Actor } from "@/lib/auth/actor";
import { adaptCdevent } from "@/lib/ingest/cdevents";
import { type BatchAnswer, type IncomingItem, MAX_BATCH_ITEMS, storeDocuments } from "./store-documents";

export type { BatchAnswer };
export { MAX_BATCH_ITEMS };

/**
 * POST /api/v1/events for plain CDEvents JSON: one event object (answered as a single result) or
 * an array of up to 1,000 (answered per item).
 */
export async function ingestEvents(options: {
  actor: Actor;
  rawBody: Uint8Array;
  contentType: string;
  idempotencyKey: string | null;
  now: Date;
}): Promise<{ single: boolean; answer: BatchAnswer }> {
  const parsed = parseJsonBody(options.rawBody);
  const single = !Array.isArray(parsed);
  const list: unknown[] = single ? [parsed] : (parsed as unknown[]);
  if (list.length > MAX_BATCH_ITEMS) {
    throw new AppError("unprocessable", `A batch holds at most ${MAX_BATCH_ITEMS} events; this one has ${list.length}`, {
      errors: [{ path: "$", message: `at most ${MAX_BATCH_ITEMS} items` }],
    });
  }
  const items: IncomingItem[] = list.map((doc, index) => ({
    index,
    bytes: single ? options.rawBody : Buffer.from(JSON.stringify(doc)),
    contentType: options.contentType,
    format: "cdevents",
    adapted: adaptCdevent(doc),
  }));
  const answer = await storeDocuments({
    actor: options.actor,
    route: "events",
    items,
    idempotencyKey: options.idempotencyKey,
    now: options.now,
  });
  return { single, answer };
}

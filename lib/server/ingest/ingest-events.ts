import "server-only";
import type { Actor } from "@/lib/auth/actor";
import { type IngestOutcome, ingestEventsRequest } from "./ingest-requests";

/** Ingests a CDEvents JSON body (one event or an array), as POST /api/v1/events does. For seeds and tests. */
export function ingestEvents(options: {
  actor: Actor;
  rawBody: Uint8Array;
  contentType: string;
  idempotencyKey: string | null;
  now: Date;
}): Promise<IngestOutcome> {
  return ingestEventsRequest({
    actor: options.actor,
    headers: new Headers({ "content-type": options.contentType }),
    body: options.rawBody,
    idempotencyKey: options.idempotencyKey,
    now: options.now,
  });
}

// Load shedding for the ingestion routes. Ingesting transactions run one at a time per instance (they
// queue in memory for the ledger's lock, lib/server/ingest/store-documents.ts), so past a point more
// requests in flight only make every answer slower and hold more bodies in memory. Over the cap an
// ingestion request is answered at once, before any database work: 503 with Retry-After, and the
// client sends the same documents again later (duplicates are recognised by event id, content hash
// or Idempotency-Key, so a retry never stores twice).
import { AppError } from "./errors";

/** Seconds a shed request is told to wait before sending again. */
export const SHED_RETRY_AFTER_SECONDS = 1;

/**
 * Ingestion requests one instance handles at once: twice its database connections
 * (VITRINE_DB_POOL_MAX), and at least 16 so a small pool (embedded PGlite runs with 1) still takes
 * a few concurrent pipelines without refusing them.
 */
export function ingestInFlightLimit(poolMax: number): number {
  return Math.max(16, 2 * poolMax);
}

// On globalThis: Next.js bundles route handlers separately, and the count is the instance's.
const globalForShedding = globalThis as unknown as { vitrineIngestInFlight?: { count: number } };

function state(): { count: number } {
  globalForShedding.vitrineIngestInFlight ??= { count: 0 };
  return globalForShedding.vitrineIngestInFlight;
}

/** Ingestion requests in flight on this instance now. */
export function ingestInFlight(): number {
  return state().count;
}

/**
 * Admits one ingestion request, or throws 503 (Retry-After) when `limit` are already in flight.
 * The returned function must be called exactly once when the request is done (it is idempotent).
 */
export function admitIngestRequest(limit: number): () => void {
  const s = state();
  if (s.count >= limit) {
    throw new AppError(
      "unavailable",
      `Vitrine is over capacity: this instance is already handling ${limit} ingestion requests; send the same documents again after ${SHED_RETRY_AFTER_SECONDS} s`,
      { retryAfterSeconds: SHED_RETRY_AFTER_SECONDS, shed: true },
    );
  }
  s.count++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    s.count--;
  };
}

import "server-only";
import type { ItemResult } from "./store-documents";

// Rejected documents are kept in memory only (the newest 500 per app instance), never in the
// database: a flood of hostile input must not grow the evidence store. The Ingestion page shows them.
const MAX = 500;

export type Rejection = {
  at: string;
  route: string;
  tokenId: string | null;
  format: string;
  index: number;
  detail: string;
  errors: Array<{ path: string; message: string }>;
};

const globalForRejections = globalThis as unknown as { vitrineRejections?: Rejection[] };

function buffer(): Rejection[] {
  globalForRejections.vitrineRejections ??= [];
  return globalForRejections.vitrineRejections;
}

export function recordRejections(options: {
  route: string;
  tokenId: string | null;
  now: Date;
  results: ItemResult[];
  formats: Map<number, string>;
}): void {
  const list = buffer();
  for (const r of options.results) {
    if (r.status !== "rejected" || !r.problem) continue;
    list.push({
      at: options.now.toISOString(),
      route: options.route,
      tokenId: options.tokenId,
      format: options.formats.get(r.index) ?? "unknown",
      index: r.index,
      detail: r.problem.detail.slice(0, 500),
      errors: r.problem.errors.slice(0, 10).map((e) => ({ path: e.path.slice(0, 200), message: e.message.slice(0, 200) })),
    });
  }
  if (list.length > MAX) list.splice(0, list.length - MAX);
}

/** Records a whole request refused before its documents could be told apart (bad JSON, 413, ...). */
export function recordRequestRejection(options: {
  route: string;
  tokenId: string | null;
  now: Date;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}): void {
  const list = buffer();
  list.push({
    at: options.now.toISOString(),
    route: options.route,
    tokenId: options.tokenId,
    format: "request",
    index: 0,
    detail: options.detail.slice(0, 500),
    errors: (options.errors ?? []).slice(0, 10),
  });
  if (list.length > MAX) list.splice(0, list.length - MAX);
}

export function listRejections(options: { limit: number }): Rejection[] {
  return buffer().slice(-options.limit).reverse();
}

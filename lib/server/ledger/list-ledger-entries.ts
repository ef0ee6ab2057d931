import "server-only";
import { db } from "@/lib/db/client";

export type LedgerListItem = {
  sequence: string;
  kind: string;
  actor: string;
  subject: string | null;
  documentId: string | null;
  entryHash: string;
  prevHash: string;
  createdAt: string;
  payload: unknown;
};

/** Newest first; `cursor` is the sequence to continue below. */
export async function listLedgerEntries(options: { cursor?: bigint; limit: number; kind?: string }) {
  const rows = await db().ledgerEntry.findMany({
    where: {
      ...(options.cursor !== undefined ? { sequence: { lt: options.cursor } } : {}),
      ...(options.kind ? { kind: options.kind } : {}),
    },
    orderBy: { sequence: "desc" },
    take: options.limit + 1,
  });
  const page = rows.slice(0, options.limit);
  const items: LedgerListItem[] = page.map((r) => ({
    sequence: r.sequence.toString(),
    kind: r.kind,
    actor: r.actor,
    subject: r.subject,
    documentId: r.documentId,
    entryHash: r.entryHash,
    prevHash: r.prevHash,
    createdAt: r.createdAt.toISOString(),
    payload: r.payload,
  }));
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > options.limit && last ? last.sequence.toString() : null };
}

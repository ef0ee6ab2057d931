import "server-only";
import type { Prisma } from "@/lib/db/client";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { GENESIS_HASH, hashLedgerEntry } from "@/lib/domain/ledger";

// Serialises appends across connections and app instances, so the chain never forks.
const LEDGER_APPEND_LOCK = 72_707_302;

export type LedgerAppend = {
  kind: string;
  actor: string;
  subject?: string | null;
  documentId?: string | null;
  payload: JsonValue;
  now: Date;
};

/** Appends one entry. Must run inside the transaction that makes the change it records. */
export async function appendLedgerEntry(tx: Prisma.TransactionClient, entry: LedgerAppend) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEDGER_APPEND_LOCK})`;
  const head = await tx.ledgerEntry.findFirst({
    orderBy: { sequence: "desc" },
    select: { sequence: true, entryHash: true },
  });
  const content = {
    sequence: head ? head.sequence + 1n : 1n,
    kind: entry.kind,
    actor: entry.actor,
    subject: entry.subject ?? null,
    documentId: entry.documentId ?? null,
    payload: entry.payload,
    prevHash: head ? head.entryHash : GENESIS_HASH,
    // Stored with millisecond precision; hash what will be read back.
    createdAt: new Date(entry.now.getTime()),
  };
  const entryHash = hashLedgerEntry(content);
  return tx.ledgerEntry.create({
    data: { ...content, payload: content.payload as Prisma.InputJsonValue, entryHash },
  });
}

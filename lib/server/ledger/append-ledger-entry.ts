import "server-only";
import type { Prisma } from "@/lib/db/client";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { GENESIS_HASH, hashLedgerEntry } from "@/lib/domain/ledger";

// Serialises appends across connections and app instances, so the chain never forks.
export const LEDGER_APPEND_LOCK = 72_707_302;

export type LedgerAppend = {
  kind: string;
  actor: string;
  subject?: string | null;
  documentId?: string | null;
  payload: JsonValue;
  now: Date;
};

/** Takes the ledger lock for the rest of the transaction (idempotent within it). */
export async function lockLedger(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEDGER_APPEND_LOCK})`;
}

/** Appends entries in order. Must run inside the transaction that makes the changes they record. */
export async function appendLedgerEntries(tx: Prisma.TransactionClient, entries: LedgerAppend[]) {
  if (entries.length === 0) return [];
  await lockLedger(tx);
  const head = await tx.ledgerEntry.findFirst({ orderBy: { sequence: "desc" }, select: { sequence: true, entryHash: true } });
  let sequence = head ? head.sequence : 0n;
  let prevHash = head ? head.entryHash : GENESIS_HASH;
  const rows = entries.map((entry) => {
    sequence += 1n;
    const content = {
      sequence,
      kind: entry.kind,
      actor: entry.actor,
      subject: entry.subject ?? null,
      documentId: entry.documentId ?? null,
      payload: entry.payload,
      prevHash,
      // Stored with millisecond precision; hash what will be read back.
      createdAt: new Date(entry.now.getTime()),
    };
    const entryHash = hashLedgerEntry(content);
    prevHash = entryHash;
    return { ...content, payload: content.payload as Prisma.InputJsonValue, entryHash };
  });
  await tx.ledgerEntry.createMany({ data: rows });
  return rows;
}

/** Appends one entry. Must run inside the transaction that makes the change it records. */
export async function appendLedgerEntry(tx: Prisma.TransactionClient, entry: LedgerAppend) {
  const [row] = await appendLedgerEntries(tx, [entry]);
  return row!;
}

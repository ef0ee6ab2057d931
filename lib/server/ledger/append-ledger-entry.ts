import "server-only";
import type { Prisma } from "@/lib/db/client";
import { type Sql, sqlFromPrisma } from "@/lib/db/sql";
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

/** Takes the ledger lock until the transaction ends (taking it again in the same transaction is harmless). */
export async function lockLedgerSql(sql: Sql): Promise<void> {
  await sql.query("SELECT 1 AS locked FROM pg_advisory_xact_lock($1::bigint)", [LEDGER_APPEND_LOCK]);
}

export async function lockLedger(tx: Prisma.TransactionClient): Promise<void> {
  await lockLedgerSql(sqlFromPrisma(tx));
}

/** Appends entries in order, inside the transaction that makes the changes they record. */
export async function appendLedgerEntriesSql(sql: Sql, entries: LedgerAppend[], options: { locked?: boolean } = {}) {
  if (entries.length === 0) return [];
  if (!options.locked) await lockLedgerSql(sql);
  const [head] = await sql.query<{ sequence: string | bigint; entry_hash: string }>(
    "SELECT sequence, entry_hash FROM ledger_entries ORDER BY sequence DESC LIMIT 1",
  );
  let sequence = head ? BigInt(head.sequence) : 0n;
  let prevHash = head ? head.entry_hash : GENESIS_HASH;
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
    return { ...content, entryHash };
  });
  await sql.query(
    `INSERT INTO ledger_entries (sequence, kind, actor, subject, document_id, payload, prev_hash, entry_hash, created_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::jsonb[], $7::text[], $8::text[], $9::timestamptz[])`,
    [
      rows.map((r) => r.sequence.toString()),
      rows.map((r) => r.kind),
      rows.map((r) => r.actor),
      rows.map((r) => r.subject),
      rows.map((r) => r.documentId),
      rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.prevHash),
      rows.map((r) => r.entryHash),
      rows.map((r) => r.createdAt.toISOString()),
    ],
  );
  return rows;
}

/** Appends entries within a Prisma transaction (governance actions). */
export async function appendLedgerEntries(tx: Prisma.TransactionClient, entries: LedgerAppend[]) {
  return appendLedgerEntriesSql(sqlFromPrisma(tx), entries);
}

/** Appends one entry. Must run inside the transaction that makes the change it records. */
export async function appendLedgerEntry(tx: Prisma.TransactionClient, entry: LedgerAppend) {
  const [row] = await appendLedgerEntries(tx, [entry]);
  return row!;
}

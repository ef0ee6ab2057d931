import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { monthStart, partitionName } from "@/lib/db/partitions";
import { withTransaction } from "@/lib/db/sql";
import { appendLedgerEntriesSql, lockLedgerSql } from "@/lib/server/ledger/append-ledger-entry";
import { BODIES_DETACHED } from "@/lib/server/ledger/verify-ledger";

export type DetachedBodies = {
  partition: string;
  from: string;
  to: string;
  documents: number;
  bytes: number;
  /** sha256 of the manifest: one line "<document id> <sha256 hex of its bytes>\n" per document, in id order. */
  manifest: string;
  ledgerSequence: string;
};

/**
 * Retention of document bodies (docs/architecture.md "Partitioning"): takes one past month's partition
 * out of document_bodies, after recording in the ledger what it held (how many documents and bytes, and
 * the sha256 of their manifest). The partition stays in the database as a table of its own for the
 * operator to archive (pg_dump -t) and then drop. Identity rows, ledger entries and everything derived
 * from the documents stay; verification accepts the missing bytes of that month only, because the
 * ledger says they left. DETACH needs the tables' owner: run it with the migrating credentials.
 */
export async function detachDocumentBodies(options: { month: string; actor: Actor; now: Date }): Promise<DetachedBodies> {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(options.month);
  if (!match) {
    throw new AppError("unprocessable", "The month must be written YYYY-MM", { errors: [{ path: "$.month", message: "must be YYYY-MM" }] });
  }
  const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  const to = monthStart(from, 1);
  if (to.getTime() > monthStart(options.now).getTime()) {
    throw new AppError("unprocessable", `Only a month that has ended can be detached; ${options.month} has not`, {
      errors: [{ path: "$.month", message: "must be before the current month" }],
    });
  }
  const partition = partitionName("document_bodies", from);
  return withTransaction(async (sql) => {
    // The ledger's lock first, as ingestion takes it: nothing is appended to this month meanwhile.
    await lockLedgerSql(sql);
    const [attached] = await sql.query<{ attached: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = 'document_bodies'::regclass) AS attached`,
      [`public.${partition}`],
    );
    if (!attached?.attached) throw new AppError("not_found", `document_bodies has no partition ${partition}`);
    const [held] = await sql.query<{ documents: string; bytes: string; manifest: string }>(
      `SELECT count(*)::text AS documents, coalesce(sum(octet_length(body)), 0)::text AS bytes,
              encode(sha256(convert_to(coalesce(string_agg(document_id::text || ' ' || encode(sha256(body), 'hex') || E'\\n', '' ORDER BY document_id), ''), 'UTF8')), 'hex') AS manifest
       FROM "${partition}"`,
    );
    const payload = {
      partition,
      from: from.toISOString(),
      to: to.toISOString(),
      documents: Number(held?.documents ?? 0),
      bytes: Number(held?.bytes ?? 0),
      manifest: `sha256:${held?.manifest}`,
    };
    const [entry] = await appendLedgerEntriesSql(
      sql,
      [{ kind: BODIES_DETACHED, actor: actorRef(options.actor), subject: `partition:${partition}`, payload, now: options.now }],
      { locked: true },
    );
    await sql.query(`ALTER TABLE "document_bodies" DETACH PARTITION "${partition}"`);
    return { ...payload, ledgerSequence: entry!.sequence.toString() };
  });
}

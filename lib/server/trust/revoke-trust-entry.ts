import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { sqlFromPrisma } from "@/lib/db/sql";
import { requestTrustReevaluation } from "@/lib/server/jobs/requests";
import { appendLedgerEntry, lockLedger } from "@/lib/server/ledger/append-ledger-entry";
import { type TRevokeTrust, type TrustKind, ZRevokeTrust } from "./schemas";
import { findTrustItem, KIND_LABEL, LEDGER_NOUN, type TrustItem } from "./trust-entry";

// A closed map: the table name never comes from the request.
const TABLE: Record<TrustKind, string> = {
  keys: "trusted_keys",
  identities: "trusted_identities",
  roots: "trust_roots",
  "x509-roots": "trusted_x509_roots",
};

/**
 * Revokes a trust entry from `at` (default now). Idempotent: revoking again at the same time (or with
 * no time) answers the entry as it is; a different time is a conflict, since the record must not move.
 */
export async function revokeTrustEntry(options: {
  actor: Actor;
  kind: TrustKind;
  id: string;
  input: TRevokeTrust;
  now: Date;
}): Promise<TrustItem> {
  const input = ZRevokeTrust.parse(options.input);
  const at = input.at ? new Date(input.at) : options.now;
  const { kind, id, now } = options;
  return db().$transaction(async (tx) => {
    await lockLedger(tx);
    const sql = sqlFromPrisma(tx);
    const [row] = await sql.query<{ name: string; revoked_at: Date | null; revoked_reason: string | null }>(
      `SELECT name, revoked_at, revoked_reason FROM "${TABLE[kind]}" WHERE id = $1::uuid FOR UPDATE`,
      [id],
    );
    if (!row) throw new AppError("not_found", `No ${KIND_LABEL[kind]} with id ${id}`);
    if (row.revoked_at) {
      const revokedAt = new Date(row.revoked_at);
      if (input.at && revokedAt.getTime() !== at.getTime()) {
        throw new AppError("conflict", `This ${KIND_LABEL[kind]} was already revoked at ${revokedAt.toISOString()}`, {
          errors: [{ path: "$.at", message: `already revoked at ${revokedAt.toISOString()}` }],
        });
      }
    } else {
      await sql.query(`UPDATE "${TABLE[kind]}" SET revoked_at = $2::timestamptz, revoked_reason = $3 WHERE id = $1::uuid`, [
        id,
        at.toISOString(),
        input.reason,
      ]);
      await appendLedgerEntry(tx, {
        kind: `trust.${LEDGER_NOUN[kind]}.revoked`,
        actor: actorRef(options.actor),
        subject: `trust-${LEDGER_NOUN[kind]}:${id}`,
        payload: { name: row.name, reason: input.reason, at: at.toISOString() },
        now,
      });
      await requestTrustReevaluation(tx, `trust.${LEDGER_NOUN[kind]}.revoked`);
    }
    const item = await findTrustItem(tx, { kind, id, now });
    if (!item) throw new AppError("not_found", `No ${KIND_LABEL[kind]} with id ${id}`);
    return item;
  });
}

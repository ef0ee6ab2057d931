import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";

/** Revokes a token at once: the next request that presents it gets 401. */
export async function revokeToken(options: { actor: Actor; tokenId: string; now: Date }) {
  return db().$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id: options.tokenId } });
    if (!token) throw new AppError("not_found", "No such token");
    if (token.revokedAt) return token;
    const revoked = await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: options.now } });
    await appendLedgerEntry(tx, {
      kind: "token.revoked",
      actor: actorRef(options.actor),
      subject: `token:${token.id}`,
      payload: { name: token.name, prefix: token.prefix },
      now: options.now,
    });
    return revoked;
  });
}

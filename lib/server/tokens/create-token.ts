import "server-only";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";
import { type TCreateToken, ZCreateToken } from "./schemas";
import { generateTokenSecret, hashTokenSecret } from "./token-secret";

/** Creates an API token. The secret is returned once and only its hash is stored. */
export async function createToken(options: { actor: Actor; input: TCreateToken; now: Date }) {
  const input = ZCreateToken.parse(options.input);
  const secret = generateTokenSecret();
  const scopes = [...new Set(input.scopes)];
  const token = await db().$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        name: input.name,
        prefix: secret.slice(0, 10),
        tokenHash: hashTokenSecret(secret),
        scopes,
        createdById: options.actor.kind === "user" ? options.actor.id : null,
        expiresAt: input.expiresInDays ? new Date(options.now.getTime() + input.expiresInDays * 86_400_000) : null,
        createdAt: options.now,
      },
    });
    await appendLedgerEntry(tx, {
      kind: "token.created",
      actor: actorRef(options.actor),
      subject: `token:${created.id}`,
      payload: { name: created.name, scopes, prefix: created.prefix, expiresAt: created.expiresAt?.toISOString() ?? null },
      now: options.now,
    });
    return created;
  });
  return { id: token.id, name: token.name, scopes: token.scopes, prefix: token.prefix, expiresAt: token.expiresAt, secret };
}

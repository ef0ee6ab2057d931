import "server-only";
import type { TokenActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { hashTokenSecret, isWellFormedToken } from "./token-secret";

// last_used_at is written at most this often per token, to keep hot ingestion paths cheap.
const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves a bearer token to its actor, or null when unknown, revoked or expired. */
export async function authenticateToken(options: { token: string; now: Date }): Promise<TokenActor | null> {
  if (!isWellFormedToken(options.token)) return null;
  const row = await db().apiToken.findUnique({ where: { tokenHash: hashTokenSecret(options.token) } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= options.now)) return null;
  if (!row.lastUsedAt || options.now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: options.now } });
  }
  return { kind: "token", id: row.id, name: row.name, scopes: row.scopes };
}

import "server-only";
import type { TokenActor } from "@/lib/auth/actor";
import { TOKEN_SCOPES, type TokenScope } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/sql";
import { hashTokenSecret, isWellFormedToken } from "./token-secret";

// last_used_at is written at most this often per token, to keep hot ingestion paths cheap.
const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves a bearer token to its actor, or null when unknown, revoked or expired. */
export async function authenticateToken(options: { token: string; now: Date }): Promise<TokenActor | null> {
  if (!isWellFormedToken(options.token)) return null;
  // Raw SQL: this runs on every API request, so it is kept to one cheap round trip.
  const { rows } = await pool().query<{
    id: string;
    name: string;
    scopes: string;
    revoked_at: Date | null;
    expires_at: Date | null;
    last_used_at: Date | null;
  }>("SELECT id, name, scopes::text AS scopes, revoked_at, expires_at, last_used_at FROM api_tokens WHERE token_hash = $1", [
    hashTokenSecret(options.token),
  ]);
  const row = rows[0];
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= options.now)) return null;
  if (!row.last_used_at || options.now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await pool().query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", [row.id, options.now]);
  }
  const scopes = row.scopes
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter((s): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s));
  return { kind: "token", id: row.id, name: row.name, scopes };
}

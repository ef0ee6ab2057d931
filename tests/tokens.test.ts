// API tokens: shown once, stored as a hash, scoped, expiring, revocable, with their last use.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError } from "@/lib/api/errors";
import type { SystemActor, UserActor } from "@/lib/auth/actor";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { authenticateToken } from "@/lib/server/tokens/authenticate-token";
import { createToken } from "@/lib/server/tokens/create-token";
import { listTokens } from "@/lib/server/tokens/list-tokens";
import { revokeToken } from "@/lib/server/tokens/revoke-token";
import { createUser } from "@/lib/server/users/create-user";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";

const { db } = setupTestDatabase();
const system: SystemActor = { kind: "system", name: "test" };
const T0 = new Date("2026-11-25T10:00:00.000Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

/** Every row of every table as text, to search for a value that must never be stored. */
async function databaseText(): Promise<string> {
  return withPg(async (c) => {
    const { rows } = await c.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    const parts: string[] = [];
    for (const { tablename } of rows) {
      const dump = await c.query<{ t: string }>(`SELECT t::text AS t FROM "${tablename}" t`);
      parts.push(...dump.rows.map((r) => r.t));
    }
    return parts.join("\n");
  });
}

describe("tokens", () => {
  beforeEach(resetDatabase);

  it("returns the secret once and stores only its sha256", async () => {
    const token = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest"] }, now: T0 });
    expect(token.secret).toMatch(/^vtr_[A-Za-z0-9_-]{43}$/);
    expect(token.prefix).toBe(token.secret.slice(0, 10));
    const row = await db().apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(token.secret).digest("hex"));
    // Neither the api_tokens row nor any other table holds the secret (or its un-prefixed part).
    const apiTokensRow = await withPg(async (c) => (await c.query<{ t: string }>(`SELECT t::text AS t FROM "api_tokens" t`)).rows[0]?.t);
    expect(apiTokensRow).toContain(row.tokenHash);
    expect(apiTokensRow).not.toContain(token.secret);
    const everything = await databaseText();
    expect(everything).not.toContain(token.secret);
    expect(everything).not.toContain(token.secret.slice(4));
    expect(everything).not.toContain(token.secret.slice(-20));
  });

  it("gives every token a different secret", async () => {
    const a = await createToken({ actor: system, input: { name: "a", scopes: ["read"] }, now: T0 });
    const b = await createToken({ actor: system, input: { name: "a", scopes: ["read"] }, now: T0 });
    expect(a.secret).not.toBe(b.secret);
    expect(a.id).not.toBe(b.id);
  });

  it("records the creation in the ledger without the secret", async () => {
    const token = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest", "read"] }, now: T0 });
    const [entry] = await db().ledgerEntry.findMany();
    expect(entry).toMatchObject({ kind: "token.created", actor: "system:test", subject: `token:${token.id}` });
    expect(entry?.payload).toMatchObject({ name: "ci", scopes: ["ingest", "read"], prefix: token.prefix, expiresAt: null });
    expect(JSON.stringify(entry?.payload)).not.toContain(token.secret);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 1 });
  });

  it("records which user created it", async () => {
    const user = await createUser({ actor: system, input: { email: "admin@example.com", role: "admin" }, now: T0 });
    const actor: UserActor = { kind: "user", id: user.id, email: user.email, name: null, role: "admin" };
    const token = await createToken({ actor, input: { name: "ci", scopes: ["ingest"] }, now: T0 });
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: token.id } })).createdById).toBe(user.id);
    expect((await listTokens())[0]?.createdBy).toBe("admin@example.com");
  });

  it("de-duplicates scopes", async () => {
    const token = await createToken({ actor: system, input: { name: "ci", scopes: ["read", "read", "ingest"] }, now: T0 });
    expect(token.scopes).toEqual(["read", "ingest"]);
  });

  it.each([
    ["no scopes", { name: "ci", scopes: [] }],
    ["an unknown scope", { name: "ci", scopes: ["root"] }],
    ["an empty name", { name: "   ", scopes: ["read"] }],
    ["a name over 100 characters", { name: "n".repeat(101), scopes: ["read"] }],
    ["zero days to expiry", { name: "ci", scopes: ["read"], expiresInDays: 0 }],
    ["a fractional expiry", { name: "ci", scopes: ["read"], expiresInDays: 1.5 }],
  ])("refuses %s and stores nothing", async (_label, input) => {
    await expect(createToken({ actor: system, input: input as never, now: T0 })).rejects.toBeInstanceOf(ZodError);
    expect(await db().apiToken.count()).toBe(0);
    expect(await db().ledgerEntry.count()).toBe(0);
  });

  describe("authenticateToken", () => {
    it("resolves a token to its actor and scopes", async () => {
      const token = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest", "admission"] }, now: T0 });
      expect(await authenticateToken({ token: token.secret, now: later(1000) })).toEqual({
        kind: "token",
        id: token.id,
        name: "ci",
        scopes: ["ingest", "admission"],
      });
    });

    it("records the last use, at most once a minute", async () => {
      const token = await createToken({ actor: system, input: { name: "ci", scopes: ["read"] }, now: T0 });
      const lastUsed = async () => (await db().apiToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt;
      expect(await lastUsed()).toBeNull();
      await authenticateToken({ token: token.secret, now: later(1_000) });
      expect(await lastUsed()).toEqual(later(1_000));
      await authenticateToken({ token: token.secret, now: later(30_000) });
      expect(await lastUsed()).toEqual(later(1_000));
      await authenticateToken({ token: token.secret, now: later(62_000) });
      expect(await lastUsed()).toEqual(later(62_000));
      expect((await listTokens())[0]?.lastUsedAt).toBe(later(62_000).toISOString());
    });

    it("refuses a revoked token from the moment of revocation", async () => {
      const token = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest"] }, now: T0 });
      expect(await authenticateToken({ token: token.secret, now: later(1) })).not.toBeNull();
      await revokeToken({ actor: system, tokenId: token.id, now: later(2) });
      expect(await authenticateToken({ token: token.secret, now: later(3) })).toBeNull();
    });

    it("refuses an expired token, at and after its expiry", async () => {
      const token = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest"], expiresInDays: 1 }, now: T0 });
      expect(token.expiresAt).toEqual(later(86_400_000));
      expect(await authenticateToken({ token: token.secret, now: later(86_400_000 - 1) })).not.toBeNull();
      expect(await authenticateToken({ token: token.secret, now: later(86_400_000) })).toBeNull();
      expect(await authenticateToken({ token: token.secret, now: later(86_400_000 * 2) })).toBeNull();
    });

    it("refuses unknown and malformed tokens, and does not touch lastUsedAt for them", async () => {
      const token = await createToken({ actor: system, input: { name: "ci", scopes: ["read"] }, now: T0 });
      const unknown = `vtr_${"A".repeat(43)}`;
      const candidates = [
        unknown,
        "",
        "vtr_",
        token.secret.slice(0, -1),
        `${token.secret}x`,
        `Bearer ${token.secret}`,
        ` ${token.secret}`,
        `${token.secret}\n`,
        token.secret.toUpperCase(),
        token.secret.replace(/^vtr_/, "vtx_"),
        createHash("sha256").update(token.secret).digest("hex"),
        `vtr_${"A".repeat(42)}=`,
      ];
      for (const candidate of candidates) {
        expect(await authenticateToken({ token: candidate, now: later(1000) }), JSON.stringify(candidate)).toBeNull();
      }
      expect((await db().apiToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt).toBeNull();
    });

    it("does not accept the stored hash in place of the secret", async () => {
      const token = await createToken({ actor: system, input: { name: "ci", scopes: ["read"] }, now: T0 });
      const row = await db().apiToken.findUniqueOrThrow({ where: { id: token.id } });
      expect(await authenticateToken({ token: row.tokenHash, now: later(1) })).toBeNull();
      expect(await authenticateToken({ token: `vtr_${row.tokenHash}`, now: later(1) })).toBeNull();
    });
  });

  describe("revokeToken", () => {
    it("revokes, writes a ledger entry, and is idempotent", async () => {
      const token = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest"] }, now: T0 });
      const revoked = await revokeToken({ actor: { kind: "system", name: "admin" }, tokenId: token.id, now: later(5) });
      expect(revoked.revokedAt).toEqual(later(5));
      const entries = await db().ledgerEntry.findMany({ orderBy: { sequence: "asc" } });
      expect(entries.map((e) => e.kind)).toEqual(["token.created", "token.revoked"]);
      expect(entries[1]).toMatchObject({
        actor: "system:admin",
        subject: `token:${token.id}`,
        payload: { name: "ci", prefix: token.prefix },
      });
      // Revoking again changes nothing: the first revocation time stands and no second entry is written.
      const again = await revokeToken({ actor: system, tokenId: token.id, now: later(10) });
      expect(again.revokedAt).toEqual(later(5));
      expect(await db().ledgerEntry.count()).toBe(2);
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 2 });
    });

    it("answers not_found for an unknown token and writes nothing", async () => {
      const error = await revokeToken({ actor: system, tokenId: "0193b0a4-0000-7000-8000-0000000000ff", now: T0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("not_found");
      expect(await db().ledgerEntry.count()).toBe(0);
    });
  });

  describe("listTokens", () => {
    it("never returns the hash or the secret, and lists active tokens first", async () => {
      const old = await createToken({ actor: system, input: { name: "old", scopes: ["read"] }, now: T0 });
      const fresh = await createToken({ actor: system, input: { name: "fresh", scopes: ["ingest"] }, now: later(1000) });
      const gone = await createToken({ actor: system, input: { name: "gone", scopes: ["admin"] }, now: later(2000) });
      await revokeToken({ actor: system, tokenId: gone.id, now: later(3000) });
      const list = await listTokens();
      expect(list.map((t) => t.name)).toEqual(["fresh", "old", "gone"]);
      const text = JSON.stringify(list);
      for (const t of [old, fresh, gone]) {
        expect(text).not.toContain(t.secret);
        expect(text).not.toContain(createHash("sha256").update(t.secret).digest("hex"));
      }
      for (const item of list)
        expect(Object.keys(item).sort()).toEqual([
          "createdAt",
          "createdBy",
          "expiresAt",
          "id",
          "lastUsedAt",
          "name",
          "prefix",
          "revokedAt",
          "scopes",
        ]);
      expect(list[2]).toMatchObject({ name: "gone", revokedAt: later(3000).toISOString(), scopes: ["admin"] });
    });
  });
});

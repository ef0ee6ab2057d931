// People: created with a hashed password and an audit record, signed in with rate limits per
// account and per address, or through OIDC with roles mapped from claims.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError } from "@/lib/api/errors";
import type { SystemActor } from "@/lib/auth/actor";
import { verifyPassword } from "@/lib/auth/password";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { authenticateCredentials } from "@/lib/server/users/authenticate-credentials";
import { createUser } from "@/lib/server/users/create-user";
import { getSessionUser } from "@/lib/server/users/get-session-user";
import { roleFromClaims, signInOidcUser } from "@/lib/server/users/sign-in-oidc-user";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { setTestEnv } from "./helpers/env";

const { db } = setupTestDatabase();
const system: SystemActor = { kind: "system", name: "test" };
const T0 = new Date("2026-11-25T10:00:00.000Z");
const later = (ms: number) => new Date(T0.getTime() + ms);
const PASSWORD = "a long enough password";

const ENV_KEYS = [
  "VITRINE_SIGNIN_MAX_PER_ACCOUNT",
  "VITRINE_SIGNIN_MAX_PER_ADDRESS",
  "VITRINE_SIGNIN_WINDOW_SECONDS",
  "OIDC_ROLE_CLAIM",
  "OIDC_ROLE_MAP",
  "OIDC_DEFAULT_ROLE",
] as const;
// Sign-in logs a line per attempt; keep the test output readable.
const clearEnv = () => setTestEnv({ ...Object.fromEntries(ENV_KEYS.map((k) => [k, undefined])), VITRINE_LOG_LEVEL: "silent" });

describe("users", () => {
  beforeEach(async () => {
    clearEnv();
    await resetDatabase();
  });
  afterEach(() => {
    clearEnv();
    setTestEnv({ VITRINE_LOG_LEVEL: undefined });
  });

  describe("createUser", () => {
    it("lowercases and trims the email, hashes the password, and writes a ledger entry", async () => {
      const user = await createUser({
        actor: system,
        input: { email: "  Alice@Example.COM ", role: "compliance", password: PASSWORD, name: " Alice " },
        now: T0,
      });
      expect(user).toMatchObject({ email: "alice@example.com", role: "compliance", name: "Alice" });
      const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
      expect(row.passwordHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
      expect(row.passwordHash).not.toContain(PASSWORD);
      expect(await verifyPassword(PASSWORD, row.passwordHash as string)).toBe(true);
      expect(row).toMatchObject({ isDemo: false, disabledAt: null, createdAt: T0, oidcSubject: null });
      const entries = await db().ledgerEntry.findMany();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        kind: "user.created",
        actor: "system:test",
        subject: `user:${user.id}`,
        payload: { email: "alice@example.com", role: "compliance", demo: false },
      });
      expect(JSON.stringify(entries[0]?.payload)).not.toContain(PASSWORD);
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 1 });
    });

    it("creates a user without a password (SSO only)", async () => {
      const user = await createUser({ actor: system, input: { email: "sso@example.com", role: "viewer" }, now: T0 });
      expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBeNull();
    });

    it("refuses a duplicate email, whatever its case, with a conflict and no second ledger entry", async () => {
      await createUser({ actor: system, input: { email: "bob@example.com", role: "viewer", password: PASSWORD }, now: T0 });
      const error = await createUser({
        actor: system,
        input: { email: "BOB@example.com", role: "admin", password: PASSWORD },
        now: T0,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("conflict");
      expect((error as AppError).status).toBe(409);
      expect((error as AppError).message).toContain("bob@example.com");
      expect(await db().user.count()).toBe(1);
      expect(await db().ledgerEntry.count()).toBe(1);
      expect((await db().user.findFirstOrThrow()).role).toBe("viewer");
    });

    it("stores one user when the same email is created twice at once", async () => {
      const results = await Promise.allSettled(
        [1, 2].map(() => createUser({ actor: system, input: { email: "race@example.com", role: "viewer" }, now: T0 })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await db().user.count()).toBe(1);
      expect(await db().ledgerEntry.count()).toBe(1);
      expect(await verifyLedger()).toMatchObject({ valid: true });
    });

    it.each([
      ["a short password", { email: "a@example.com", role: "viewer", password: "short" }, "password"],
      ["a bad email", { email: "not-an-email", role: "viewer", password: PASSWORD }, "email"],
      ["an unknown role", { email: "a@example.com", role: "root", password: PASSWORD }, "role"],
      ["a password over 1024 characters", { email: "a@example.com", role: "viewer", password: "p".repeat(1025) }, "password"],
    ])("refuses %s, naming the field, and stores nothing", async (_label, input, field) => {
      const error = await createUser({ actor: system, input: input as never, now: T0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues.map((i) => i.path[0])).toEqual([field]);
      expect(await db().user.count()).toBe(0);
      expect(await db().ledgerEntry.count()).toBe(0);
    });

    it("marks demo users", async () => {
      const user = await createUser({ actor: system, input: { email: "demo@example.com", role: "viewer" }, now: T0, isDemo: true });
      expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).isDemo).toBe(true);
      expect((await db().ledgerEntry.findFirstOrThrow()).payload).toMatchObject({ demo: true });
    });
  });

  describe("authenticateCredentials", () => {
    const signIn = (email: unknown, password: unknown, options: { address?: string; now?: Date } = {}) =>
      authenticateCredentials({ email, password, address: options.address ?? "203.0.113.7", now: options.now ?? later(1000) });

    beforeEach(async () => {
      await createUser({
        actor: system,
        input: { email: "carol@example.com", role: "oncall", password: PASSWORD, name: "Carol" },
        now: T0,
      });
    });

    it("accepts the right password, whatever the email's case, and records the sign-in", async () => {
      const result = await signIn("  CAROL@example.com", PASSWORD);
      expect(result).toEqual({
        ok: true,
        user: { id: expect.any(String), email: "carol@example.com", name: "Carol", role: "oncall" },
      });
      expect((await db().user.findFirstOrThrow()).lastSignInAt).toEqual(later(1000));
    });

    it.each([
      ["a wrong password", "carol@example.com", "a long enough passworD"],
      ["an unknown account", "nobody@example.com", PASSWORD],
      ["an empty password", "carol@example.com", ""],
      ["a password that is not a string", "carol@example.com", 12345],
      ["an email that is not a string", { email: "carol@example.com" }, PASSWORD],
      ["a malformed email", "carol", PASSWORD],
      ["an over-long password", "carol@example.com", "x".repeat(1025)],
    ])("refuses %s as invalid", async (_label, email, password) => {
      expect(await signIn(email, password)).toEqual({ ok: false, reason: "invalid" });
      expect((await db().user.findFirstOrThrow()).lastSignInAt).toBeNull();
    });

    it("refuses a disabled user even with the right password", async () => {
      await db().user.updateMany({ data: { disabledAt: T0 } });
      expect(await signIn("carol@example.com", PASSWORD)).toEqual({ ok: false, reason: "invalid" });
    });

    it("refuses an SSO-only user (no password) whatever is typed", async () => {
      await createUser({ actor: system, input: { email: "sso@example.com", role: "admin" }, now: T0 });
      expect(await signIn("sso@example.com", "")).toEqual({ ok: false, reason: "invalid" });
      expect(await signIn("sso@example.com", PASSWORD)).toEqual({ ok: false, reason: "invalid" });
    });

    it("rate limits per account: after the limit even the right password is refused", async () => {
      setTestEnv({ VITRINE_SIGNIN_MAX_PER_ACCOUNT: "3", VITRINE_SIGNIN_MAX_PER_ADDRESS: "1000", VITRINE_SIGNIN_WINDOW_SECONDS: "900" });
      for (let i = 0; i < 3; i++) {
        // Each from another address: the account limit does not depend on where attempts come from.
        expect(await signIn("carol@example.com", "wrong password!", { address: `198.51.100.${i}` })).toEqual({
          ok: false,
          reason: "invalid",
        });
      }
      const limited = await signIn("carol@example.com", PASSWORD, { address: "198.51.100.200" });
      expect(limited).toMatchObject({ ok: false, reason: "rate_limited" });
      expect(limited.ok === false && limited.retryAfterSeconds).toBeGreaterThan(0);
      expect((await db().user.findFirstOrThrow()).lastSignInAt).toBeNull();
      // Another account is not affected.
      await createUser({ actor: system, input: { email: "dave@example.com", role: "viewer", password: PASSWORD }, now: T0 });
      expect(await signIn("dave@example.com", PASSWORD)).toMatchObject({ ok: true });
      // The account limit counts the email as normalised, so case does not reset it.
      expect(await signIn("Carol@Example.com", PASSWORD)).toMatchObject({ ok: false, reason: "rate_limited" });
    });

    it("rate limits per address across accounts", async () => {
      setTestEnv({ VITRINE_SIGNIN_MAX_PER_ACCOUNT: "1000", VITRINE_SIGNIN_MAX_PER_ADDRESS: "3" });
      for (const email of ["x1@example.com", "x2@example.com", "x3@example.com"]) {
        expect(await signIn(email, PASSWORD, { address: "192.0.2.1" })).toEqual({ ok: false, reason: "invalid" });
      }
      expect(await signIn("carol@example.com", PASSWORD, { address: "192.0.2.1" })).toMatchObject({ ok: false, reason: "rate_limited" });
      // The same person from another address gets in.
      expect(await signIn("carol@example.com", PASSWORD, { address: "192.0.2.2" })).toMatchObject({ ok: true });
    });

    it("lets attempts through again in the next window, and says when that is", async () => {
      setTestEnv({ VITRINE_SIGNIN_MAX_PER_ACCOUNT: "2", VITRINE_SIGNIN_WINDOW_SECONDS: "60" });
      const start = new Date("2026-11-25T10:00:00.000Z"); // a window boundary for 60 s windows
      await signIn("carol@example.com", "wrong password!", { now: start });
      await signIn("carol@example.com", "wrong password!", { now: new Date(start.getTime() + 10_000) });
      const limited = await signIn("carol@example.com", PASSWORD, { now: new Date(start.getTime() + 15_000) });
      expect(limited).toEqual({ ok: false, reason: "rate_limited", retryAfterSeconds: 45 });
      expect(await signIn("carol@example.com", PASSWORD, { now: new Date(start.getTime() + 60_000) })).toMatchObject({ ok: true });
    });

    it("resets the account counter after a successful sign-in", async () => {
      setTestEnv({ VITRINE_SIGNIN_MAX_PER_ACCOUNT: "3", VITRINE_SIGNIN_MAX_PER_ADDRESS: "1000" });
      await signIn("carol@example.com", "wrong password!");
      await signIn("carol@example.com", "wrong password!");
      expect(await signIn("carol@example.com", PASSWORD)).toMatchObject({ ok: true });
      // Three more wrong attempts are allowed (answered invalid, not rate_limited) ...
      for (let i = 0; i < 3; i++) expect(await signIn("carol@example.com", "wrong password!")).toEqual({ ok: false, reason: "invalid" });
      // ... and the fourth attempt is over the limit again.
      expect(await signIn("carol@example.com", PASSWORD)).toMatchObject({ ok: false, reason: "rate_limited" });
    });

    it("counts concurrent attempts exactly (no lost updates)", async () => {
      setTestEnv({ VITRINE_SIGNIN_MAX_PER_ACCOUNT: "5", VITRINE_SIGNIN_MAX_PER_ADDRESS: "1000" });
      const results = await Promise.all(Array.from({ length: 8 }, () => signIn("carol@example.com", "wrong password!")));
      expect(results.filter((r) => !r.ok && r.reason === "rate_limited")).toHaveLength(3);
      const [bucket] = await db().rateLimitBucket.findMany({ where: { key: "signin:account:carol@example.com" } });
      expect(bucket?.count).toBe(8);
    });
  });

  describe("getSessionUser", () => {
    it("returns the current role and refuses disabled or unknown users", async () => {
      const user = await createUser({ actor: system, input: { email: "erin@example.com", role: "viewer" }, now: T0 });
      expect(await getSessionUser({ userId: user.id })).toMatchObject({ kind: "user", id: user.id, role: "viewer" });
      await db().user.update({ where: { id: user.id }, data: { role: "security" } });
      expect(await getSessionUser({ userId: user.id })).toMatchObject({ role: "security" });
      await db().user.update({ where: { id: user.id }, data: { disabledAt: T0 } });
      expect(await getSessionUser({ userId: user.id })).toBeNull();
      expect(await getSessionUser({ userId: "0193b0a4-0000-7000-8000-0000000000ff" })).toBeNull();
      expect(await getSessionUser({ userId: "'; DROP TABLE users; --" })).toBeNull();
    });
  });

  describe("OIDC", () => {
    it("maps claim values through OIDC_ROLE_MAP, the most privileged winning", () => {
      setTestEnv({ OIDC_ROLE_MAP: "sec-team=security,sre=oncall,auditors=compliance" });
      expect(roleFromClaims({ groups: ["sre"] })).toBe("oncall");
      expect(roleFromClaims({ groups: "auditors" })).toBe("compliance");
      expect(roleFromClaims({ groups: ["sre", "sec-team", "auditors"] })).toBe("security");
      expect(roleFromClaims({ groups: ["everyone"] })).toBeNull();
    });

    it("maps a claim value equal to a role name to that role (README)", () => {
      expect(roleFromClaims({ groups: ["viewer"] })).toBe("viewer");
      expect(roleFromClaims({ groups: ["Admin"] })).toBeNull();
    });

    it("uses OIDC_ROLE_CLAIM and OIDC_DEFAULT_ROLE", () => {
      setTestEnv({ OIDC_ROLE_CLAIM: "roles", OIDC_ROLE_MAP: "ops=oncall", OIDC_DEFAULT_ROLE: "viewer" });
      expect(roleFromClaims({ roles: ["ops"], groups: ["admin"] })).toBe("oncall");
      expect(roleFromClaims({ groups: ["admin"] })).toBe("viewer");
      expect(roleFromClaims({})).toBe("viewer");
      expect(roleFromClaims({ roles: 42 })).toBe("viewer");
    });

    it("refuses people whose claims map to no role when the default is none", () => {
      expect(roleFromClaims({})).toBeNull();
      expect(roleFromClaims({ groups: [] })).toBeNull();
      expect(roleFromClaims({ groups: { admin: true } })).toBeNull();
    });

    it("creates a user on first sign-in, with a ledger entry, and updates the role later", async () => {
      setTestEnv({ OIDC_ROLE_MAP: "sre=oncall,sec=security" });
      const first = await signInOidcUser({
        profile: { sub: "idp|42", email: "Frank@Example.com", name: "Frank", groups: ["sre"] },
        now: T0,
      });
      expect(first).not.toBeNull();
      const user = await db().user.findUniqueOrThrow({ where: { id: first?.id } });
      expect(user).toMatchObject({
        email: "frank@example.com",
        oidcSubject: "idp|42",
        role: "oncall",
        name: "Frank",
        passwordHash: null,
        lastSignInAt: T0,
      });
      // The same role again: no new ledger entry.
      await signInOidcUser({ profile: { sub: "idp|42", email: "frank@example.com", groups: ["sre"] }, now: later(1000) });
      expect(await db().ledgerEntry.count()).toBe(1);
      // Promoted in the IdP: the role follows, and the change is in the ledger.
      const again = await signInOidcUser({ profile: { sub: "idp|42", email: "frank@example.com", groups: ["sec"] }, now: later(2000) });
      expect(again?.id).toBe(first?.id);
      expect((await db().user.findUniqueOrThrow({ where: { id: first?.id } })).role).toBe("security");
      const entries = await db().ledgerEntry.findMany({ orderBy: { sequence: "asc" } });
      expect(entries.map((e) => e.kind)).toEqual(["user.created", "user.role-changed"]);
      expect(entries[1]?.payload).toMatchObject({ role: "security", previousRole: "oncall", via: "oidc" });
      expect(await db().user.count()).toBe(1);
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 2 });
    });

    it("refuses a sign-in without sub, email or a role, and creates nothing", async () => {
      setTestEnv({ OIDC_ROLE_MAP: "sre=oncall" });
      expect(await signInOidcUser({ profile: { email: "g@example.com", groups: ["sre"] }, now: T0 })).toBeNull();
      expect(await signInOidcUser({ profile: { sub: "idp|1", groups: ["sre"] }, now: T0 })).toBeNull();
      expect(await signInOidcUser({ profile: { sub: "idp|1", email: "g@example.com", groups: ["nobody"] }, now: T0 })).toBeNull();
      expect(await db().user.count()).toBe(0);
      expect(await db().ledgerEntry.count()).toBe(0);
    });

    it("refuses a disabled user", async () => {
      setTestEnv({ OIDC_ROLE_MAP: "sre=oncall" });
      const first = await signInOidcUser({ profile: { sub: "idp|7", email: "h@example.com", groups: ["sre"] }, now: T0 });
      await db().user.update({ where: { id: first?.id }, data: { disabledAt: T0 } });
      expect(await signInOidcUser({ profile: { sub: "idp|7", email: "h@example.com", groups: ["sre"] }, now: later(1) })).toBeNull();
    });

    // Bug: the lookup is `findFirst({ OR: [{ oidcSubject: sub }, { email }] })` without an order. When
    // the IdP account already linked to one user now carries the email of another (a renamed
    // address), the email match can win; updating that other user with the linked subject violates
    // users_oidc_subject_key and the sign-in throws (a 500). The linked subject must win.
    it("prefers the user already linked to the subject over an email match", async () => {
      setTestEnv({ OIDC_ROLE_MAP: "sre=oncall" });
      // Created first, so a plain scan meets it first.
      const other = await createUser({
        actor: system,
        input: { email: "new-address@example.com", role: "viewer", password: PASSWORD },
        now: T0,
      });
      const linked = await signInOidcUser({ profile: { sub: "idp|99", email: "old-address@example.com", groups: ["sre"] }, now: T0 });
      const result = await signInOidcUser({ profile: { sub: "idp|99", email: "new-address@example.com", groups: ["sre"] }, now: later(1) });
      expect(result?.id).toBe(linked?.id);
      expect((await db().user.findUniqueOrThrow({ where: { id: other.id } })).oidcSubject).toBeNull();
    });
  });
});

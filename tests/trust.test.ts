// The trust store: keys, identities, Sigstore trust roots and X.509 roots; validated on the way in,
// unique by name and fingerprint, revocable once (idempotently), every change in the ledger.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { generateKey } from "openpgp";
import { beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError, toAppError } from "@/lib/api/errors";
import type { SystemActor } from "@/lib/auth/actor";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { createTrustRoot, trustRootFingerprint } from "@/lib/server/trust/create-trust-root";
import { createTrustedIdentity } from "@/lib/server/trust/create-trusted-identity";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { createX509Root } from "@/lib/server/trust/create-x509-root";
import { DEFAULT_TRUST_ROOT_NAME, ensureDefaultTrustRoot } from "@/lib/server/trust/ensure-default-trust-root";
import { getTrustEntryOrThrow } from "@/lib/server/trust/get-trust-entry-or-throw";
import { listTrustEntries } from "@/lib/server/trust/list-trust-entries";
import { revokeTrustEntry } from "@/lib/server/trust/revoke-trust-entry";
import type { TrustKind } from "@/lib/server/trust/schemas";
import { spkiFingerprint } from "@/lib/verify/keys";
import { PUBLIC_GOOD_TRUSTED_ROOT } from "@/lib/verify/public-good-root";
import { issueChain } from "@/lib/verify/test-pki";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const system: SystemActor = { kind: "system", name: "test" };
const T0 = new Date("2026-11-25T10:00:00.000Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

const pemOf = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
const publicGood = () => structuredClone(PUBLIC_GOOD_TRUSTED_ROOT) as Record<string, unknown>;
const chain = () => issueChain({ notBefore: new Date("2026-01-01T00:00:00Z"), notAfter: new Date("2030-01-01T00:00:00Z") });

/** The AppError a promise rejects with (a ZodError becomes the 422 withApi would answer). */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    const app = toAppError(error);
    if (app) return app;
    throw error;
  }
  throw new Error("expected a refusal, but it succeeded");
}

async function ledgerKinds(): Promise<string[]> {
  return (await db().ledgerEntry.findMany({ orderBy: { sequence: "asc" } })).map((e) => e.kind);
}

describe("trusted keys", () => {
  beforeEach(resetDatabase);

  it("trusts a generated P-256 key under its SPKI fingerprint and records it in the ledger", async () => {
    const key = p256();
    const created = await createTrustedKey({
      actor: system,
      input: { name: "release-key", publicKey: pemOf(key), environments: ["prod", "prod", "staging"], owner: "release team" },
      now: T0,
    });
    expect(created).toMatchObject({
      kind: "keys",
      name: "release-key",
      keyKind: "pem",
      algorithm: "ecdsa-p256",
      fingerprint: spkiFingerprint(key),
      environments: ["prod", "staging"],
      owner: "release team",
      status: "active",
      revokedAt: null,
    });
    const [entry] = await db().ledgerEntry.findMany();
    expect(entry).toMatchObject({ kind: "trust.key.created", actor: "system:test", subject: `trust-key:${created.id}` });
    expect(entry?.payload).toMatchObject({ name: "release-key", fingerprint: spkiFingerprint(key) });
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 1 });
  });

  it.each([
    ["Ed25519", () => generateKeyPairSync("ed25519").publicKey, "ed25519"],
    ["P-384", () => generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey, "ecdsa-p384"],
    ["RSA 2048", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey, "rsa-2048"],
  ])("trusts a %s key", async (_label, make, algorithm) => {
    const key = make();
    const created = await createTrustedKey({ actor: system, input: { name: "k", publicKey: pemOf(key) }, now: T0 });
    expect(created).toMatchObject({ algorithm, fingerprint: spkiFingerprint(key) });
  });

  it("trusts an OpenPGP public key under its primary key fingerprint", async () => {
    const { publicKey } = await generateKey({ userIDs: [{ name: "Release", email: "release@example.com" }], format: "armored" });
    const created = await createTrustedKey({ actor: system, input: { name: "pgp", publicKey }, now: T0 });
    expect(created.keyKind).toBe("openpgp");
    expect(created.fingerprint).toMatch(/^[0-9a-f]{40}([0-9a-f]{24})?$/);
    expect(await ledgerKinds()).toEqual(["trust.key.created"]);
  });

  it.each([
    ["an RSA key of 1024 bits", () => pemOf(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey), /at least 2048/],
    ["a P-521 key", () => pemOf(generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey), /P-521/],
    ["garbage", () => "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n", /does not parse/],
    ["not PEM at all", () => "ssh-ed25519 AAAA", /PEM public key/],
    ["a private key", () => generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(), /private key/],
    ["a broken OpenPGP block", () => "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n-----END PGP PUBLIC KEY BLOCK-----\n", /OpenPGP/],
  ])("refuses %s with 422 naming $.publicKey, and stores nothing", async (_label, make, why) => {
    const error = await refusal(createTrustedKey({ actor: system, input: { name: "bad", publicKey: make() }, now: T0 }));
    expect(error.status).toBe(422);
    expect(error.extra.errors?.[0]?.path).toBe("$.publicKey");
    expect(error.extra.errors?.[0]?.message).toMatch(why);
    expect(await db().trustedKey.count()).toBe(0);
    expect(await db().ledgerEntry.count()).toBe(0);
  });

  it("refuses bad fields with their JSON paths", async () => {
    const error = await refusal(
      createTrustedKey({
        actor: system,
        input: { name: " ", publicKey: pemOf(p256()), environments: [""], validFrom: "yesterday", validUntil: "2026-01-01T00:00:00Z" },
        now: T0,
      }),
    );
    expect(error.status).toBe(422);
    expect(error.extra.errors?.map((e) => e.path).sort()).toEqual(["$.environments[0]", "$.name", "$.validFrom"]);
    const window = await refusal(
      createTrustedKey({
        actor: system,
        input: { name: "k", publicKey: pemOf(p256()), validFrom: "2026-02-01T00:00:00Z", validUntil: "2026-01-01T00:00:00Z" },
        now: T0,
      }),
    );
    expect(window.extra.errors).toEqual([{ path: "$.validUntil", message: "must be later than validFrom" }]);
  });

  it("refuses a duplicate name and a key already trusted under another name (409)", async () => {
    const key = p256();
    await createTrustedKey({ actor: system, input: { name: "release-key", publicKey: pemOf(key) }, now: T0 });
    const byName = await refusal(createTrustedKey({ actor: system, input: { name: "release-key", publicKey: pemOf(p256()) }, now: T0 }));
    expect(byName.status).toBe(409);
    expect(byName.extra.errors?.[0]?.path).toBe("$.name");
    const byKey = await refusal(createTrustedKey({ actor: system, input: { name: "again", publicKey: pemOf(key) }, now: T0 }));
    expect(byKey.status).toBe(409);
    expect(byKey.message).toContain("release-key");
    expect(await db().trustedKey.count()).toBe(1);
    expect(await db().ledgerEntry.count()).toBe(1);
  });

  it("refuses concurrent creations of one name: exactly one wins", async () => {
    const results = await Promise.allSettled(
      [p256(), p256(), p256()].map((k) => createTrustedKey({ actor: system, input: { name: "race", publicKey: pemOf(k) }, now: T0 })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as AppError).status).toBe(409);
    expect(await db().trustedKey.count()).toBe(1);
  });
});

describe("trusted identities", () => {
  beforeEach(resetDatabase);
  const issuer = "https://token.actions.githubusercontent.com";

  it("trusts an exact subject and an anchored pattern", async () => {
    const exact = await createTrustedIdentity({
      actor: system,
      input: {
        name: "release-workflow",
        subject: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main",
        subjectPattern: false,
        issuer,
      },
      now: T0,
    });
    expect(exact).toMatchObject({ kind: "identities", subjectPattern: false, issuer, status: "active" });
    const pattern = await createTrustedIdentity({
      actor: system,
      input: { name: "any-acme-workflow", subject: "^https://github\\.com/acme/.+$", subjectPattern: true, issuer },
      now: T0,
    });
    expect(pattern.subjectPattern).toBe(true);
    expect(await ledgerKinds()).toEqual(["trust.identity.created", "trust.identity.created"]);
  });

  it("refuses a pattern the linear-time engine does not take, naming $.subject", async () => {
    const error = await refusal(
      createTrustedIdentity({ actor: system, input: { name: "bad", subject: "(a)\\1", subjectPattern: true, issuer }, now: T0 }),
    );
    expect(error.status).toBe(422);
    expect(error.extra.errors).toEqual([{ path: "$.subject", message: expect.stringMatching(/back-references/) }]);
    // The same text is fine as an exact subject.
    await createTrustedIdentity({ actor: system, input: { name: "exact", subject: "(a)\\1", subjectPattern: false, issuer }, now: T0 });
  });

  it.each(["http://token.actions.githubusercontent.com", "token.actions.githubusercontent.com", ""])(
    "refuses the issuer %j: it must be an https URL",
    async (bad) => {
      const error = await refusal(
        createTrustedIdentity({ actor: system, input: { name: "x", subject: "s", subjectPattern: false, issuer: bad }, now: T0 }),
      );
      expect(error.extra.errors?.map((e) => e.path)).toEqual(["$.issuer"]);
      expect(await db().trustedIdentity.count()).toBe(0);
    },
  );

  it("refuses a duplicate name", async () => {
    const input = { name: "wf", subject: "s", subjectPattern: false, issuer };
    await createTrustedIdentity({ actor: system, input, now: T0 });
    expect((await refusal(createTrustedIdentity({ actor: system, input, now: T0 }))).status).toBe(409);
  });
});

describe("Sigstore trust roots", () => {
  beforeEach(resetDatabase);

  it("seeds the public-good root as the default exactly once", async () => {
    const first = await ensureDefaultTrustRoot({ now: T0 });
    const second = await ensureDefaultTrustRoot({ now: later(1000) });
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, id: first.id });
    const roots = await listTrustEntries({ kind: "roots", now: T0 });
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({
      name: DEFAULT_TRUST_ROOT_NAME,
      isDefault: true,
      fingerprint: trustRootFingerprint(PUBLIC_GOOD_TRUSTED_ROOT),
      thresholds: { tlog: 1, ctlog: 1, timestamp: 1 },
    });
    expect(await ledgerKinds()).toEqual(["trust.root.created"]);
    const full = await getTrustEntryOrThrow({ kind: "roots", id: first.id, now: T0 });
    expect(full.kind === "roots" && full.trustedRoot).toEqual(PUBLIC_GOOD_TRUSTED_ROOT);
  });

  it("seeds once under concurrent starts, and never re-adds a revoked default", async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureDefaultTrustRoot({ now: T0 })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db().trustRoot.count()).toBe(1);
    await revokeTrustEntry({ actor: system, kind: "roots", id: results[0]!.id, input: { reason: "replaced" }, now: T0 });
    expect((await ensureDefaultTrustRoot({ now: later(1) })).created).toBe(false);
    expect(await db().trustRoot.count()).toBe(1);
  });

  it("adds another root with thresholds, and refuses the same document twice", async () => {
    const root = publicGood();
    root.tlogs = (root.tlogs as unknown[]).slice(0, 1);
    const created = await createTrustRoot({
      actor: system,
      input: { name: "private-sigstore", trustedRoot: root, thresholds: { tlog: 1, ctlog: 0, timestamp: 0 } },
      now: T0,
    });
    expect(created).toMatchObject({
      isDefault: false,
      thresholds: { tlog: 1, ctlog: 0, timestamp: 0 },
      fingerprint: trustRootFingerprint(root),
    });
    const again = await refusal(createTrustRoot({ actor: system, input: { name: "copy", trustedRoot: root }, now: T0 }));
    expect(again.status).toBe(409);
    const tooMany = await refusal(
      createTrustRoot({ actor: system, input: { name: "t", trustedRoot: publicGood(), thresholds: { tlog: 3 } }, now: T0 }),
    );
    expect(tooMany.extra.errors?.map((e) => e.path)).toEqual(["$.thresholds.tlog"]);
  });

  it("refuses what is not a trusted_root.json, naming each bad field", async () => {
    const wrongType = publicGood();
    wrongType.mediaType = "application/json";
    expect((await refusal(createTrustRoot({ actor: system, input: { name: "a", trustedRoot: wrongType }, now: T0 }))).extra.errors).toEqual(
      [{ path: "$.trustedRoot.mediaType", message: expect.any(String) }],
    );
    const noLogs = { mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1", tlogs: "none" };
    const paths = (await refusal(createTrustRoot({ actor: system, input: { name: "b", trustedRoot: noLogs }, now: T0 }))).extra.errors?.map(
      (e) => e.path,
    );
    expect(paths).toContain("$.trustedRoot.tlogs");
    const badLog = publicGood();
    badLog.tlogs = [{ baseUrl: "https://rekor.example" }];
    const logPaths = (
      await refusal(createTrustRoot({ actor: system, input: { name: "c", trustedRoot: badLog }, now: T0 }))
    ).extra.errors?.map((e) => e.path);
    expect(logPaths).toEqual(["$.trustedRoot.tlogs[0].publicKey.rawBytes", "$.trustedRoot.tlogs[0].logId.keyId"]);
    expect(await db().trustRoot.count()).toBe(0);
    expect(await db().ledgerEntry.count()).toBe(0);
  });
});

describe("X.509 roots", () => {
  beforeEach(resetDatabase);

  it("trusts a CA certificate under its sha256 fingerprint", async () => {
    const { root } = chain();
    const created = await createX509Root({ actor: system, input: { name: "notary-root", certificate: root.pem }, now: T0 });
    expect(created).toMatchObject({ kind: "x509-roots", subject: expect.stringContaining("CN=Acme Test Root") });
    expect(created.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await ledgerKinds()).toEqual(["trust.x509-root.created"]);
    expect((await refusal(createX509Root({ actor: system, input: { name: "again", certificate: root.pem }, now: T0 }))).status).toBe(409);
  });

  it.each([
    ["a leaf (not a CA)", () => chain().leaf.pem, /not a CA/],
    ["two certificates", () => `${chain().root.pem}${chain().root.pem}`, /one certificate/],
    ["garbage", () => "-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n", /does not parse/],
    ["no PEM", () => "hello", /PEM certificate/],
  ])("refuses %s, naming $.certificate", async (_label, make, why) => {
    const error = await refusal(createX509Root({ actor: system, input: { name: "x", certificate: make() }, now: T0 }));
    expect(error.status).toBe(422);
    expect(error.extra.errors?.[0]).toEqual({ path: "$.certificate", message: expect.stringMatching(why) });
    expect(await db().trustedX509Root.count()).toBe(0);
  });
});

describe("revocation", () => {
  beforeEach(resetDatabase);

  async function oneOfEach(): Promise<Record<TrustKind, string>> {
    const key = await createTrustedKey({ actor: system, input: { name: "k", publicKey: pemOf(p256()) }, now: T0 });
    const identity = await createTrustedIdentity({
      actor: system,
      input: { name: "i", subject: "s", subjectPattern: false, issuer: "https://issuer.example" },
      now: T0,
    });
    const root = await ensureDefaultTrustRoot({ now: T0 });
    const x509 = await createX509Root({ actor: system, input: { name: "x", certificate: chain().root.pem }, now: T0 });
    return { keys: key.id, identities: identity.id, roots: root.id, "x509-roots": x509.id };
  }

  it("revokes each kind with a reason, in the ledger, idempotently", async () => {
    const ids = await oneOfEach();
    const before = await db().ledgerEntry.count();
    for (const [kind, id] of Object.entries(ids) as Array<[TrustKind, string]>) {
      const revoked = await revokeTrustEntry({ actor: system, kind, id, input: { reason: "key leaked" }, now: later(60_000) });
      expect(revoked).toMatchObject({ id, status: "revoked", revokedReason: "key leaked", revokedAt: later(60_000).toISOString() });
      // Again: same answer, no new ledger entry; with the same explicit time too.
      const again = await revokeTrustEntry({ actor: system, kind, id, input: { reason: "again" }, now: later(120_000) });
      expect(again).toMatchObject({ revokedReason: "key leaked", revokedAt: later(60_000).toISOString() });
      await revokeTrustEntry({ actor: system, kind, id, input: { reason: "x", at: later(60_000).toISOString() }, now: later(180_000) });
      // A different time is a conflict: the record must not move.
      const moved = await refusal(
        revokeTrustEntry({ actor: system, kind, id, input: { reason: "x", at: T0.toISOString() }, now: later(180_000) }),
      );
      expect(moved.status).toBe(409);
    }
    const entries = await db().ledgerEntry.findMany({ orderBy: { sequence: "asc" }, skip: before });
    expect(entries.map((e) => e.kind)).toEqual([
      "trust.key.revoked",
      "trust.identity.revoked",
      "trust.root.revoked",
      "trust.x509-root.revoked",
    ]);
    expect(entries[0]).toMatchObject({ actor: "system:test", subject: `trust-key:${ids.keys}` });
    expect(entries[0]?.payload).toEqual({ name: "k", reason: "key leaked", at: later(60_000).toISOString() });
    expect(await verifyLedger()).toMatchObject({ valid: true });
    const listed = await listTrustEntries({ kind: "keys", now: later(200_000) });
    expect(listed[0]).toMatchObject({ status: "revoked", revokedReason: "key leaked" });
  });

  it("revokes at an explicit past time, and a future time is scheduled (still active now)", async () => {
    const ids = await oneOfEach();
    const past = await revokeTrustEntry({
      actor: system,
      kind: "keys",
      id: ids.keys,
      input: { reason: "leaked", at: "2026-11-25T09:00:00+01:00" },
      now: later(1),
    });
    expect(past.revokedAt).toBe("2026-11-25T08:00:00.000Z");
    const future = await revokeTrustEntry({
      actor: system,
      kind: "identities",
      id: ids.identities,
      input: { reason: "rotating", at: later(86_400_000).toISOString() },
      now: later(1),
    });
    expect(future.status).toBe("active");
  });

  it("needs a reason, and answers 404 for an unknown id", async () => {
    const ids = await oneOfEach();
    const noReason = await refusal(revokeTrustEntry({ actor: system, kind: "keys", id: ids.keys, input: { reason: " " }, now: T0 }));
    expect(noReason.extra.errors?.map((e) => e.path)).toEqual(["$.reason"]);
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const kind of ["keys", "identities", "roots", "x509-roots"] as const) {
      expect((await refusal(revokeTrustEntry({ actor: system, kind, id: unknown, input: { reason: "r" }, now: T0 }))).status).toBe(404);
      expect((await refusal(getTrustEntryOrThrow({ kind, id: unknown, now: T0 }))).status).toBe(404);
    }
    // An identity's id is not a key's.
    expect(
      (await refusal(revokeTrustEntry({ actor: system, kind: "keys", id: ids.identities, input: { reason: "r" }, now: T0 }))).status,
    ).toBe(404);
  });
});

describe("errors are values the API can answer", () => {
  it("a ZodError from a verb becomes 422 with paths", () => {
    const error = toAppError(new ZodError([{ code: "custom", path: ["name"], message: "bad", input: "" }]));
    expect(error?.status).toBe(422);
    expect(error).toBeInstanceOf(AppError);
  });
});

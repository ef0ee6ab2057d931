// Vitrine's own verdicts for attestations: DSSE envelopes against trusted keys, Sigstore bundles
// against trusted identities, bare statements never. Ingested through the real verb; real
// cryptography (keys generated here, the Sigstore conformance DSSE bundle).
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import { ingestAttestationsRequest } from "@/lib/server/ingest/ingest-requests";
import { createTrustedIdentity } from "@/lib/server/trust/create-trusted-identity";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { ensureDefaultTrustRoot } from "@/lib/server/trust/ensure-default-trust-root";
import { revokeTrustEntry } from "@/lib/server/trust/revoke-trust-entry";
import { BARE_STATEMENT_REASON, verifyAttestations } from "@/lib/server/verification/verify-attestation";
import { preAuthEncoding } from "@/lib/verify/dsse";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { fixtureBytes } from "./helpers/fixtures";

const { db } = setupTestDatabase();
const admin = { kind: "system", name: "test" } as const;
const IDENTITY =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";
const A_TXT = `sha256:${createHash("sha256").update(fixtureBytes("sigstore", "a.txt")).digest("hex")}`;
const IN_TOTO = "application/vnd.in-toto+json";
const SLSA_V1 = "https://slsa.dev/provenance/v1";
let actor: TokenActor;

const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const pemOf = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();

function provenance(subject: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: "registry.test/app", digest: { sha256: subject.slice("sha256:".length) } }],
      predicateType: SLSA_V1,
      predicate: {
        buildDefinition: {
          buildType: "https://actions.github.io/buildtypes/workflow/v1",
          resolvedDependencies: [{ uri: "git+https://github.com/acme/app@refs/heads/main", digest: { gitCommit: "a".repeat(40) } }],
        },
        runDetails: {
          builder: { id: "https://github.com/actions/runner/github-hosted" },
          metadata: { invocationId: `https://github.com/acme/app/actions/runs/${subject.slice(7, 15)}` },
        },
      },
    }),
  );
}

function dsse(payload: Buffer, privateKey: KeyObject, keyid?: string) {
  const sig = sign("sha256", preAuthEncoding(IN_TOTO, payload), { key: privateKey, dsaEncoding: "der" });
  return {
    payloadType: IN_TOTO,
    payload: payload.toString("base64"),
    signatures: [{ ...(keyid ? { keyid } : {}), sig: sig.toString("base64") }],
  };
}

/** Submits through POST /api/v1/attestations' verb and verifies what was accepted; the stored attestation's id. */
async function submit(body: unknown): Promise<string> {
  const { answer } = await ingestAttestationsRequest({
    actor,
    headers: new Headers({ "content-type": "application/json" }),
    body: Buffer.from(JSON.stringify(body)),
    idempotencyKey: null,
    now: new Date(),
  });
  const documentId = answer.results[0]?.id;
  expect(answer.results[0]?.status, JSON.stringify(answer.results[0]?.problem)).toBe("accepted");
  const row = await db().attestation.findUniqueOrThrow({ where: { documentId: documentId as string }, select: { id: true } });
  await verifyAttestations({ ids: [row.id], now: new Date() });
  return row.id;
}

async function verdictOf(id: string) {
  return db().attestation.findUniqueOrThrow({
    where: { id },
    select: { verdict: true, verdictReason: true, evidence: true, verifiedAt: true },
  });
}

function bundle(caseName: string) {
  return JSON.parse(fixtureBytes("sigstore", caseName, "bundle.sigstore.json").toString());
}

describe("attestation verification", () => {
  beforeEach(async () => {
    await resetDatabase();
    await ensureDefaultTrustRoot({ now: new Date() });
    const t = await db().apiToken.create({ data: { name: "a", prefix: "vtr_a", tokenHash: "d".repeat(64), scopes: ["ingest"] } });
    actor = { kind: "token", id: t.id, name: "a", scopes: ["ingest"] };
  });

  it("DSSE SLSA provenance: a trusted key verifies it, an unknown key leaves it untrusted, a changed payload is invalid", async () => {
    const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const key = await createTrustedKey({
      actor: admin,
      input: { name: "release-key", publicKey: pemOf(release.publicKey) },
      now: new Date(),
    });
    const A = digestOf("app build 1");
    const B = digestOf("app build 2");

    const good = await submit({ envelope: dsse(provenance(A), release.privateKey, key.fingerprint) });
    expect(await verdictOf(good)).toMatchObject({
      verdict: "verified",
      evidence: { keyFingerprint: key.fingerprint, predicateType: SLSA_V1, trustedAs: "release-key" },
    });
    expect((await verdictOf(good)).verifiedAt).toBeInstanceOf(Date);

    const unknown = await submit({ envelope: dsse(provenance(B), stranger.privateKey) });
    expect(await verdictOf(unknown)).toMatchObject({ verdict: "untrusted", verdictReason: "no trusted key verifies it" });

    // The release key's signature over A's provenance, with B's provenance put in its place.
    const tampered = { ...dsse(provenance(A), release.privateKey, key.fingerprint), payload: provenance(B).toString("base64") };
    const changed = await submit({ envelope: tampered });
    const v = await verdictOf(changed);
    expect(v.verdict).toBe("invalid");
    expect(v.verdictReason).toContain("release-key");
  });

  it("a DSSE attestation by a revoked key is revoked on the next run; one declared for another artefact is a subject mismatch", async () => {
    const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const key = await createTrustedKey({
      actor: admin,
      input: { name: "release-key", publicKey: pemOf(release.publicKey) },
      now: new Date(),
    });
    const A = digestOf("app build 3");
    const id = await submit({ envelope: dsse(provenance(A), release.privateKey) });
    expect((await verdictOf(id)).verdict).toBe("verified");

    const elsewhere = await submit({
      artifact: digestOf("some other image"),
      envelope: dsse(provenance(digestOf("app build 4")), release.privateKey),
    });
    expect((await verdictOf(elsewhere)).verdict).toBe("subject-mismatch");

    await revokeTrustEntry({ actor: admin, kind: "keys", id: key.id, input: { reason: "key leaked" }, now: new Date() });
    expect(await verifyAttestations({ now: new Date() })).toEqual({ verified: 0, checked: 2 });
    expect(await verdictOf(id)).toMatchObject({ verdict: "revoked", evidence: { keyFingerprint: key.fingerprint } });
  });

  it("a Sigstore DSSE bundle is untrusted until its identity is trusted, then verified", async () => {
    const id = await submit({ bundle: bundle("happy-path-intoto-in-dsse-v3") });
    const subjects = await db().attestationSubject.findMany({ where: { attestationId: id }, select: { digest: true } });
    expect(subjects).toEqual([{ digest: A_TXT }]);
    expect((await verdictOf(id)).verdict).toBe("untrusted");

    await createTrustedIdentity({ actor: admin, input: { name: "beacon", subject: IDENTITY, issuer: ISSUER }, now: new Date() });
    expect(await verifyAttestations({ now: new Date() })).toEqual({ verified: 1, checked: 1 });
    expect(await verdictOf(id)).toMatchObject({
      verdict: "verified",
      evidence: { identity: IDENTITY, issuer: ISSUER, predicateType: SLSA_V1, trustedAs: "beacon" },
    });
  });

  it("a tampered Sigstore DSSE bundle is never verified, even from a trusted identity", async () => {
    await createTrustedIdentity({ actor: admin, input: { name: "beacon", subject: IDENTITY, issuer: ISSUER }, now: new Date() });
    const id = await submit({ bundle: bundle("dsse-mismatch-sig_fail") });
    expect((await verdictOf(id)).verdict).toBe("invalid");
  });

  it("a bare statement is unverifiable, whatever the trust store holds", async () => {
    const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await createTrustedKey({ actor: admin, input: { name: "release-key", publicKey: pemOf(release.publicKey) }, now: new Date() });
    const id = await submit({ statement: JSON.parse(provenance(digestOf("app build 5")).toString()) });
    expect(await verdictOf(id)).toMatchObject({
      verdict: "unverifiable",
      verdictReason: BARE_STATEMENT_REASON,
      evidence: { predicateType: SLSA_V1 },
    });
  });
});

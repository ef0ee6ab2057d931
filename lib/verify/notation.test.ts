import { constants, createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TrustedIdentity, TrustedX509Root } from "./keys";
import { NOTARY_PAYLOAD_CONTENT_TYPE, type NotationInput, verifyNotationJws } from "./notation";
import { type Chain, flipByte, issueChain } from "./test-pki";

const now = new Date("2026-06-15T12:00:00Z");
const signingTime = "2026-06-15T11:00:00Z";
const digest = `sha256:${createHash("sha256").update("app image manifest").digest("hex")}`;
const otherDigest = `sha256:${createHash("sha256").update("another manifest").digest("hex")}`;
const validity = { notBefore: new Date("2026-01-01T00:00:00Z"), notAfter: new Date("2027-01-01T00:00:00Z") };
const chain = issueChain(validity);

type Header = Record<string, unknown>;
const baseHeader = (): Header => ({
  alg: "ES256",
  cty: NOTARY_PAYLOAD_CONTENT_TYPE,
  crit: ["io.cncf.notary.signingScheme"],
  "io.cncf.notary.signingScheme": "notary.x509",
  "io.cncf.notary.signingTime": signingTime,
});
const payloadFor = (target = digest) => ({
  targetArtifact: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: target, size: 1234 },
});

type Envelope = { payload: string; protected: string; header: Record<string, unknown>; signature: string };

async function envelope(
  options: { header?: Header; payload?: unknown; chain?: Chain; x5c?: Buffer[]; key?: KeyObject } = {},
): Promise<Envelope> {
  const c = options.chain ?? chain;
  // Signed by hand (RFC 7515 signing input), so headers jose would refuse to sign can be tested too.
  const protectedHeader = Buffer.from(JSON.stringify(options.header ?? baseHeader())).toString("base64url");
  const payload = Buffer.from(JSON.stringify(options.payload ?? payloadFor())).toString("base64url");
  const key = options.key ?? c.leaf.privateKey;
  const input = Buffer.from(`${protectedHeader}.${payload}`);
  const signature =
    key.asymmetricKeyType === "rsa"
      ? sign("sha256", input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
      : sign("sha256", input, { key, dsaEncoding: "ieee-p1363" });
  const x5c = (options.x5c ?? [c.leaf.der, c.intermediate.der, c.root.der]).map((der) => der.toString("base64"));
  return {
    payload,
    protected: protectedHeader,
    signature: signature.toString("base64url"),
    header: { x5c, "io.cncf.notary.signingAgent": "notation/1.3.0" },
  };
}

const root = (c: Chain = chain, extra: Partial<TrustedX509Root> = {}): TrustedX509Root => ({
  id: "r1",
  name: "acme-ca",
  certificatePem: c.root.pem,
  ...extra,
});
const identity = (extra: Partial<TrustedIdentity> = {}): TrustedIdentity => ({
  id: "i1",
  name: "release-signer",
  // notation prints subjects CN first, node C first: either order matches.
  subject: "CN=release signer,O=Acme,C=US",
  subjectIsRegex: false,
  issuer: "",
  ...extra,
});

async function verify(env: unknown, overrides: Partial<NotationInput> = {}) {
  return verifyNotationJws({ artifactDigest: digest, envelope: env, roots: [root()], identities: [identity()], now, ...overrides });
}

describe("verifyNotationJws", () => {
  it("is verified: JWS valid, chain to a trusted root, subject trusted", async () => {
    const result = await verify(await envelope());
    expect(result.verdict).toBe("verified");
    expect(result.evidence).toMatchObject({
      identity: "C=US, O=Acme, CN=release signer",
      issuer: "C=US, O=Acme Test, CN=Acme Test Intermediate",
      keyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      trustRoot: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(result.reason).toContain("acme-ca");
  });

  it("accepts the envelope as JSON text, an issuer DN, a subject pattern and an expiry in the future", async () => {
    const env = await envelope({
      header: {
        ...baseHeader(),
        "io.cncf.notary.expiry": "2026-12-01T00:00:00Z",
        crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"],
      },
    });
    expect((await verify(JSON.stringify(env))).verdict).toBe("verified");
    const issuer = identity({ issuer: "CN=Acme Test Intermediate, O=Acme Test, C=US" });
    expect((await verify(env, { identities: [issuer] })).verdict).toBe("verified");
    const pattern = identity({ subject: "C=US, O=Acme, CN=release .+", subjectIsRegex: true });
    expect((await verify(env, { identities: [pattern] })).verdict).toBe("verified");
  });

  it("is verified with an RSA 2048 leaf signing PS256", async () => {
    const rsa = issueChain({ ...validity, leafKey: generateKeyPairSync("rsa", { modulusLength: 2048 }) });
    const env = await envelope({ chain: rsa, header: { ...baseHeader(), alg: "PS256" } });
    expect((await verify(env, { roots: [root(rsa)] })).verdict).toBe("verified");
    const wrongAlg = await envelope({ chain: rsa, header: { ...baseHeader(), alg: "RS256" } });
    expect((await verify(wrongAlg, { roots: [root(rsa)] })).verdict).toBe("invalid");
  });

  it("is untrusted when the chain has no trusted root or the subject matches no identity", async () => {
    const env = await envelope();
    const elsewhere = issueChain(validity);
    expect((await verify(env, { roots: [root(elsewhere)] })).verdict).toBe("untrusted");
    expect((await verify(env, { roots: [] })).verdict).toBe("untrusted");
    expect((await verify(env, { identities: [identity({ subject: "CN=someone else,O=Acme,C=US" })] })).verdict).toBe("untrusted");
    expect((await verify(env, { identities: [identity({ subject: "CN=release signer,O=Acme" })] })).verdict).toBe("untrusted");
    expect((await verify(env, { identities: [identity({ issuer: "CN=Other CA" })] })).verdict).toBe("untrusted");
    const prefix = identity({ subject: "C=US, O=Acme", subjectIsRegex: true });
    expect((await verify(env, { identities: [prefix] })).verdict).toBe("untrusted");
  });

  it("trusts a root entry that is the intermediate (anchor inside the chain)", async () => {
    const env = await envelope();
    const anchored = root(chain, { certificatePem: chain.intermediate.pem });
    expect((await verify(env, { roots: [anchored] })).verdict).toBe("verified");
  });

  it("is a subject mismatch when the payload names another artefact", async () => {
    const result = await verify(await envelope({ payload: payloadFor(otherDigest) }));
    expect(result).toMatchObject({ verdict: "subject-mismatch", reason: expect.stringContaining(otherDigest) });
  });

  it("is revoked when the root or the identity is revoked by now (the signing time is only the signer's claim)", async () => {
    const env = await envelope();
    const revokedRoot = root(chain, { revokedAt: new Date("2026-06-01T00:00:00Z") });
    expect((await verify(env, { roots: [revokedRoot] })).verdict).toBe("revoked");
    const revokedIdentity = identity({ revokedAt: new Date("2026-06-15T11:30:00Z") });
    expect((await verify(env, { identities: [revokedIdentity] })).verdict).toBe("revoked");
    const futureRevocation = identity({ revokedAt: new Date("2026-07-01T00:00:00Z") });
    expect((await verify(env, { identities: [futureRevocation] })).verdict).toBe("verified");
  });

  it("uses the authentic signing time of notary.x509.signingAuthority", async () => {
    const header: Header = {
      ...baseHeader(),
      "io.cncf.notary.signingScheme": "notary.x509.signingAuthority",
      "io.cncf.notary.authenticSigningTime": "2026-03-01T00:00:00Z",
      crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.authenticSigningTime"],
    };
    delete header["io.cncf.notary.signingTime"];
    const env = await envelope({ header });
    expect((await verify(env)).verdict).toBe("verified");
    // Revoked after the authentic signing time: the signature stands.
    expect((await verify(env, { identities: [identity({ revokedAt: new Date("2026-04-01T00:00:00Z") })] })).verdict).toBe("verified");
    expect((await verify(env, { identities: [identity({ revokedAt: new Date("2026-02-01T00:00:00Z") })] })).verdict).toBe("revoked");
    // Certificates valid at the authentic time but expired now still verify.
    const shortLived = issueChain({ notBefore: new Date("2026-01-01T00:00:00Z"), notAfter: new Date("2026-04-01T00:00:00Z") });
    const old = await envelope({ chain: shortLived, header });
    expect((await verify(old, { roots: [root(shortLived)] })).verdict).toBe("verified");
  });

  it("is expired when a certificate was not valid at the signing time, or has expired without an authentic timestamp", async () => {
    const later = issueChain({ notBefore: new Date("2026-06-15T11:30:00Z"), notAfter: new Date("2027-01-01T00:00:00Z") });
    const early = await verify(await envelope({ chain: later }), { roots: [root(later)] });
    expect(early).toMatchObject({ verdict: "expired", reason: expect.stringMatching(/at the signing time/) });
    const lapsed = issueChain({ notBefore: new Date("2026-01-01T00:00:00Z"), notAfter: new Date("2026-06-15T11:30:00Z") });
    const result = await verify(await envelope({ chain: lapsed }), { roots: [root(lapsed)] });
    expect(result).toMatchObject({ verdict: "expired", reason: expect.stringMatching(/no authentic timestamp/) });
  });

  it("is expired past io.cncf.notary.expiry and outside the identity's window", async () => {
    const header = {
      ...baseHeader(),
      "io.cncf.notary.expiry": "2026-06-15T11:59:59Z",
      crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"],
    };
    expect(await verify(await envelope({ header }))).toMatchObject({ verdict: "expired", reason: expect.stringMatching(/expiry/) });
    expect((await verify(await envelope(), { identities: [identity({ validUntil: new Date("2026-06-01T00:00:00Z") })] })).verdict).toBe(
      "expired",
    );
  });

  it.each([
    ["a wrong cty", { cty: "application/json" }, /cty/],
    ["no crit", { crit: undefined }, /crit/],
    [
      "crit without the signing scheme",
      { crit: ["io.cncf.notary.expiry"], "io.cncf.notary.expiry": "2027-01-01T00:00:00Z" },
      /must list io\.cncf\.notary\.signingScheme/,
    ],
    ["an expiry not listed in crit", { "io.cncf.notary.expiry": "2027-01-01T00:00:00Z" }, /crit must list it/],
    [
      "an unknown critical header",
      { crit: ["io.cncf.notary.signingScheme", "com.example.custom"], "com.example.custom": 1 },
      /does not understand/,
    ],
    ["crit naming a registered header", { crit: ["io.cncf.notary.signingScheme", "alg"] }, /registered/],
    ["crit naming an inherited property", { crit: ["io.cncf.notary.signingScheme", "constructor"] }, /does not understand/],
    ["an unknown signing scheme", { "io.cncf.notary.signingScheme": "notary.custom" }, /signing scheme/],
    ["no signing time", { "io.cncf.notary.signingTime": undefined }, /signingTime is required/],
    ["a malformed signing time", { "io.cncf.notary.signingTime": "yesterday" }, /RFC 3339/],
    ["a signing time in the future", { "io.cncf.notary.signingTime": "2026-06-16T12:00:00Z" }, /future/],
    ["an alg that does not match the P-256 leaf", { alg: "ES384" }, /does not match/],
  ] as Array<[string, Header, RegExp]>)("is invalid with %s", async (_, change, reason) => {
    const header: Header = { ...baseHeader(), ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete header[k];
    const result = await verify(await envelope({ header }));
    expect(result.verdict).toBe("invalid");
    expect(result.reason).toMatch(reason);
  });

  it("is unverifiable when a verification plugin is required", async () => {
    const header = {
      ...baseHeader(),
      "io.cncf.notary.verificationPlugin": "com.example.plugin",
      crit: ["io.cncf.notary.signingScheme", "io.cncf.notary.verificationPlugin"],
    };
    expect(await verify(await envelope({ header }))).toMatchObject({ verdict: "unverifiable", reason: expect.stringMatching(/plugin/) });
  });

  it("is invalid when the x5c chain is out of order, unrelated, rootless or the leaf breaks the Notary Project rules", async () => {
    expect((await verify(await envelope({ x5c: [chain.leaf.der, chain.root.der, chain.intermediate.der] }))).verdict).toBe("invalid");
    expect((await verify(await envelope({ x5c: [chain.leaf.der, chain.intermediate.der] }))).reason).toMatch(/root/);
    const other = issueChain(validity);
    expect((await verify(await envelope({ x5c: [chain.leaf.der, chain.intermediate.der, other.root.der] }))).verdict).toBe("invalid");
    const soft = issueChain({ ...validity, leaf: { keyUsage: { bits: ["digitalSignature"], critical: false } } });
    expect(await verify(await envelope({ chain: soft }), { roots: [root(soft)] })).toMatchObject({
      verdict: "invalid",
      reason: expect.stringMatching(/critical/),
    });
    expect((await verify(await envelope({ x5c: [Buffer.from("not a certificate")] }))).verdict).toBe("invalid");
  });

  it("is invalid or unverifiable for envelopes that are not Notary Project JWS", async () => {
    const env = await envelope();
    expect((await verify({ ...env, extra: 1 })).verdict).toBe("invalid");
    expect((await verify({ payload: env.payload, signatures: [{ protected: env.protected, signature: env.signature }] })).verdict).toBe(
      "invalid",
    );
    expect((await verify({ ...env, header: {} })).verdict).toBe("unverifiable");
    expect((await verify(`${env.protected}.${env.payload}.${env.signature}`)).verdict).toBe("unverifiable");
    expect((await verify(undefined)).verdict).toBe("unverifiable");
    expect((await verify("{not json")).verdict).toBe("invalid");
    expect((await verify({ ...env, protected: "!!!" })).verdict).toBe("invalid");
    // A JWS signed by another key than the leaf's.
    const forged = await envelope({ key: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey });
    expect(await verify(forged)).toMatchObject({ verdict: "invalid", reason: expect.stringMatching(/does not verify/) });
  });
});

// Every byte position is tried: CPU-bound, so these get more than the default 5 s on a busy machine.
describe("tampering", { timeout: 60_000 }, () => {
  const b64url = (bytes: Buffer) => bytes.toString("base64url");

  it("a flipped byte anywhere in the payload or the protected header is never verified", async () => {
    const env = await envelope();
    for (const field of ["payload", "protected"] as const) {
      const bytes = Buffer.from(env[field], "base64url");
      for (let i = 0; i < bytes.length; i++) {
        const result = await verify({ ...env, [field]: b64url(flipByte(bytes, i)) });
        expect(result.verdict, `${field} byte ${i}`).not.toBe("verified");
      }
    }
  });

  it("a flipped byte anywhere in the signature is never verified", async () => {
    const env = await envelope();
    const bytes = Buffer.from(env.signature, "base64url");
    for (let i = 0; i < bytes.length; i++) {
      expect((await verify({ ...env, signature: b64url(flipByte(bytes, i)) })).verdict, `signature byte ${i}`).not.toBe("verified");
    }
  });

  it("a flipped byte anywhere in the leaf or intermediate certificate is never verified", async () => {
    const env = await envelope();
    for (const [index, der] of [
      [0, chain.leaf.der],
      [1, chain.intermediate.der],
    ] as const) {
      for (let i = 0; i < der.length; i++) {
        const x5c = [...(env.header.x5c as string[])];
        x5c[index] = flipByte(der, i).toString("base64");
        const result = await verify({ ...env, header: { ...env.header, x5c } });
        expect(result.verdict, `certificate ${index} byte ${i}`).not.toBe("verified");
      }
    }
  });
});

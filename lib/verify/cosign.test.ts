import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type CosignInput, verifyCosign } from "./cosign";
import type { TrustedIdentity, TrustedKey } from "./keys";
import { EKU, flipByte, issueChain, pemOf } from "./test-pki";

const now = new Date("2026-06-15T12:00:00Z");
const digest = `sha256:${createHash("sha256").update("app image manifest").digest("hex")}`;
const otherDigest = `sha256:${createHash("sha256").update("another manifest").digest("hex")}`;

function simpleSigning(manifestDigest = digest): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": "registry.acme.dev/app" },
        image: { "docker-manifest-digest": manifestDigest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
}

function signWith(key: KeyObject, data: Buffer, hash: string | null = "sha256"): Buffer {
  const type = key.asymmetricKeyType;
  if (type === "ed25519") return sign(null, data, key);
  if (type === "ec") return sign(hash, data, { key, dsaEncoding: "der" });
  return sign(hash, data, key);
}

const spkiPem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const trustedKey = (publicKey: KeyObject, extra: Partial<TrustedKey> = {}): TrustedKey => ({
  id: "k1",
  name: "release-key",
  kind: "pem",
  publicKey: spkiPem(publicKey),
  ...extra,
});

const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });

function keyed(overrides: Partial<CosignInput> = {}, payload = simpleSigning(), signer: KeyObject = p256.privateKey): CosignInput {
  return {
    artifactDigest: digest,
    payloadB64: payload.toString("base64"),
    signatureB64: signWith(signer, payload).toString("base64"),
    keys: [trustedKey(p256.publicKey)],
    identities: [],
    now,
    ...overrides,
  };
}

describe("cosign with a public key", () => {
  it("is verified with a trusted P-256 key, naming the key's SPKI fingerprint", () => {
    const result = verifyCosign(keyed());
    expect(result.verdict).toBe("verified");
    const spki = p256.publicKey.export({ type: "spki", format: "der" });
    expect(result.evidence.keyFingerprint).toBe(`sha256:${createHash("sha256").update(spki).digest("hex")}`);
    expect(result.reason).toContain("release-key");
  });

  it.each([
    ["Ed25519", generateKeyPairSync("ed25519"), null],
    ["RSA 2048 (PKCS#1 v1.5, SHA-256)", generateKeyPairSync("rsa", { modulusLength: 2048 }), "sha256"],
    ["P-384 with SHA-384", generateKeyPairSync("ec", { namedCurve: "P-384" }), "sha384"],
    ["P-384 with SHA-256 (older cosign)", generateKeyPairSync("ec", { namedCurve: "P-384" }), "sha256"],
  ])("is verified with a trusted %s key", (_, pair, hash) => {
    const payload = simpleSigning();
    const input = keyed({ keys: [trustedKey(pair.publicKey)], signatureB64: signWith(pair.privateKey, payload, hash).toString("base64") });
    expect(verifyCosign(input).verdict).toBe("verified");
  });

  it("is invalid when signed by a key it was not given: an unknown key never comes out verified", () => {
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const result = verifyCosign(keyed({}, simpleSigning(), stranger.privateKey));
    expect(result.verdict).toBe("invalid");
    expect(result.reason).toMatch(/not given/);
  });

  it("is untrusted when valid under a key it was given that is not trusted", () => {
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const result = verifyCosign(keyed({ untrustedKeysPem: [spkiPem(stranger.publicKey)] }, simpleSigning(), stranger.privateKey));
    expect(result.verdict).toBe("untrusted");
    expect(result.evidence.keyFingerprint).toMatch(/^sha256:/);
    // ...and the untrusted key cannot vouch for a signature that does not verify under it.
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(verifyCosign(keyed({ untrustedKeysPem: [spkiPem(other.publicKey)] }, simpleSigning(), stranger.privateKey)).verdict).toBe(
      "invalid",
    );
  });

  it("is a subject mismatch when the payload signs another digest", () => {
    const result = verifyCosign(keyed({}, simpleSigning(otherDigest)));
    expect(result.verdict).toBe("subject-mismatch");
    expect(result.reason).toContain(otherDigest);
  });

  it("is revoked once the key's revocation time has come, whichever entry lists it", () => {
    expect(verifyCosign(keyed({ keys: [trustedKey(p256.publicKey, { revokedAt: new Date("2026-06-01T00:00:00Z") })] })).verdict).toBe(
      "revoked",
    );
    expect(verifyCosign(keyed({ keys: [trustedKey(p256.publicKey, { revokedAt: now })] })).verdict).toBe("revoked");
    expect(verifyCosign(keyed({ keys: [trustedKey(p256.publicKey, { revokedAt: new Date("2026-07-01T00:00:00Z") })] })).verdict).toBe(
      "verified",
    );
    const twice = [
      trustedKey(p256.publicKey),
      trustedKey(p256.publicKey, { id: "k2", name: "old-entry", revokedAt: new Date("2026-01-01") }),
    ];
    expect(verifyCosign(keyed({ keys: twice })).verdict).toBe("revoked");
  });

  it("is expired outside the key's validity window", () => {
    expect(verifyCosign(keyed({ keys: [trustedKey(p256.publicKey, { validUntil: new Date("2026-06-01T00:00:00Z") })] })).verdict).toBe(
      "expired",
    );
    expect(verifyCosign(keyed({ keys: [trustedKey(p256.publicKey, { validFrom: new Date("2026-07-01T00:00:00Z") })] })).verdict).toBe(
      "expired",
    );
    const window = { validFrom: new Date("2026-01-01T00:00:00Z"), validUntil: new Date("2027-01-01T00:00:00Z") };
    expect(verifyCosign(keyed({ keys: [trustedKey(p256.publicKey, window)] })).verdict).toBe("verified");
  });

  it("is unverifiable without material, invalid with malformed material", () => {
    expect(verifyCosign(keyed({ payloadB64: "" })).verdict).toBe("unverifiable");
    expect(verifyCosign(keyed({ signatureB64: " " })).verdict).toBe("unverifiable");
    expect(verifyCosign(keyed({ signatureB64: "%%%" })).verdict).toBe("invalid");
    expect(verifyCosign(keyed({ payloadB64: "not base64!" })).verdict).toBe("invalid");
    // A genuine signature over something that is not a simple-signing document.
    const notSimple = Buffer.from('{"hello":"world"}');
    expect(verifyCosign(keyed({}, notSimple))).toMatchObject({ verdict: "invalid", reason: expect.stringMatching(/simple-signing/) });
  });

  it("uses only PEM trust entries, and a trusted weak key verifies nothing", () => {
    expect(verifyCosign(keyed({ keys: [trustedKey(p256.publicKey, { kind: "openpgp" })] })).verdict).toBe("invalid");
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const payload = simpleSigning();
    const input = keyed({ keys: [trustedKey(weak.publicKey)], signatureB64: signWith(weak.privateKey, payload).toString("base64") });
    expect(verifyCosign(input).verdict).toBe("invalid");
  });
});

// ---------------------------------------------------------------------------------------------
// Keyless

const WORKFLOW = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
const GITHUB = "https://token.actions.githubusercontent.com";
const leafNotBefore = new Date("2026-06-15T11:50:00Z");
const leafNotAfter = new Date("2026-06-15T12:00:00Z");
const caValidity = { notBefore: new Date("2025-01-01T00:00:00Z"), notAfter: new Date("2030-01-01T00:00:00Z") };

function fulcioChain(leaf: Parameters<typeof issueChain>[0]["leaf"] = {}, validity = caValidity) {
  return issueChain({
    ...validity,
    leafNotBefore,
    leafNotAfter,
    leafSubject: [],
    leaf: { sanUri: WORKFLOW, fulcioIssuerV1: GITHUB, fulcioIssuerV2: GITHUB, ...leaf },
  });
}

const fulcio = fulcioChain();
const identity = (extra: Partial<TrustedIdentity> = {}): TrustedIdentity => ({
  id: "i1",
  name: "release-workflow",
  subject: WORKFLOW,
  subjectIsRegex: false,
  issuer: GITHUB,
  ...extra,
});

function keyless(overrides: Partial<CosignInput> = {}, chain = fulcio, payload = simpleSigning()): CosignInput {
  return {
    artifactDigest: digest,
    payloadB64: payload.toString("base64"),
    signatureB64: signWith(chain.leaf.privateKey, payload).toString("base64"),
    certificatePem: chain.leaf.pem,
    certificateChainPem: `${chain.intermediate.pem}${chain.root.pem}`,
    keys: [],
    identities: [identity()],
    fulcioRootsPem: [chain.root.pem],
    now,
    ...overrides,
  };
}

describe("cosign keyless (Fulcio certificate)", () => {
  it("is verified when the chain reaches a Fulcio root and the SAN and issuer are trusted", () => {
    const result = verifyCosign(keyless());
    expect(result.verdict).toBe("verified");
    expect(result.evidence).toMatchObject({ identity: WORKFLOW, issuer: GITHUB });
    expect(result.evidence.keyFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.evidence.trustRoot).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.reason).toContain(leafNotBefore.toISOString());
  });

  it("accepts the chain inside the certificate field, base64 PEM, and a trust root listing intermediate + root", () => {
    const bundled = keyless({ certificatePem: `${fulcio.leaf.pem}${fulcio.intermediate.pem}`, certificateChainPem: null });
    expect(verifyCosign(bundled).verdict).toBe("verified");
    const encoded = keyless({ certificatePem: Buffer.from(fulcio.leaf.pem).toString("base64") });
    expect(verifyCosign(encoded).verdict).toBe("verified");
    const trustRoot = keyless({ certificateChainPem: null, fulcioRootsPem: [`${fulcio.intermediate.pem}${fulcio.root.pem}`] });
    expect(verifyCosign(trustRoot).verdict).toBe("verified");
  });

  it("matches identities by anchored pattern, and the issuer exactly", () => {
    const pattern = identity({
      subject: "https://github\\.com/acme/[^/]+/\\.github/workflows/release\\.yml@refs/heads/main",
      subjectIsRegex: true,
    });
    expect(verifyCosign(keyless({ identities: [pattern] })).verdict).toBe("verified");
    const prefixOnly = identity({ subject: "https://github\\.com/acme/", subjectIsRegex: true });
    expect(verifyCosign(keyless({ identities: [prefixOnly] })).verdict).toBe("untrusted");
    expect(verifyCosign(keyless({ identities: [identity({ issuer: "https://accounts.google.com" })] })).verdict).toBe("untrusted");
    expect(verifyCosign(keyless({ identities: [identity({ issuer: "" })] })).verdict).toBe("untrusted");
    expect(verifyCosign(keyless({ identities: [] }))).toMatchObject({ verdict: "untrusted", reason: expect.stringContaining(WORKFLOW) });
  });

  it("reads the issuer from the v1 extension when v2 is absent", () => {
    const v1Only = fulcioChain({ fulcioIssuerV2: undefined });
    expect(verifyCosign(keyless({}, v1Only)).verdict).toBe("verified");
  });

  it("is untrusted when the chain reaches no configured Fulcio root", () => {
    const elsewhere = fulcioChain();
    expect(verifyCosign(keyless({ fulcioRootsPem: [elsewhere.root.pem] })).verdict).toBe("untrusted");
    expect(verifyCosign(keyless({ fulcioRootsPem: [] })).verdict).toBe("untrusted");
    expect(verifyCosign(keyless({ fulcioRootsPem: undefined })).verdict).toBe("untrusted");
    expect(verifyCosign(keyless({ fulcioRootsPem: ["garbage"] })).verdict).toBe("untrusted");
  });

  it("is untrusted when the leaf is not a code-signing certificate or names no issuer", () => {
    expect(verifyCosign(keyless({}, fulcioChain({ extKeyUsage: [EKU.serverAuth] }))).verdict).toBe("untrusted");
    expect(verifyCosign(keyless({}, fulcioChain({ fulcioIssuerV1: undefined, fulcioIssuerV2: undefined }))).verdict).toBe("untrusted");
  });

  it("is invalid when the signature was not made by the certificate's key", () => {
    const payload = simpleSigning();
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const result = verifyCosign(keyless({ signatureB64: signWith(other.privateKey, payload).toString("base64") }));
    expect(result.verdict).toBe("invalid");
  });

  it("is a subject mismatch when the payload signs another digest", () => {
    expect(verifyCosign(keyless({}, fulcio, simpleSigning(otherDigest))).verdict).toBe("subject-mismatch");
  });

  it("is revoked only if the identity was revoked by the signing time (the certificate's notBefore)", () => {
    const before = identity({ revokedAt: new Date("2026-06-15T11:00:00Z") });
    expect(verifyCosign(keyless({ identities: [before] })).verdict).toBe("revoked");
    const atSigning = identity({ revokedAt: leafNotBefore });
    expect(verifyCosign(keyless({ identities: [atSigning] })).verdict).toBe("revoked");
    const after = identity({ revokedAt: new Date("2026-06-15T11:55:00Z") });
    expect(verifyCosign(keyless({ identities: [after] })).verdict).toBe("verified");
  });

  it("is expired when the identity's window or a CA certificate's validity excludes the signing time", () => {
    expect(verifyCosign(keyless({ identities: [identity({ validUntil: new Date("2026-06-01T00:00:00Z") })] })).verdict).toBe("expired");
    const oldCa = fulcioChain({}, { notBefore: new Date("2025-01-01T00:00:00Z"), notAfter: new Date("2026-01-01T00:00:00Z") });
    const result = verifyCosign(keyless({}, oldCa));
    expect(result.verdict).toBe("expired");
    expect(result.reason).toMatch(/Acme Test/);
  });

  it("is invalid when the certificate does not parse", () => {
    expect(verifyCosign(keyless({ certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" })).verdict).toBe(
      "invalid",
    );
    expect(verifyCosign(keyless({ certificateChainPem: "junk" })).verdict).toBe("invalid");
  });
});

// ---------------------------------------------------------------------------------------------
// Tampering: one flipped byte anywhere never comes out verified

// Every byte position is tried: CPU-bound, so these get more than the default 5 s on a busy machine.
describe("tampering", { timeout: 60_000 }, () => {
  const payload = simpleSigning();

  it("a flipped byte anywhere in the payload is never verified (keyed and keyless)", () => {
    const keyedSig = signWith(p256.privateKey, payload).toString("base64");
    const keylessSig = signWith(fulcio.leaf.privateKey, payload).toString("base64");
    for (let i = 0; i < payload.length; i++) {
      const tampered = flipByte(payload, i).toString("base64");
      expect(verifyCosign(keyed({ payloadB64: tampered, signatureB64: keyedSig })).verdict, `payload byte ${i}`).not.toBe("verified");
      expect(verifyCosign(keyless({ payloadB64: tampered, signatureB64: keylessSig })).verdict, `payload byte ${i}`).not.toBe("verified");
    }
    expect(verifyCosign(keyed({ signatureB64: keyedSig })).verdict).toBe("verified");
  });

  it("a flipped byte anywhere in the signature is never verified", () => {
    for (const [name, signer, build] of [
      ["keyed", p256.privateKey, keyed],
      ["keyless", fulcio.leaf.privateKey, keyless],
    ] as const) {
      const signature = signWith(signer, payload);
      for (let i = 0; i < signature.length; i++) {
        const result = verifyCosign(build({ signatureB64: flipByte(signature, i).toString("base64") }));
        expect(result.verdict, `${name} signature byte ${i}`).not.toBe("verified");
      }
    }
  });

  it("a flipped byte anywhere in the leaf certificate is never verified", () => {
    const verdicts = new Set<string>();
    for (let i = 0; i < fulcio.leaf.der.length; i++) {
      const result = verifyCosign(keyless({ certificatePem: pemOf(flipByte(fulcio.leaf.der, i)) }));
      expect(result.verdict, `certificate byte ${i}`).not.toBe("verified");
      verdicts.add(result.verdict);
    }
    expect([...verdicts].every((v) => ["invalid", "untrusted", "expired"].includes(v))).toBe(true);
  });

  it("a flipped byte in the intermediate certificate breaks the chain", () => {
    for (let i = 0; i < fulcio.intermediate.der.length; i += 7) {
      const chain = `${pemOf(flipByte(fulcio.intermediate.der, i))}${fulcio.root.pem}`;
      expect(verifyCosign(keyless({ certificateChainPem: chain })).verdict, `intermediate byte ${i}`).not.toBe("verified");
    }
  });
});

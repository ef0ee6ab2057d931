import { constants, createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type DsseInput, preAuthEncoding, verifyDsse } from "./dsse";
import type { TrustedKey } from "./keys";
import { flipByte } from "./test-pki";

const now = new Date("2026-06-15T12:00:00Z");
const IN_TOTO = "application/vnd.in-toto+json";
const hex = (text: string) => createHash("sha256").update(text).digest("hex");
const digest = `sha256:${hex("app image manifest")}`;
const otherDigest = `sha256:${hex("another manifest")}`;

function statement(subjects: string[] = [digest], predicateType = "https://slsa.dev/provenance/v1"): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: subjects.map((d, i) => ({ name: `artefact-${i}`, digest: { [d.split(":")[0] as string]: d.split(":")[1] } })),
      predicateType,
      predicate: {
        buildDefinition: { buildType: "https://example.com/build/v1" },
        runDetails: { builder: { id: "https://ci.example.com/builder" } },
      },
    }),
  );
}

type Signer = { key: KeyObject; pss?: boolean };

function signPae(signer: Signer, payloadType: string, payload: Buffer): Buffer {
  const data = preAuthEncoding(payloadType, payload);
  const { key } = signer;
  if (key.asymmetricKeyType === "ed25519") return sign(null, data, key);
  if (key.asymmetricKeyType === "ec") {
    const hash = key.asymmetricKeyDetails?.namedCurve === "secp384r1" ? "sha384" : "sha256";
    return sign(hash, data, { key, dsaEncoding: "der" });
  }
  if (signer.pss) return sign("sha256", data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return sign("sha256", data, key);
}

function envelope(options: { signers: Signer[]; payload?: Buffer; payloadType?: string; keyids?: Array<string | undefined> }) {
  const payloadType = options.payloadType ?? IN_TOTO;
  const payload = options.payload ?? statement();
  return {
    payloadType,
    payload: payload.toString("base64"),
    signatures: options.signers.map((s, i) => ({
      ...(options.keyids?.[i] !== undefined ? { keyid: options.keyids[i] } : {}),
      sig: signPae(s, payloadType, payload).toString("base64"),
    })),
  };
}

const spkiPem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const fingerprintOf = (key: KeyObject) =>
  `sha256:${createHash("sha256")
    .update(key.export({ type: "spki", format: "der" }))
    .digest("hex")}`;
const trusted = (publicKey: KeyObject, extra: Partial<TrustedKey> = {}): TrustedKey => ({
  id: "k1",
  name: "release-key",
  kind: "pem",
  publicKey: spkiPem(publicKey),
  ...extra,
});

const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const ed = generateKeyPairSync("ed25519");
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });

function input(overrides: Partial<DsseInput> = {}): DsseInput {
  return {
    envelope: envelope({ signers: [{ key: p256.privateKey }], keyids: [fingerprintOf(p256.publicKey)] }),
    subjectDigests: [digest],
    keys: [trusted(p256.publicKey)],
    now,
    ...overrides,
  };
}

describe("preAuthEncoding", () => {
  it("is the DSSEv1 encoding of the spec's example", () => {
    // https://github.com/secure-systems-lab/dsse/blob/master/protocol.md#test-vectors
    expect(preAuthEncoding("http://example.com/HelloWorld", Buffer.from("hello world")).toString()).toBe(
      "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
    );
  });

  it("counts bytes, not characters", () => {
    expect(preAuthEncoding("t\u00e9", Buffer.from("\u00e9")).toString()).toBe("DSSEv1 3 t\u00e9 2 \u00e9");
  });
});

describe("verifyDsse with trusted keys", () => {
  it("is verified with a trusted P-256 key, naming its fingerprint, the trust entry and the predicate type", () => {
    const result = verifyDsse(input());
    expect(result.verdict).toBe("verified");
    expect(result.evidence).toMatchObject({
      keyFingerprint: fingerprintOf(p256.publicKey),
      predicateType: "https://slsa.dev/provenance/v1",
      trustedAs: "release-key",
    });
    expect(result.reason).toContain("release-key");
  });

  it.each([
    ["ECDSA P-384 (SHA-384)", { key: p384.privateKey }, p384.publicKey],
    ["Ed25519", { key: ed.privateKey }, ed.publicKey],
    ["RSA PKCS#1 v1.5", { key: rsa.privateKey }, rsa.publicKey],
    ["RSA PSS", { key: rsa.privateKey, pss: true }, rsa.publicKey],
  ] as const)("verifies %s signatures", (_name, signer, publicKey) => {
    const result = verifyDsse(input({ envelope: envelope({ signers: [signer] }), keys: [trusted(publicKey)] }));
    expect(result.verdict).toBe("verified");
    expect(result.evidence.keyFingerprint).toBe(fingerprintOf(publicKey));
  });

  it("accepts a P-384 signature over SHA-256, as older cosign releases made them", () => {
    const payload = statement();
    const sig = sign("sha256", preAuthEncoding(IN_TOTO, payload), { key: p384.privateKey, dsaEncoding: "der" });
    const env = { payloadType: IN_TOTO, payload: payload.toString("base64"), signatures: [{ sig: sig.toString("base64") }] };
    expect(verifyDsse(input({ envelope: env, keys: [trusted(p384.publicKey)] })).verdict).toBe("verified");
  });

  it("does not accept an ECDSA signature in raw r||s form (cosign and in-toto write DER)", () => {
    const payload = statement();
    const sig = sign("sha256", preAuthEncoding(IN_TOTO, payload), { key: p256.privateKey, dsaEncoding: "ieee-p1363" });
    const env = { payloadType: IN_TOTO, payload: payload.toString("base64"), signatures: [{ sig: sig.toString("base64") }] };
    expect(verifyDsse(input({ envelope: env })).verdict).toBe("untrusted");
  });

  it("accepts a URL-safe base64 payload and signature", () => {
    const payload = statement();
    const sig = signPae({ key: p256.privateKey }, IN_TOTO, payload);
    const env = { payloadType: IN_TOTO, payload: payload.toString("base64url"), signatures: [{ sig: sig.toString("base64url") }] };
    expect(verifyDsse(input({ envelope: env })).verdict).toBe("verified");
  });

  it("is verified when any one signature is by a trusted key, the others by strangers", () => {
    const env = envelope({ signers: [{ key: stranger.privateKey }, { key: p256.privateKey }] });
    expect(verifyDsse(input({ envelope: env })).verdict).toBe("verified");
  });

  it("is verified for every subject the statement names, and a subject-mismatch for one it does not", () => {
    const env = envelope({ signers: [{ key: p256.privateKey }], payload: statement([digest, otherDigest]) });
    expect(verifyDsse(input({ envelope: env, subjectDigests: [digest, otherDigest] })).verdict).toBe("verified");
    const third = `sha256:${hex("third")}`;
    const mismatch = verifyDsse(input({ envelope: env, subjectDigests: [digest, third] }));
    expect(mismatch.verdict).toBe("subject-mismatch");
    expect(mismatch.reason).toContain(third);
    expect(mismatch.evidence.keyFingerprint).toBe(fingerprintOf(p256.publicKey));
  });

  it("compares digests exactly: a sha512 artefact is not a sha256 subject", () => {
    const result = verifyDsse(input({ subjectDigests: [`sha512:${"ab".repeat(64)}`] }));
    expect(result.verdict).toBe("subject-mismatch");
  });
});

describe("verifyDsse without a trusted signer", () => {
  it("is untrusted when signed by an unknown key", () => {
    const env = envelope({ signers: [{ key: stranger.privateKey }], keyids: [fingerprintOf(stranger.publicKey)] });
    const result = verifyDsse(input({ envelope: env }));
    expect(result.verdict).toBe("untrusted");
    expect(result.reason).toBe("no trusted key verifies it");
    expect(result.evidence.keyids).toEqual([fingerprintOf(stranger.publicKey)]);
    expect(result.evidence.keyFingerprint).toBeUndefined();
  });

  it("is untrusted when there are no trusted keys at all, or only OpenPGP ones", () => {
    expect(verifyDsse(input({ keys: [] })).verdict).toBe("untrusted");
    expect(verifyDsse(input({ keys: [{ ...trusted(p256.publicKey), kind: "openpgp" }] })).verdict).toBe("untrusted");
  });

  it("is unverifiable without signatures or without an envelope", () => {
    const env = envelope({ signers: [] });
    expect(verifyDsse(input({ envelope: env })).verdict).toBe("unverifiable");
    expect(verifyDsse(input({ envelope: { ...env, signatures: undefined } })).verdict).toBe("unverifiable");
    expect(verifyDsse(input({ envelope: undefined })).verdict).toBe("unverifiable");
  });
});

describe("verifyDsse invalid material", () => {
  it("is invalid when a signature names a trusted key by keyid but does not verify with it", () => {
    const good = envelope({ signers: [{ key: p256.privateKey }], keyids: [fingerprintOf(p256.publicKey)] });
    const tampered = { ...good, payload: statement([otherDigest]).toString("base64") };
    const result = verifyDsse(input({ envelope: tampered }));
    expect(result.verdict).toBe("invalid");
    expect(result.reason).toContain("release-key");
  });

  it.each([
    ["the bare SPKI hex", (k: KeyObject) => fingerprintOf(k).slice(7)],
    ["the sha256 of the PEM", (k: KeyObject) => hex(spkiPem(k))],
    ["the trust entry id", () => "k1"],
  ])("recognises a trusted key's keyid as %s", (_name, keyid) => {
    const env = envelope({ signers: [{ key: stranger.privateKey }], keyids: [keyid(p256.publicKey)] });
    expect(verifyDsse(input({ envelope: env })).verdict).toBe("invalid");
  });

  it("is invalid when a co-signature claims a trusted key it was not made with, even beside a good one", () => {
    const env = envelope({
      signers: [{ key: p256.privateKey }, { key: stranger.privateKey }],
      keyids: [undefined, fingerprintOf(p256.publicKey)],
    });
    expect(verifyDsse(input({ envelope: env })).verdict).toBe("invalid");
  });

  it("is invalid when the payload type is not in-toto, even if a trusted key signed it", () => {
    const env = envelope({ signers: [{ key: p256.privateKey }], payloadType: "application/vnd.example+json" });
    const result = verifyDsse(input({ envelope: env }));
    expect(result.verdict).toBe("invalid");
    expect(result.reason).toContain("payloadType");
    expect(result.evidence.keyFingerprint).toBe(fingerprintOf(p256.publicKey));
  });

  it("is invalid when the payload is not a Statement, signed or not", () => {
    const payload = Buffer.from(JSON.stringify({ hello: "world" }));
    expect(verifyDsse(input({ envelope: envelope({ signers: [{ key: p256.privateKey }], payload }) })).verdict).toBe("invalid");
    expect(verifyDsse(input({ envelope: envelope({ signers: [{ key: stranger.privateKey }], payload }) })).verdict).toBe("invalid");
    const notJson = Buffer.from("not json");
    expect(verifyDsse(input({ envelope: envelope({ signers: [{ key: p256.privateKey }], payload: notJson }) })).verdict).toBe("invalid");
  });

  it.each([
    ["a payload that is not base64", { payload: "%%%" }],
    ["a signature that is not base64", { signatures: [{ sig: "%%%" }] }],
    ["an empty signature", { signatures: [{ sig: "" }] }],
    ["signatures that are not a list", { signatures: { sig: "AAAA" } }],
    ["a missing payloadType", { payloadType: undefined }],
    ["a numeric keyid", { signatures: [{ sig: "AAAA", keyid: 7 }] }],
    ["too many signatures", { signatures: Array.from({ length: 17 }, () => ({ sig: "AAAA" })) }],
  ])("is invalid for %s", (_name, patch) => {
    expect(verifyDsse(input({ envelope: { ...(input().envelope as object), ...patch } })).verdict).toBe("invalid");
  });

  it("is invalid, never a throw, for hostile shapes", () => {
    for (const env of ["text", 42, [], { payloadType: 1, payload: {}, signatures: [null] }]) {
      expect(verifyDsse(input({ envelope: env })).verdict).toBe("invalid");
    }
  });
});

describe("verifyDsse trust windows (judged at now: a bare envelope has no trusted time)", () => {
  it("is revoked once the key is revoked, and a second entry for the same key does not mask it", () => {
    const revokedAt = new Date("2026-06-01T00:00:00Z");
    const result = verifyDsse(input({ keys: [trusted(p256.publicKey, { revokedAt })] }));
    expect(result.verdict).toBe("revoked");
    expect(result.evidence.keyFingerprint).toBe(fingerprintOf(p256.publicKey));
    const twice = verifyDsse(input({ keys: [trusted(p256.publicKey), trusted(p256.publicKey, { id: "k2", name: "again", revokedAt })] }));
    expect(twice.verdict).toBe("revoked");
  });

  it("is still verified when the revocation comes later than now", () => {
    expect(verifyDsse(input({ keys: [trusted(p256.publicKey, { revokedAt: new Date("2026-07-01T00:00:00Z") })] })).verdict).toBe(
      "verified",
    );
  });

  it("is expired outside the key's validity window", () => {
    expect(verifyDsse(input({ keys: [trusted(p256.publicKey, { validUntil: new Date("2026-01-01T00:00:00Z") })] })).verdict).toBe(
      "expired",
    );
    expect(verifyDsse(input({ keys: [trusted(p256.publicKey, { validFrom: new Date("2027-01-01T00:00:00Z") })] })).verdict).toBe("expired");
  });

  it("a subject mismatch comes before the key's window", () => {
    const revokedAt = new Date("2026-06-01T00:00:00Z");
    expect(verifyDsse(input({ keys: [trusted(p256.publicKey, { revokedAt })], subjectDigests: [otherDigest] })).verdict).toBe(
      "subject-mismatch",
    );
  });
});

describe("verifyDsse tampering: one changed byte never gives verified", () => {
  const positions = (length: number) => [...new Set([0, 1, 7, Math.floor(length / 3), Math.floor(length / 2), length - 2, length - 1])];
  const cases = [
    ["P-256", { key: p256.privateKey }, p256.publicKey],
    ["P-384", { key: p384.privateKey }, p384.publicKey],
    ["Ed25519", { key: ed.privateKey }, ed.publicKey],
    ["RSA", { key: rsa.privateKey }, rsa.publicKey],
    ["RSA PSS", { key: rsa.privateKey, pss: true }, rsa.publicKey],
  ] as const;

  for (const [name, signer, publicKey] of cases) {
    for (const withKeyid of [true, false]) {
      it(`${name}, ${withKeyid ? "with" : "without"} a keyid: payload, signature and payload type flips`, () => {
        const payload = statement();
        const env = envelope({ signers: [signer], payload, keyids: withKeyid ? [fingerprintOf(publicKey)] : [] });
        const keys = [trusted(publicKey)];
        expect(verifyDsse({ envelope: env, subjectDigests: [digest], keys, now }).verdict).toBe("verified");
        const sig = Buffer.from(env.signatures[0]!.sig, "base64");
        const variants = [
          ...positions(payload.length).map((i) => ({ ...env, payload: flipByte(payload, i).toString("base64") })),
          ...positions(sig.length).map((i) => ({
            ...env,
            signatures: [{ ...env.signatures[0], sig: flipByte(sig, i).toString("base64") }],
          })),
          { ...env, payloadType: `${IN_TOTO} ` },
          { ...env, payload: Buffer.concat([payload, Buffer.from(" ")]).toString("base64") },
          { ...env, signatures: [{ ...env.signatures[0], sig: Buffer.concat([sig, Buffer.from([0])]).toString("base64") }] },
          { ...env, signatures: [{ ...env.signatures[0], sig: sig.subarray(0, sig.length - 1).toString("base64") }] },
        ];
        for (const variant of variants) {
          const result = verifyDsse({ envelope: variant, subjectDigests: [digest], keys, now });
          expect(result.verdict).not.toBe("verified");
          // With the keyid, Vitrine knows which key should have verified it: the change is named as such.
          if (withKeyid) expect(result.verdict).toBe("invalid");
        }
      });
    }
  }

  it("one changed character of the base64 text never gives verified", () => {
    const env = envelope({ signers: [{ key: p256.privateKey }] });
    for (const field of ["payload", "sig"] as const) {
      const text = field === "payload" ? env.payload : env.signatures[0]!.sig;
      for (let i = 0; i < text.length; i += Math.max(1, Math.floor(text.length / 25))) {
        const replaced = text.slice(0, i) + (text[i] === "A" ? "B" : "A") + text.slice(i + 1);
        const variant =
          field === "payload" ? { ...env, payload: replaced } : { ...env, signatures: [{ ...env.signatures[0], sig: replaced }] };
        expect(verifyDsse({ envelope: variant, subjectDigests: [digest], keys: [trusted(p256.publicKey)], now }).verdict).not.toBe(
          "verified",
        );
      }
    }
  });
});

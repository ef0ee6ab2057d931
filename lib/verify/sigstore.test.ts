import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { BUNDLE_V03_MEDIA_TYPE } from "@sigstore/bundle";
import { describe, expect, it } from "vitest";
import { keyFingerprint, type SigstorePolicy, type VerifySigstoreBundleInput, verifySigstoreBundle } from "./sigstore";
import { CONFORMANCE_IDENTITY, CONFORMANCE_ISSUER, loadCase, publicGoodRootPath, readJson } from "./test-fixtures";

const IDENTITY: SigstorePolicy = { identity: { subject: CONFORMANCE_IDENTITY, issuer: CONFORMANCE_ISSUER } };
const PUBLIC_GOOD = readJson(publicGoodRootPath()) as Record<string, unknown>;
const NO_LOG = { tlogThreshold: 0, timestampThreshold: 0 };

const v03 = loadCase("happy-path-v0.3");
const dsse = loadCase("happy-path-intoto-in-dsse-v3");
const managed = loadCase("managed-key-happy-path");
const rekor2 = loadCase("rekor2-happy-path");

function sha256(data: Uint8Array): Buffer {
  return createHash("sha256").update(data).digest();
}

function digestOf(data: Uint8Array): string {
  return `sha256:${sha256(data).toString("hex")}`;
}

function verifyV03(overrides: Partial<VerifySigstoreBundleInput> = {}) {
  return verifySigstoreBundle({
    bundle: v03.bundle,
    artifact: { bytes: v03.bytes },
    trustedRoot: v03.trustedRoot,
    policy: IDENTITY,
    ...overrides,
  });
}

function withIdentity(subject: string, options: { regex?: boolean; issuer?: string } = {}): SigstorePolicy {
  return { identity: { subject, subjectIsRegex: options.regex ?? false, issuer: options.issuer ?? CONFORMANCE_ISSUER } };
}

function pem(key: KeyObject): string {
  return key.export({ type: "spki", format: "pem" }).toString();
}

describe("keyless: identity and issuer", () => {
  it("verifies the right bundle for the exact identity and issuer, with evidence", async () => {
    const result = await verifyV03();
    expect(result.verdict).toBe("verified");
    expect(result.evidence).toEqual({
      identity: CONFORMANCE_IDENTITY,
      issuer: CONFORMANCE_ISSUER,
      keyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      logIndex: "79571823",
      integratedTime: "2024-03-19T17:26:26.000Z",
      trustRoot: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("is untrusted for another identity, and still says who signed", async () => {
    const result = await verifyV03({ policy: withIdentity("https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main") });
    expect(result.verdict).toBe("untrusted");
    expect(result.reason).toContain("is not the trusted identity");
    expect(result.evidence.identity).toBe(CONFORMANCE_IDENTITY);
  });

  it("is untrusted for the right identity with another issuer (exact match, not a prefix)", async () => {
    for (const issuer of ["https://accounts.google.com", `${CONFORMANCE_ISSUER}/`, "https://token.actions.githubusercontent.co"]) {
      const result = await verifyV03({ policy: withIdentity(CONFORMANCE_IDENTITY, { issuer }) });
      expect(result.verdict, issuer).toBe("untrusted");
      expect(result.reason).toContain("is not the trusted issuer");
    }
  });

  it("matches an exact identity exactly: no substring, no prefix, no regex metacharacters", async () => {
    const nearMisses = [
      "https://github.com/sigstore-conformance/", // a prefix: String.prototype.match would accept it
      "extremely-dangerous-oidc-beacon", // a substring
      CONFORMANCE_IDENTITY.replace(/\.yml/, "?yml"), // a pattern that would match as a regex
      CONFORMANCE_IDENTITY.replaceAll(".", "."), // itself, the control
      `${CONFORMANCE_IDENTITY}x`,
      CONFORMANCE_IDENTITY.replace("/main", "/.*"),
    ];
    const verdicts = await Promise.all(nearMisses.map(async (s) => (await verifyV03({ policy: withIdentity(s) })).verdict));
    expect(verdicts).toEqual(["untrusted", "untrusted", "untrusted", "verified", "untrusted", "untrusted"]);
  });

  it("anchors identity patterns: a pattern must match the whole SAN", async () => {
    const cases: Array<[string, string]> = [
      ["https://github\\.com/sigstore-conformance/.+@refs/heads/main", "verified"],
      ["^https://github\\.com/sigstore-conformance/.+$", "verified"], // already anchored: still fine
      ["https://github\\.com/sigstore-conformance/", "untrusted"], // a prefix pattern, unanchored on the right
      ["extremely-dangerous", "untrusted"], // a fragment
      [".*@refs/heads/dev|https://github\\.com/sigstore-conformance/.*", "verified"], // each alternative anchored
      ["https://evil\\.example/x|extremely-dangerous", "untrusted"], // alternation cannot unanchor a branch
      ["https://github\\.com/sigstore-conformance/.+@refs/heads/main\\n?", "verified"],
      [".*", "verified"], // the policy author's choice: anything
    ];
    for (const [pattern, expected] of cases) {
      const result = await verifyV03({ policy: withIdentity(pattern, { regex: true }) });
      expect(result.verdict, pattern).toBe(expected);
    }
  });

  it("does not verify with an identity pattern that does not compile", async () => {
    const result = await verifyV03({ policy: withIdentity("https://github.com/(unclosed", { regex: true }) });
    expect(result.verdict).toBe("unverifiable");
    expect(result.reason).toContain("not a valid regular expression");
  });

  it("is untrusted when no identity or key is trusted at all", async () => {
    const result = await verifyV03({ policy: {} });
    expect(result.verdict).toBe("untrusted");
    expect(result.evidence.identity).toBe(CONFORMANCE_IDENTITY);
  });

  it("refuses an identity policy without subject or issuer", async () => {
    expect((await verifyV03({ policy: withIdentity("") })).verdict).toBe("unverifiable");
    expect((await verifyV03({ policy: withIdentity(CONFORMANCE_IDENTITY, { issuer: "" }) })).verdict).toBe("unverifiable");
  });

  it("is untrusted for a certificate bundle when the policy trusts a key instead", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const result = await verifyV03({ policy: { key: { pem: pem(publicKey) } } });
    expect(result.verdict).toBe("untrusted");
    expect(result.reason).toContain("not by the trusted key");
  });

  it("refuses a policy naming both an identity and a key", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const result = await verifyV03({ policy: { ...IDENTITY, key: { pem: pem(publicKey) } } });
    expect(result.verdict).toBe("unverifiable");
  });

  it("reports a Rekor v2 entry's proven log index and its RFC 3161 time (no integrated time)", async () => {
    const result = await verifySigstoreBundle({
      bundle: rekor2.bundle,
      artifact: { bytes: rekor2.bytes },
      trustedRoot: rekor2.trustedRoot,
      policy: IDENTITY,
    });
    expect(result.verdict).toBe("verified");
    expect(result.evidence.integratedTime).toBeUndefined();
    expect(result.evidence.timestampedTime).toBe("2025-06-12T12:02:20.000Z");
    // The entry's own logIndex is signed by nothing in a Rekor v2 bundle: the evidence does not follow it.
    const relabelled = structuredClone(rekor2.bundle) as { verificationMaterial: { tlogEntries: Array<{ logIndex: string }> } };
    const proven = result.evidence.logIndex;
    const [entry] = relabelled.verificationMaterial.tlogEntries;
    if (entry) entry.logIndex = "999999999";
    const again = await verifySigstoreBundle({
      bundle: relabelled,
      artifact: { bytes: rekor2.bytes },
      trustedRoot: rekor2.trustedRoot,
      policy: IDENTITY,
    });
    expect(again.verdict).toBe("verified");
    expect(again.evidence.logIndex).toBe(proven);
  });
});

describe("keyless: trust roots", () => {
  it("does not verify a public-good bundle against the staging root", async () => {
    const result = await verifyV03({ trustedRoot: rekor2.trustedRoot });
    expect(result.verdict).not.toBe("verified");
  });

  it("is untrusted when the certificate comes from a CA the trust root does not know", async () => {
    // Public-good logs, but only the staging Fulcio CA: the certificate is valid, its issuer not trusted.
    const root = { ...PUBLIC_GOOD, certificateAuthorities: (rekor2.trustedRoot as Record<string, unknown>).certificateAuthorities };
    const result = await verifyV03({ trustedRoot: root });
    expect(result.verdict).toBe("untrusted");
    expect(result.reason).toContain("not in the trust root");
  });

  it("is untrusted when no Fulcio CA of the root was valid at the signing time", async () => {
    const cas = PUBLIC_GOOD.certificateAuthorities as Array<Record<string, unknown>>;
    const shifted = cas.map((ca) => ({ ...ca, validFor: { start: "2030-01-01T00:00:00Z" } }));
    const result = await verifyV03({ trustedRoot: { ...PUBLIC_GOOD, certificateAuthorities: shifted } });
    expect(result.verdict).toBe("untrusted");
    expect(result.reason).toContain("valid at the signing time");
  });

  it("is invalid when the root does not know the transparency log", async () => {
    const result = await verifyV03({ trustedRoot: { ...PUBLIC_GOOD, tlogs: [] } });
    expect(result.verdict).toBe("invalid");
  });

  it("is unverifiable without a usable trust root", async () => {
    for (const trustedRoot of [undefined, null, "root", [], {}, { mediaType: "application/json" }]) {
      const result = await verifyV03({ trustedRoot });
      expect(result.verdict, JSON.stringify(trustedRoot)).toBe("unverifiable");
    }
  });
});

describe("managed key", () => {
  it("verifies with the trusted key and reports its fingerprint and timestamp", async () => {
    const result = await verifySigstoreBundle({
      bundle: managed.bundle,
      artifact: { bytes: managed.bytes },
      trustedRoot: managed.trustedRoot,
      policy: { key: { pem: managed.keyPem ?? "" } },
    });
    expect(result.verdict).toBe("verified");
    const { createPublicKey } = await import("node:crypto");
    expect(result.evidence.keyFingerprint).toBe(keyFingerprint(createPublicKey(managed.keyPem ?? "")));
    expect(result.evidence.timestampedTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(result.evidence.identity).toBeUndefined();
  });

  it("is invalid with another (well-formed) key: the signature does not verify with the trusted key", async () => {
    for (const curve of ["P-256", "P-384"]) {
      const { publicKey } = generateKeyPairSync("ec", { namedCurve: curve });
      const result = await verifySigstoreBundle({
        bundle: managed.bundle,
        artifact: { bytes: managed.bytes },
        trustedRoot: managed.trustedRoot,
        policy: { key: { pem: pem(publicKey) } },
      });
      expect(result.verdict).toBe("invalid");
      expect(result.reason).toBe("signature does not verify with the trusted key");
    }
  });

  it("is unverifiable when the trusted key is not a key (the wrong-key conformance case)", async () => {
    const wrong = loadCase("managed-key-wrong-key_fail");
    for (const keyPem of [wrong.keyPem ?? "", "", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]) {
      const result = await verifySigstoreBundle({
        bundle: wrong.bundle,
        artifact: { bytes: wrong.bytes },
        trustedRoot: wrong.trustedRoot,
        policy: { key: { pem: keyPem } },
      });
      expect(result.verdict).toBe("unverifiable");
    }
  });

  it("is unverifiable under an identity policy: there is no certificate to check", async () => {
    const result = await verifySigstoreBundle({
      bundle: managed.bundle,
      artifact: { bytes: managed.bytes },
      trustedRoot: managed.trustedRoot,
      policy: IDENTITY,
    });
    expect(result.verdict).toBe("unverifiable");
  });
});

// -----------------------------------------------------------------------------------------------
// Bundles made here with fresh keys: a v0.3 bundle with a public key hint and no transparency log.

type KeyKind = "P-256" | "P-384" | "Ed25519" | "RSA";

function freshKey(kind: KeyKind) {
  if (kind === "Ed25519") return generateKeyPairSync("ed25519");
  if (kind === "RSA") return generateKeyPairSync("rsa", { modulusLength: 2048 });
  return generateKeyPairSync("ec", { namedCurve: kind });
}

function hintOf(publicKey: KeyObject): string {
  return sha256(publicKey.export({ type: "spki", format: "der" })).toString("base64");
}

function messageBundle(privateKey: KeyObject, publicKey: KeyObject, bytes: Buffer) {
  const signature = sign(privateKey.asymmetricKeyType === "ed25519" ? null : "sha256", bytes, privateKey);
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: hintOf(publicKey) }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: "SHA2_256", digest: sha256(bytes).toString("base64") },
      signature: signature.toString("base64"),
    },
  };
}

function dsseBundle(privateKey: KeyObject, publicKey: KeyObject, payload: Buffer, payloadType = "application/vnd.in-toto+json") {
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `), payload]);
  const sig = sign(privateKey.asymmetricKeyType === "ed25519" ? null : "sha256", pae, privateKey);
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: hintOf(publicKey) }, tlogEntries: [] },
    dsseEnvelope: { payloadType, payload: payload.toString("base64"), signatures: [{ sig: sig.toString("base64"), keyid: "" }] },
  };
}

function statementFor(digests: Array<Record<string, string>>): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: digests.map((digest, i) => ({ name: `file-${i}`, digest })),
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {},
    }),
  );
}

describe("generated key, messageSignature bundle without tlog entries", () => {
  const bytes = v03.bytes; // a.txt
  for (const kind of ["P-256", "P-384", "Ed25519", "RSA"] as const) {
    describe(kind, () => {
      const { privateKey, publicKey } = freshKey(kind);
      const bundle = messageBundle(privateKey, publicKey, bytes);
      const run = (overrides: Partial<VerifySigstoreBundleInput> = {}) =>
        verifySigstoreBundle({
          bundle,
          artifact: { bytes },
          trustedRoot: PUBLIC_GOOD,
          policy: { key: { pem: pem(publicKey) } },
          thresholds: NO_LOG,
          ...overrides,
        });

      it("verifies with its key when the policy requires no tlog entry and no timestamp", async () => {
        const result = await run();
        expect(result.verdict, result.reason).toBe("verified");
        expect(result.evidence.keyFingerprint).toBe(keyFingerprint(publicKey));
        expect(result.evidence.logIndex).toBeUndefined();
      });

      it("is unverifiable under the default thresholds: no transparency evidence", async () => {
        const result = await run({ thresholds: undefined });
        expect(result.verdict).toBe("unverifiable");
        expect(result.reason).toMatch(/carries 0 of the 1/);
      });

      it("is invalid with another key", async () => {
        const other = freshKey(kind).publicKey;
        const result = await run({ policy: { key: { pem: pem(other) } } });
        expect(result.verdict).toBe("invalid");
        expect(result.reason).toBe("signature does not verify with the trusted key");
      });

      it("is invalid with a changed signature", async () => {
        const tampered = structuredClone(bundle);
        const sig = Buffer.from(tampered.messageSignature.signature, "base64");
        sig[sig.length >> 1] = (sig[sig.length >> 1] ?? 0) ^ 0x01;
        tampered.messageSignature.signature = sig.toString("base64");
        expect((await run({ bundle: tampered })).verdict).toBe("invalid");
        expect((await run({ bundle: tampered, artifact: { digest: digestOf(bytes) } })).verdict).not.toBe("verified");
      });

      it("is a subject mismatch for other bytes (it validly signs another artefact)", async () => {
        const result = await run({ artifact: { bytes: Buffer.from("other artefact\n") } });
        if (kind === "Ed25519") {
          // A digest alone cannot check EdDSA, so the bundle cannot be shown valid for its own digest.
          expect(result.verdict).toBe("invalid");
        } else {
          expect(result.verdict).toBe("subject-mismatch");
          expect(result.reason).toContain(digestOf(bytes).slice("sha256:".length));
        }
      });

      it(`from the digest alone: ${kind === "Ed25519" ? "unverifiable (EdDSA signs the message itself)" : "verified"}`, async () => {
        const result = await run({ artifact: { digest: digestOf(bytes) } });
        expect(result.verdict, result.reason).toBe(kind === "Ed25519" ? "unverifiable" : "verified");
        const wrong = await run({ artifact: { digest: digestOf(Buffer.from("x")) } });
        expect(wrong.verdict).not.toBe("verified");
      });
    });
  }

  it("refuses thresholds that are not non-negative integers", async () => {
    const { privateKey, publicKey } = freshKey("P-256");
    for (const thresholds of [{ tlogThreshold: -1 }, { timestampThreshold: 0.5 }, { ctlogThreshold: Number.NaN }]) {
      const result = await verifySigstoreBundle({
        bundle: messageBundle(privateKey, publicKey, bytes),
        artifact: { bytes },
        trustedRoot: PUBLIC_GOOD,
        policy: { key: { pem: pem(publicKey) } },
        thresholds,
      });
      expect(result.verdict).toBe("unverifiable");
    }
  });

  it("never lets a keyless bundle skip its timestamp: the certificate needs a verified time", async () => {
    const stripped = structuredClone(v03.bundle) as { verificationMaterial: { tlogEntries: unknown[] } };
    stripped.verificationMaterial.tlogEntries = [];
    const result = await verifyV03({ bundle: stripped, thresholds: { tlogThreshold: 0, timestampThreshold: 0 } });
    expect(result.verdict).toBe("unverifiable");
  });
});

describe("generated key, DSSE bundle: the subject is compared with the artefact", () => {
  const bytes = v03.bytes;
  const { privateKey, publicKey } = freshKey("P-256");
  const policy = { key: { pem: pem(publicKey) } };
  const run = (bundle: unknown, artifact: VerifySigstoreBundleInput["artifact"] = { bytes }) =>
    verifySigstoreBundle({ bundle, artifact, trustedRoot: PUBLIC_GOOD, policy, thresholds: NO_LOG });
  const hex = sha256(bytes).toString("hex");

  it("verifies when a subject names the artefact (bytes or digest)", async () => {
    const bundle = dsseBundle(privateKey, publicKey, statementFor([{ sha256: "0".repeat(64) }, { sha256: hex }]));
    expect((await run(bundle)).verdict).toBe("verified");
    expect((await run(bundle, { digest: `sha256:${hex}` })).verdict).toBe("verified");
  });

  it("is a subject mismatch when no subject names it", async () => {
    const bundle = dsseBundle(privateKey, publicKey, statementFor([{ sha256: "0".repeat(64) }]));
    const result = await run(bundle);
    expect(result.verdict).toBe("subject-mismatch");
    expect(result.evidence.keyFingerprint).toBe(keyFingerprint(publicKey));
  });

  it("is a subject mismatch when the payload is not an in-toto Statement", async () => {
    expect((await run(dsseBundle(privateKey, publicKey, Buffer.from("{}")))).verdict).toBe("subject-mismatch");
    expect((await run(dsseBundle(privateKey, publicKey, Buffer.from(hex), "text/plain"))).verdict).toBe("subject-mismatch");
  });

  it("is unverifiable when the statement and the artefact share no digest algorithm", async () => {
    const sha512 = createHash("sha512").update(bytes).digest("hex");
    const bundle = dsseBundle(privateKey, publicKey, statementFor([{ sha512 }]));
    expect((await run(bundle, { digest: `sha256:${hex}` })).verdict).toBe("unverifiable");
    expect((await run(bundle)).verdict).toBe("verified"); // from the bytes, both digests are known
  });

  it("is invalid with a changed payload, and with another key", async () => {
    const bundle = dsseBundle(privateKey, publicKey, statementFor([{ sha256: hex }]));
    const tampered = structuredClone(bundle);
    tampered.dsseEnvelope.payload = statementFor([{ sha256: hex }, { sha256: "1".repeat(64) }]).toString("base64");
    expect((await run(tampered)).verdict).toBe("invalid");
    const other = freshKey("P-256").publicKey;
    const result = await verifySigstoreBundle({
      bundle,
      artifact: { bytes },
      trustedRoot: PUBLIC_GOOD,
      policy: { key: { pem: pem(other) } },
      thresholds: NO_LOG,
    });
    expect(result.verdict).toBe("invalid");
  });

  it("verifies with Ed25519 too", async () => {
    const ed = freshKey("Ed25519");
    const bundle = dsseBundle(ed.privateKey, ed.publicKey, statementFor([{ sha256: hex }]));
    const result = await verifySigstoreBundle({
      bundle,
      artifact: { bytes },
      trustedRoot: PUBLIC_GOOD,
      policy: { key: { pem: pem(ed.publicKey) } },
      thresholds: NO_LOG,
    });
    expect(result.verdict, result.reason).toBe("verified");
  });
});

describe("fixture bundles against another artefact", () => {
  it("a message signature for other bytes is a subject mismatch, naming what it signs", async () => {
    const result = await verifyV03({ artifact: { bytes: Buffer.from("not a.txt\n") } });
    expect(result.verdict).toBe("subject-mismatch");
    expect(result.reason).toContain(digestOf(v03.bytes));
    expect(result.evidence.identity).toBe(CONFORMANCE_IDENTITY);
  });

  it("a DSSE attestation about a.txt is a subject mismatch for other bytes or another digest", async () => {
    const base = { bundle: dsse.bundle, trustedRoot: dsse.trustedRoot, policy: IDENTITY };
    expect((await verifySigstoreBundle({ ...base, artifact: { bytes: dsse.bytes } })).verdict).toBe("verified");
    expect((await verifySigstoreBundle({ ...base, artifact: { bytes: Buffer.from("other") } })).verdict).toBe("subject-mismatch");
    expect((await verifySigstoreBundle({ ...base, artifact: { digest: `sha256:${"ab".repeat(32)}` } })).verdict).toBe("subject-mismatch");
  });

  it("an attestation about a.txt by an untrusted identity is still a subject mismatch for other bytes", async () => {
    const result = await verifySigstoreBundle({
      bundle: dsse.bundle,
      artifact: { bytes: Buffer.from("other") },
      trustedRoot: dsse.trustedRoot,
      policy: withIdentity("https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"),
    });
    expect(result.verdict).toBe("subject-mismatch");
  });
});

describe("missing or malformed material", () => {
  it("is unverifiable without a bundle, an artefact or a usable digest", async () => {
    const cases: Array<Partial<VerifySigstoreBundleInput>> = [
      { bundle: undefined },
      { bundle: null },
      { artifact: {} },
      { artifact: undefined as unknown as VerifySigstoreBundleInput["artifact"] },
      { artifact: { digest: "sha256:abc" } },
      { artifact: { digest: `SHA256:${"a".repeat(64)}` } },
      { artifact: { digest: `md5:${"a".repeat(32)}` } },
      { artifact: { bytes: v03.bytes, digest: `sha256:${"0".repeat(64)}` } }, // bytes and digest disagree
    ];
    for (const overrides of cases) {
      const result = await verifyV03(overrides);
      expect(result.verdict, JSON.stringify(overrides)).toBe("unverifiable");
    }
  });

  it("is unverifiable for a digest other than the one a message signature signs", async () => {
    const sha512 = createHash("sha512").update(v03.bytes).digest("hex");
    const result = await verifyV03({ artifact: { digest: `sha512:${sha512}` } });
    expect(result.verdict).toBe("unverifiable");
  });

  it("is invalid for a bundle that is not a Sigstore bundle", async () => {
    const noContent = structuredClone(v03.bundle);
    delete noContent.messageSignature;
    const badMedia = { ...structuredClone(v03.bundle), mediaType: "application/json" };
    for (const bundle of [{}, "bundle", [], noContent, badMedia]) {
      const result = await verifyV03({ bundle });
      expect(result.verdict, JSON.stringify(bundle).slice(0, 60)).toBe("invalid");
    }
  });

  it("survives certificates whose extensions no longer parse (found by flipping every byte)", async () => {
    // These flips leave the DER readable but break the authority key identifier @sigstore/core reads lazily.
    const der = Buffer.from(
      (dsse.bundle as { verificationMaterial: { certificate: { rawBytes: string } } }).verificationMaterial.certificate.rawBytes,
      "base64",
    );
    for (const index of [239, 255, 276, 307]) {
      const tampered = structuredClone(dsse.bundle) as { verificationMaterial: { certificate: { rawBytes: string } } };
      const flipped = Buffer.from(der);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      tampered.verificationMaterial.certificate.rawBytes = flipped.toString("base64");
      const result = await verifySigstoreBundle({
        bundle: tampered,
        artifact: { bytes: dsse.bytes },
        trustedRoot: dsse.trustedRoot,
        policy: IDENTITY,
      });
      expect(result.verdict, `byte ${index}`).toBe("invalid");
    }
  });

  it("never throws, and never verifies, whatever the input", async () => {
    const odd: unknown[] = [0, true, { mediaType: BUNDLE_V03_MEDIA_TYPE }, { ...v03.bundle, verificationMaterial: {} }];
    for (const bundle of odd) {
      await expect(verifyV03({ bundle })).resolves.toMatchObject({ verdict: expect.not.stringMatching(/^verified$/) });
    }
  });
});

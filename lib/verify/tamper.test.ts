// Tampering: one changed byte anywhere in the signature, payload, certificate, transparency evidence,
// timestamp or artefact must never give `verified`. Each part is base64-decoded, one bit of one byte
// flipped, and re-encoded, at several positions from first to last byte.
import { createHash } from "node:crypto";
import { RFC3161Timestamp } from "@sigstore/core";
import { describe, expect, it } from "vitest";
import { verifySigstoreBundle } from "./sigstore";
import { CONFORMANCE_IDENTITY, CONFORMANCE_ISSUER, conformanceCases, loadCase } from "./test-fixtures";
import type { Verdict } from "./verdict";

type PathKey = string | number;
type Part = {
  name: string;
  path: PathKey[];
  kind: "base64" | "text" | "integer";
  /** Spread this many flips over the part (default 4). */
  flips?: number;
  /**
   * Bytes no signature covers, which the verifier rightly ignores: true when the flip at `index` of
   * `original` landed there. A flip that verifies must satisfy it, and the test shows some do not.
   */
  isUnsigned?: (original: string, index: number) => boolean;
};

/**
 * Checkpoint lines after the note are signatures; only the log's own (named by the note's origin) is
 * checked. Witness cosignatures from keys outside the trust root cannot be checked and are ignored.
 */
function inWitnessCosignature(envelope: string, index: number): boolean {
  const noteEnd = envelope.indexOf("\n\n");
  if (index <= noteEnd + 1) return false;
  const origin = envelope.slice(0, envelope.indexOf("\n"));
  const lineStart = envelope.lastIndexOf("\n", index - 1) + 1;
  const lineEnd = envelope.indexOf("\n", index);
  const line = envelope.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  return line.startsWith("\u2014 ") && !line.startsWith(`\u2014 ${origin} `);
}

/**
 * An RFC 3161 token is checked with the trust root's TSA certificates over its signed attributes and
 * TSTInfo. @sigstore/core reads it without checking most ASN.1 tags and skips unsigned CMS fields
 * (status, digestAlgorithms, the embedded certificates), so some flips re-encode the same token: true when the
 * flipped token decodes to exactly what the verifier reads from the original.
 */
function inUnsignedTimestampBytes(originalBase64: string, index: number): boolean {
  const original = Buffer.from(originalBase64, "base64");
  const readable = (der: Buffer) => {
    const ts = RFC3161Timestamp.parse(Buffer.from(der));
    // TimeStampResp { status, ContentInfo { contentType, [0] SignedData { ..., signerInfos { SignerInfo } } } }
    const signerInfo = ts.root.subs[1]?.subs[1]?.subs[0]?.subs.at(-1)?.subs[0];
    const signedAttrs = signerInfo?.subs.find((sub) => sub.tag.isContextSpecific(0));
    if (!signedAttrs) throw new Error("no signed attributes");
    // The PKIStatusInfo is outside the signed token too (and 0 and 1 both mean granted).
    return JSON.stringify([
      ts.contentType,
      ts.eContentType,
      ts.signingTime.toISOString(),
      ts.signerIssuer.toString("hex"),
      ts.signerSerialNumber.toString("hex"),
      ts.signerDigestAlgorithm,
      ts.signatureAlgorithm,
      ts.signatureValue.toString("hex"),
      ts.tstInfo.raw.toString("hex"),
      signedAttrs.value.toString("hex"),
    ]);
  };
  try {
    return readable(original) === readable(flipByte(original, index));
  } catch {
    return false;
  }
}

const TLOG: PathKey[] = ["verificationMaterial", "tlogEntries", 0];
const CANDIDATE_PARTS: Part[] = [
  { name: "message signature", path: ["messageSignature", "signature"], kind: "base64" },
  { name: "message digest", path: ["messageSignature", "messageDigest", "digest"], kind: "base64" },
  { name: "DSSE signature", path: ["dsseEnvelope", "signatures", 0, "sig"], kind: "base64" },
  { name: "DSSE payload", path: ["dsseEnvelope", "payload"], kind: "base64" },
  { name: "DSSE payload type", path: ["dsseEnvelope", "payloadType"], kind: "text" },
  { name: "certificate", path: ["verificationMaterial", "certificate", "rawBytes"], kind: "base64" },
  {
    name: "certificate (chain leaf)",
    path: ["verificationMaterial", "x509CertificateChain", "certificates", 0, "rawBytes"],
    kind: "base64",
  },
  { name: "inclusion proof hash 0", path: [...TLOG, "inclusionProof", "hashes", 0], kind: "base64" },
  { name: "inclusion proof hash 1", path: [...TLOG, "inclusionProof", "hashes", 1], kind: "base64" },
  { name: "inclusion proof root hash", path: [...TLOG, "inclusionProof", "rootHash"], kind: "base64" },
  { name: "inclusion proof log index", path: [...TLOG, "inclusionProof", "logIndex"], kind: "integer" },
  { name: "inclusion proof tree size", path: [...TLOG, "inclusionProof", "treeSize"], kind: "integer" },
  {
    name: "inclusion proof checkpoint",
    path: [...TLOG, "inclusionProof", "checkpoint", "envelope"],
    kind: "text",
    flips: 16,
    isUnsigned: inWitnessCosignature,
  },
  { name: "inclusion promise (SET)", path: [...TLOG, "inclusionPromise", "signedEntryTimestamp"], kind: "base64" },
  { name: "tlog canonicalized body", path: [...TLOG, "canonicalizedBody"], kind: "base64" },
  { name: "tlog integrated time", path: [...TLOG, "integratedTime"], kind: "integer" },
  { name: "tlog log id", path: [...TLOG, "logId", "keyId"], kind: "base64" },
  {
    name: "RFC 3161 timestamp",
    path: ["verificationMaterial", "timestampVerificationData", "rfc3161Timestamps", 0, "signedTimestamp"],
    kind: "base64",
    flips: 12,
    isUnsigned: inUnsignedTimestampBytes,
  },
];

function getAt(root: unknown, path: PathKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PathKey, unknown>)[key];
  }
  return node;
}

function setAt(root: unknown, path: PathKey[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<PathKey, unknown>;
  parent[path[path.length - 1] as PathKey] = value;
}

/** Up to `count` distinct positions spread from the first to the last index. */
function positions(length: number, count = 4): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  return [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (length - 1)) / (count - 1))))];
}

function flipByte(bytes: Uint8Array, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

/** Every tampered copy of `bundle` for one part. */
function tamperedCopies(
  bundle: Record<string, unknown>,
  part: Part,
): Array<{ at: string; index: number; bundle: Record<string, unknown> }> {
  const original = getAt(bundle, part.path);
  if (typeof original !== "string") return [];
  const copy = (value: string) => {
    const tampered = structuredClone(bundle);
    setAt(tampered, part.path, value);
    return tampered;
  };
  switch (part.kind) {
    case "integer":
      return [{ at: "+1", index: -1, bundle: copy(String(BigInt(original) + 1n)) }];
    case "text":
      return positions(original.length, part.flips).map((i) => ({
        at: `char ${i}`,
        index: i,
        bundle: copy(original.slice(0, i) + String.fromCharCode(original.charCodeAt(i) ^ 0x01) + original.slice(i + 1)),
      }));
    case "base64": {
      const bytes = Buffer.from(original, "base64");
      return positions(bytes.length, part.flips).map((i) => ({
        at: `byte ${i}/${bytes.length}`,
        index: i,
        bundle: copy(flipByte(bytes, i).toString("base64")),
      }));
    }
  }
}

const happy = conformanceCases().filter((c) => c.shouldVerify);

for (const c of happy) {
  describe(`tampering with ${c.name}`, () => {
    const fixture = loadCase(c.name);
    const policy = fixture.keyPem
      ? { key: { pem: fixture.keyPem } }
      : { identity: { subject: CONFORMANCE_IDENTITY, issuer: CONFORMANCE_ISSUER } };
    const verify = (bundle: unknown, artifact: { bytes?: Uint8Array; digest?: string } = { bytes: fixture.bytes }) =>
      verifySigstoreBundle({ bundle, artifact, trustedRoot: fixture.trustedRoot, policy });
    const parts = CANDIDATE_PARTS.filter((p) => typeof getAt(fixture.bundle, p.path) === "string");
    const isMessage = "messageSignature" in fixture.bundle;

    it("verifies untouched (so every refusal below is the tampering's doing)", async () => {
      const result = await verify(fixture.bundle);
      expect(result.verdict, result.reason).toBe("verified");
    });

    it("has the parts this test tampers with", () => {
      const names = parts.map((p) => p.name);
      expect(names.some((n) => n.includes("signature"))).toBe(true);
      expect(names.some((n) => n.startsWith("inclusion proof"))).toBe(true);
      if (!fixture.keyPem) expect(names.some((n) => n.startsWith("certificate"))).toBe(true);
      if (!isMessage) expect(names).toContain("DSSE payload");
    });

    for (const part of parts) {
      it(`never verifies with a changed ${part.name}`, async () => {
        const copies = tamperedCopies(fixture.bundle, part);
        expect(copies.length).toBeGreaterThan(0);
        const original = getAt(fixture.bundle, part.path) as string;
        const seen = new Map<string, Verdict>();
        const unsigned = new Set<string>();
        for (const { at, index, bundle } of copies) {
          if (part.isUnsigned?.(original, index)) unsigned.add(at);
          seen.set(at, (await verify(bundle)).verdict);
          if (isMessage && (part.name.startsWith("message") || part.name.startsWith("certificate"))) {
            const digest = `sha256:${createHash("sha256").update(fixture.bytes).digest("hex")}`;
            seen.set(`${at} (digest only)`, (await verify(bundle, { digest })).verdict);
          }
        }
        // Most flips land in signed bytes; only those in unsigned ones may leave the bundle verifying.
        expect(unsigned.size).toBeLessThan(copies.length);
        expect([...seen].filter(([at, verdict]) => verdict === "verified" && !unsigned.has(at))).toEqual([]);
        if (/signature|inclusion proof|promise|canonicalized/.test(part.name)) {
          // Broken cryptography or log evidence is `invalid`, never a softer verdict.
          expect([...seen].filter(([at, verdict]) => verdict !== "invalid" && !unsigned.has(at))).toEqual([]);
        }
      });
    }

    it("never verifies a changed artefact (bytes or digest)", async () => {
      const digest = createHash("sha256").update(fixture.bytes).digest("hex");
      for (const i of positions(fixture.bytes.length)) {
        const result = await verify(fixture.bundle, { bytes: flipByte(fixture.bytes, i) });
        expect(result.verdict).not.toBe("verified");
        expect(["invalid", "subject-mismatch"]).toContain(result.verdict);
      }
      for (const i of positions(digest.length)) {
        const flipped = digest.slice(0, i) + (digest[i] === "0" ? "1" : "0") + digest.slice(i + 1);
        const result = await verify(fixture.bundle, { digest: `sha256:${flipped}` });
        expect(["invalid", "subject-mismatch"]).toContain(result.verdict);
      }
    });
  });
}

// Found by flipping every byte of every part (a one-off scan, too slow for the suite): bytes outside
// the signed data that @sigstore/verify decodes leniently. Each is refused by a check of Vitrine's own.
describe("tampering the library would let through", () => {
  const run = async (name: string, mutate: (bundle: Record<string, unknown>) => void) => {
    const fixture = loadCase(name);
    const bundle = structuredClone(fixture.bundle);
    mutate(bundle);
    const policy = { identity: { subject: CONFORMANCE_IDENTITY, issuer: CONFORMANCE_ISSUER } };
    return verifySigstoreBundle({ bundle, artifact: { bytes: fixture.bytes }, trustedRoot: fixture.trustedRoot, policy });
  };
  const flipAt = (bundle: Record<string, unknown>, path: PathKey[], index: number) => {
    setAt(bundle, path, flipByte(Buffer.from(getAt(bundle, path) as string, "base64"), index).toString("base64"));
  };
  const CERT: PathKey[] = ["verificationMaterial", "certificate", "rawBytes"];

  it("the unused-bits count of the certificate's signature BIT STRING", async () => {
    const der = Buffer.from(getAt(loadCase("happy-path-v0.3").bundle, CERT) as string, "base64");
    const unusedBits = der.length - 104; // ... 03 68 00 <103 bytes of ECDSA-Sig-Value>
    expect(der.subarray(unusedBits - 2, unusedBits + 1).toString("hex")).toBe("036800");
    const result = await run("happy-path-v0.3", (b) => flipAt(b, CERT, unusedBits));
    expect(result).toMatchObject({ verdict: "invalid", reason: "the certificate's signature is not a whole number of bytes" });
  });

  it("the certificate's outer signature algorithm (unsigned; must repeat the signed one)", async () => {
    const der = Buffer.from(getAt(loadCase("happy-path-v0.3").bundle, CERT) as string, "base64");
    const ecdsaSha384 = Buffer.from("300a06082a8648ce3d040303", "hex");
    const outer = der.lastIndexOf(ecdsaSha384);
    expect(outer).toBeGreaterThan(der.indexOf(ecdsaSha384));
    const result = await run("happy-path-v0.3", (b) => flipAt(b, CERT, outer + 6)); // an OID that names nothing
    expect(result).toMatchObject({ verdict: "invalid", reason: "the certificate's signature algorithm does not repeat the signed one" });
  });

  it("a checkpoint signature line spelled differently (base64 decoded leniently)", async () => {
    const path: PathKey[] = [...TLOG, "inclusionProof", "checkpoint", "envelope"];
    const result = await run("happy-path-intoto-in-dsse-v3", (b) => {
      const envelope = getAt(b, path) as string;
      expect(envelope.endsWith("=\n")).toBe(true);
      setAt(b, path, `${envelope.slice(0, -2)}<\n`);
    });
    expect(result).toMatchObject({ verdict: "invalid", reason: "tlog entry 0: the checkpoint's signature lines are not canonical" });
  });

  it("an RFC 3161 signature algorithm the library does not know (it would fall back to SHA-256)", async () => {
    const path: PathKey[] = ["verificationMaterial", "timestampVerificationData", "rfc3161Timestamps", 0, "signedTimestamp"];
    const der = Buffer.from(getAt(loadCase("intoto-with-custom-trust-root").bundle, path) as string, "base64");
    const ecdsaSha256 = Buffer.from("06082a8648ce3d040302", "hex");
    const at = der.lastIndexOf(ecdsaSha256);
    expect(at).toBeGreaterThan(0);
    // 1.2.840.10045.4.3.2 -> 1.2.841.10045.4.3.2, which names no algorithm
    const result = await run("intoto-with-custom-trust-root", (b) => flipAt(b, path, at + 4));
    expect(result).toMatchObject({ verdict: "invalid", reason: "an RFC 3161 timestamp names an unknown signature or digest algorithm" });
  });

  it("inclusion proof tree size and root hash that disagree with the signed checkpoint", async () => {
    const size = await run("happy-path-v0.3", (b) => setAt(b, [...TLOG, "inclusionProof", "treeSize"], "1"));
    expect(size.reason).toContain("tree size is not the signed checkpoint's");
    const root = await run("happy-path-v0.3", (b) => flipAt(b, [...TLOG, "inclusionProof", "rootHash"], 0));
    expect(root.reason).toContain("root hash is not the signed checkpoint's");
  });
});

// Verifies a bare DSSE envelope (https://github.com/secure-systems-lab/dsse) carrying an in-toto
// Statement, against Vitrine's trusted PEM keys. Pure and synchronous; `now` is passed in.
//
// Every signature is checked over PAE(payloadType, payload) ("DSSEv1" pre-authentication encoding)
// with every trusted PEM key: ECDSA P-256 (SHA-256) / P-384 (SHA-384, or SHA-256 as older cosign
// releases did), ASN.1 DER signatures as cosign and in-toto produce them; Ed25519; RSA PKCS#1 v1.5
// or PSS with SHA-256. A bare envelope has no trusted signing time (no log entry, no timestamp), so
// a key's validity window and revocation are judged at `now`, as for keyed cosign signatures.
//
// Verdicts:
//   unverifiable      no envelope, or no signatures
//   invalid           a signature whose keyid names a trusted key does not verify with it (a changed
//                     byte), material that is not base64, or a payload that is not an in-toto Statement
//   untrusted         no trusted key verifies any signature: without the signer's key, a signature by
//                     an unknown key and a corrupted one without a keyid look the same
//   subject-mismatch  a trusted key verifies it, but the Statement does not name every judged digest
//   revoked / expired the trusted key's window at `now`
//   verified          otherwise
// keyids are not signed: they only decide between `invalid` and `untrusted`, never `verified`.
import { constants, createHash, type KeyObject, verify } from "node:crypto";
import type { Digest } from "@/lib/domain/digest";
import { decodeBase64, isRecord, statementFromDsse } from "@/lib/ingest/dsse";
import { type PublicKeyInfo, parsePemPublicKey, pickWindow, type TrustedKey } from "./keys";
import type { Verdict, VerificationEvidence } from "./verdict";

export type DsseEvidence = VerificationEvidence & {
  /** The Statement's predicate type, when the payload is one. */
  predicateType?: string;
  /** The trust entry a verified envelope counts for (what policies list as signers). */
  trustedAs?: string;
  /** The keyids the envelope's signatures declare (unsigned hints). */
  keyids?: string[];
};

export type DsseVerificationResult = { verdict: Verdict; reason: string; evidence: DsseEvidence };

export type DsseInput = {
  /** The envelope as stored: { payloadType, payload (base64), signatures: [{ keyid?, sig (base64) }] }. */
  envelope: unknown;
  /** The artefacts it is judged for (`sha256:<hex>`): each must be a subject of the signed Statement. */
  subjectDigests: string[];
  keys: TrustedKey[];
  now: Date;
};

/** More signatures than any signer produces: refused rather than checked against every key. */
export const MAX_DSSE_SIGNATURES = 16;

const NO_TRUSTED_KEY = "no trusted key verifies it";

function outcome(verdict: Verdict, reason: string, evidence: DsseEvidence = {}): DsseVerificationResult {
  return { verdict, reason, evidence };
}

/** DSSEv1 pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "utf8"),
    type,
    Buffer.from(` ${payload.length} `, "utf8"),
    Buffer.from(payload),
  ]);
}

/** Verifies `signature` over `data` with the hashes and encodings DSSE signers use for the key type. */
export function verifyDsseSignature(info: PublicKeyInfo, data: Buffer, signature: Buffer): boolean {
  const attempt = (hash: string | null, key: Parameters<typeof verify>[2]) => {
    try {
      return verify(hash, data, key, signature);
    } catch {
      return false;
    }
  };
  const der = (key: KeyObject) => ({ key, dsaEncoding: "der" as const });
  switch (info.algorithm) {
    case "ed25519":
      return attempt(null, info.key);
    case "ecdsa-p256":
      return attempt("sha256", der(info.key));
    case "ecdsa-p384":
      return attempt("sha384", der(info.key)) || attempt("sha256", der(info.key));
    case "rsa":
      return (
        attempt("sha256", { key: info.key, padding: constants.RSA_PKCS1_PADDING }) ||
        attempt("sha256", { key: info.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO })
      );
    default:
      return false;
  }
}

/**
 * The keyids a signer may have put on a signature for this key: its SPKI fingerprint (`sha256:<hex>`
 * or the bare hex), the sha256 of its PEM (witness-style), or the trust entry's id.
 */
function keyidsFor(entry: TrustedKey, info: PublicKeyInfo): Set<string> {
  const hex = info.fingerprint.slice("sha256:".length);
  const pem = info.key.export({ type: "spki", format: "pem" }).toString();
  return new Set([info.fingerprint, hex, createHash("sha256").update(pem).digest("hex"), entry.id.toLowerCase()]);
}

type ParsedSignature = { index: number; keyid: string | null; sig: Buffer };

function readSignatures(value: unknown): { ok: true; value: ParsedSignature[] } | { ok: false; result: DsseVerificationResult } {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return { ok: false, result: outcome("unverifiable", "the envelope carries no signatures") };
  }
  if (!Array.isArray(value)) return { ok: false, result: outcome("invalid", "the envelope's signatures are not a list") };
  if (value.length > MAX_DSSE_SIGNATURES) {
    return {
      ok: false,
      result: outcome("invalid", `the envelope carries ${value.length} signatures; at most ${MAX_DSSE_SIGNATURES} are checked`),
    };
  }
  const signatures: ParsedSignature[] = [];
  for (const [index, s] of value.entries()) {
    if (!isRecord(s) || typeof s.sig !== "string") return { ok: false, result: outcome("invalid", `signature ${index} has no sig`) };
    const sig = decodeBase64(s.sig);
    if (!sig || sig.length === 0) return { ok: false, result: outcome("invalid", `signature ${index} is not base64`) };
    if (s.keyid !== undefined && s.keyid !== null && typeof s.keyid !== "string") {
      return { ok: false, result: outcome("invalid", `signature ${index} has a keyid that is not a string`) };
    }
    signatures.push({ index, keyid: typeof s.keyid === "string" && s.keyid !== "" ? s.keyid : null, sig });
  }
  return { ok: true, value: signatures };
}

export function verifyDsse(input: DsseInput): DsseVerificationResult {
  try {
    return verifyDsseUnguarded(input);
  } catch (error) {
    // Parsers report bad input as values; a throw is a library surprise on odd input, never a pass.
    return outcome("invalid", `the envelope could not be processed (${error instanceof Error ? error.message.slice(0, 160) : "error"})`);
  }
}

function verifyDsseUnguarded(input: DsseInput): DsseVerificationResult {
  const { envelope } = input;
  if (envelope === undefined || envelope === null) return outcome("unverifiable", "no DSSE envelope was given");
  if (!isRecord(envelope)) return outcome("invalid", "the DSSE envelope is not an object");
  const signatures = readSignatures(envelope.signatures);
  if (!signatures.ok) return signatures.result;
  if (typeof envelope.payloadType !== "string" || envelope.payloadType === "") {
    return outcome("invalid", "the envelope has no payloadType");
  }
  if (typeof envelope.payload !== "string") return outcome("invalid", "the envelope has no payload");
  const payload = decodeBase64(envelope.payload);
  if (!payload) return outcome("invalid", "the envelope's payload is not base64");
  const payloadType = envelope.payloadType;
  const keyids = signatures.value.flatMap((s) => (s.keyid ? [s.keyid] : []));
  const base: DsseEvidence = keyids.length > 0 ? { keyids } : {};

  // The statement, if the payload is one (judged only once the signatures are).
  const statement = statementFromDsse({ payloadType, payload, signatures: [] }, "$.envelope");
  if (statement.ok) base.predicateType = statement.value.predicateType;
  const statementProblem = statement.ok ? null : `${statement.errors[0]?.path} ${statement.errors[0]?.message}`;

  // Which trusted keys verify which signatures; which signatures name a trusted key they fail.
  const pae = preAuthEncoding(payloadType, payload);
  const keys = input.keys.flatMap((entry) => {
    if (entry.kind !== "pem") return [];
    const info = parsePemPublicKey(entry.publicKey);
    return info.ok ? [{ entry, info: info.value, keyids: keyidsFor(entry, info.value) }] : [];
  });
  const matched: Array<{ entry: TrustedKey; info: PublicKeyInfo }> = [];
  for (const signature of signatures.value) {
    const verifying = keys.filter((key) => verifyDsseSignature(key.info, pae, signature.sig));
    matched.push(...verifying);
    const keyid = signature.keyid?.toLowerCase() ?? null;
    const claimed = keyid && verifying.length === 0 ? keys.find((key) => key.keyids.has(keyid)) : undefined;
    if (claimed) {
      return outcome(
        "invalid",
        `signature ${signature.index} names trusted key "${claimed.entry.name}" (${claimed.info.fingerprint}) by its keyid but does not verify with it: the payload or the signature was altered`,
        { ...base, keyFingerprint: claimed.info.fingerprint },
      );
    }
  }

  if (matched.length === 0) {
    if (statementProblem) return outcome("invalid", `the payload is not an in-toto Statement: ${statementProblem}`, base);
    return outcome("untrusted", NO_TRUSTED_KEY, base);
  }

  // Signers, by key: several trust entries may hold the same key, and a revocation of one is never masked.
  const signers = new Map<string, TrustedKey[]>();
  for (const m of matched) {
    const entries = signers.get(m.info.fingerprint) ?? [];
    if (!entries.some((e) => e.id === m.entry.id)) entries.push(m.entry);
    signers.set(m.info.fingerprint, entries);
  }
  const first = [...signers.keys()][0] as string;
  const evidence: DsseEvidence = { ...base, keyFingerprint: first };
  if (!statement.ok) return outcome("invalid", `the signed payload is not an in-toto Statement: ${statementProblem}`, evidence);

  const named = new Set(statement.value.subjects.map((s) => s.digest));
  const missing = [...new Set(input.subjectDigests)].filter((d) => !named.has(d as Digest));
  if (missing.length > 0) {
    const listed = statement.value.subjects
      .slice(0, 3)
      .map((s) => s.digest)
      .join(", ");
    return outcome(
      "subject-mismatch",
      `the statement's subjects (${listed}${statement.value.subjects.length > 3 ? ", ..." : ""}) do not include ${missing[0]}`,
      evidence,
    );
  }

  const windows = [...signers].map(([fingerprint, entries]) => ({ fingerprint, window: pickWindow(entries, input.now) }));
  const good = windows.find((w) => w.window?.state === "ok");
  const revoked = windows.find((w) => w.window?.state === "revoked");
  const expired = windows.find((w) => w.window?.state === "expired");
  if (good?.window) {
    const also = revoked?.window ? `; co-signing key "${revoked.window.entry.name}" is revoked` : "";
    return outcome(
      "verified",
      `signed with trusted key "${good.window.entry.name}" (${good.fingerprint}): ${statement.value.predicateType} about ${statement.value.subjects.length} subject(s)${also}`,
      { ...evidence, keyFingerprint: good.fingerprint, trustedAs: good.window.entry.name },
    );
  }
  if (revoked?.window?.state === "revoked") {
    const { entry, at } = revoked.window;
    return outcome("revoked", `trusted key "${entry.name}" (${revoked.fingerprint}) was revoked at ${at.toISOString()}`, {
      ...evidence,
      keyFingerprint: revoked.fingerprint,
    });
  }
  if (expired?.window?.state === "expired") {
    const { entry, reason } = expired.window;
    return outcome("expired", `trusted key "${entry.name}" is ${reason}`, { ...evidence, keyFingerprint: expired.fingerprint });
  }
  return outcome("untrusted", NO_TRUSTED_KEY, base);
}

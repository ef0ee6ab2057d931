// cosign simple-signing verification: payload + signature, keyless (Fulcio certificate) or keyed
// (PEM public keys). Pure and synchronous; `now` is passed in.
//
// Checks run in this order and the first failure is the verdict:
//   material -> signature (cryptography) -> payload shape -> subject -> chain/identity or key trust
//   -> revocation -> validity windows.
// Keyless: the signing time is the leaf's notBefore (Fulcio certificates live ~10 minutes; there is
// no transparency-log proof here). Keyed: there is no trusted signing time, so trust is judged at `now`.
import { type KeyObject, verify } from "node:crypto";
import {
  decodeBase64,
  describeSigningKey,
  type Evidence,
  matchesIdentitySubject,
  outcome,
  type PublicKeyInfo,
  parsePemPublicKey,
  pickWindow,
  spkiFingerprint,
  type TrustedIdentity,
  type TrustedKey,
} from "./keys";
import type { VerificationResult } from "./verdict";
import {
  buildTrustedPath,
  type Certificate,
  describeCertificate,
  fulcioIssuer,
  invalidAt,
  parseCertificatesPem,
  profileProblem,
  subjectAltNameIdentity,
} from "./x509";

export type CosignInput = {
  /** The artefact the submission is for: `sha256:<hex>`. */
  artifactDigest: string;
  /** base64 of the simple-signing JSON (the exact signed bytes). */
  payloadB64: string;
  /** base64 of the signature (ASN.1 DER for ECDSA). */
  signatureB64: string;
  /** Keyless: the leaf certificate, optionally followed by its chain (PEM, or base64 of PEM). */
  certificatePem?: string | null;
  /** Keyless: the rest of the chain when sent separately (cosign --certificate-chain). */
  certificateChainPem?: string | null;
  keys: TrustedKey[];
  identities: TrustedIdentity[];
  /** Fulcio trust anchors (roots, and intermediates if the trust root lists them), PEM. */
  fulcioRootsPem?: string[];
  /**
   * Public keys known but not trusted (e.g. sent with the submission). Only these let a keyed
   * signature come out `untrusted`: without the signer's key, a valid signature by an unknown key
   * and a corrupted one look the same, and both are `invalid`.
   */
  untrustedKeysPem?: string[];
  now: Date;
};

type SimpleSigning = { critical: { image: { "docker-manifest-digest": string }; type: string; identity?: unknown } };

/** Verifies `signature` over `data` with a key, using the hashes cosign uses for that key type. */
export function verifyWithKey(info: PublicKeyInfo, data: Buffer, signature: Buffer): boolean {
  const attempt = (hash: string | null, key: KeyObject | { key: KeyObject; dsaEncoding: "der" }) => {
    try {
      return verify(hash, data, key, signature);
    } catch {
      return false;
    }
  };
  switch (info.algorithm) {
    case "ed25519":
      return attempt(null, info.key);
    case "ecdsa-p256":
      return attempt("sha256", { key: info.key, dsaEncoding: "der" });
    case "ecdsa-p384":
      // The Sigstore registry says SHA-384; older cosign releases hashed every ECDSA key with SHA-256.
      return attempt("sha384", { key: info.key, dsaEncoding: "der" }) || attempt("sha256", { key: info.key, dsaEncoding: "der" });
    case "rsa":
      return attempt("sha256", info.key);
    default:
      return false;
  }
}

function parseSimpleSigning(payload: Buffer): SimpleSigning | string {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString("utf8"));
  } catch {
    return "the signed payload is not JSON";
  }
  const critical = (json as { critical?: unknown } | null)?.critical as SimpleSigning["critical"] | undefined;
  const digest = critical?.image?.["docker-manifest-digest"];
  if (typeof digest !== "string") return "the signed payload is not a simple-signing document (no critical.image.docker-manifest-digest)";
  if (typeof critical?.type !== "string") return "the signed payload is not a simple-signing document (no critical.type)";
  return { critical } as SimpleSigning;
}

/** Payload shape and subject, checked once the signature is known to be genuine. */
function checkPayload(payload: Buffer, artifactDigest: string, evidence: Evidence): VerificationResult | null {
  const simple = parseSimpleSigning(payload);
  if (typeof simple === "string") return outcome("invalid", simple, evidence);
  const signed = simple.critical.image["docker-manifest-digest"];
  if (signed !== artifactDigest) {
    return outcome("subject-mismatch", `the payload signs ${signed.slice(0, 80)}, not ${artifactDigest}`, evidence);
  }
  return null;
}

export function verifyCosign(input: CosignInput): VerificationResult {
  try {
    return verifyCosignUnguarded(input);
  } catch (error) {
    // Parsers report bad input as values; a throw is a library surprise on odd input, never a pass.
    return outcome("invalid", `the material could not be processed (${error instanceof Error ? error.message : "error"})`);
  }
}

function verifyCosignUnguarded(input: CosignInput): VerificationResult {
  if (!input.payloadB64?.trim()) return outcome("unverifiable", "the simple-signing payload is missing");
  if (!input.signatureB64?.trim()) return outcome("unverifiable", "the signature is missing");
  const payload = decodeBase64(input.payloadB64);
  if (!payload || payload.length === 0) return outcome("invalid", "the payload is not base64");
  const signature = decodeBase64(input.signatureB64);
  if (!signature || signature.length === 0) return outcome("invalid", "the signature is not base64");
  const hasCertificate = Boolean(input.certificatePem?.trim());
  return hasCertificate ? verifyKeyless(input, payload, signature) : verifyKeyed(input, payload, signature);
}

// ---------------------------------------------------------------------------------------------
// Keyless (Fulcio certificate)

function parseAnchors(pems: string[]): Certificate[] {
  // A trust-root entry that does not parse anchors nothing; it cannot make anything pass.
  return pems.flatMap((pem) => {
    const parsed = parseCertificatesPem(pem);
    return parsed.ok ? parsed.value : [];
  });
}

function verifyKeyless(input: CosignInput, payload: Buffer, signature: Buffer): VerificationResult {
  const parsed = parseCertificatesPem(input.certificatePem ?? "");
  if (!parsed.ok) return outcome("invalid", `the certificate ${parsed.reason}`);
  const [leaf, ...rest] = parsed.value;
  if (!leaf) return outcome("unverifiable", "the certificate field holds no certificate");
  const chain = input.certificateChainPem?.trim() ? parseCertificatesPem(input.certificateChainPem) : { ok: true as const, value: [] };
  if (!chain.ok) return outcome("invalid", `the certificate chain ${chain.reason}`);

  const identity = subjectAltNameIdentity(leaf);
  const issuer = fulcioIssuer(leaf);
  const evidence: Evidence = { keyFingerprint: spkiFingerprint(leaf.publicKey) };
  if (identity) evidence.identity = identity;
  if (issuer) evidence.issuer = issuer;

  const leafKey = describeSigningKey(leaf.publicKey);
  if (!leafKey.ok) return outcome("invalid", `the certificate's key ${leafKey.reason}`, evidence);
  if (!verifyWithKey(leafKey.value, payload, signature)) {
    return outcome("invalid", "the signature does not verify with the certificate's key", evidence);
  }
  const payloadProblem = checkPayload(payload, input.artifactDigest, evidence);
  if (payloadProblem) return payloadProblem;

  const path = buildTrustedPath({ leaf, intermediates: [...rest, ...chain.value], anchors: parseAnchors(input.fulcioRootsPem ?? []) });
  if (!path.ok) return outcome(path.verdict, path.reason, evidence);
  const anchor = path.path[path.anchorIndex] as Certificate;
  evidence.trustRoot = anchor.fingerprint;
  const profile = profileProblem(path.path, "fulcio");
  if (profile) return outcome("untrusted", profile, evidence);

  if (!identity) return outcome("untrusted", "the certificate names no identity (no SAN URI or email)", evidence);
  if (!issuer)
    return outcome("untrusted", "the certificate names no OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8 or .1.1)", evidence);
  const matching = input.identities.filter((t) => t.issuer !== "" && t.issuer === issuer && matchesIdentitySubject(t, identity));
  if (matching.length === 0) {
    return outcome("untrusted", `no trusted identity matches ${identity} from issuer ${issuer}`, evidence);
  }

  const signedAt = leaf.notBefore;
  const window = pickWindow(matching, signedAt);
  if (window?.state === "revoked") {
    return outcome(
      "revoked",
      `trusted identity "${window.entry.name}" was revoked at ${window.at.toISOString()}, before the signing time ${signedAt.toISOString()}`,
      evidence,
    );
  }
  const expired = invalidAt(path.path, signedAt);
  if (expired) return outcome("expired", `at the signing time (certificate notBefore): ${expired}`, evidence);
  if (window?.state === "expired") {
    return outcome("expired", `trusted identity "${window.entry.name}" is ${window.reason} (signed ${signedAt.toISOString()})`, evidence);
  }
  const entry = window?.entry ?? (matching[0] as TrustedIdentity);
  return outcome(
    "verified",
    `signed by ${identity} (issuer ${issuer}), trusted as "${entry.name}"; certificate chains to ${describeCertificate(anchor)}; signed ${signedAt.toISOString()} (certificate notBefore, no transparency-log proof)`,
    evidence,
  );
}

// ---------------------------------------------------------------------------------------------
// Keyed (PEM public keys)

function verifyKeyed(input: CosignInput, payload: Buffer, signature: Buffer): VerificationResult {
  const candidates = input.keys.filter((k) => k.kind === "pem");
  const matching: Array<{ key: TrustedKey; info: PublicKeyInfo }> = [];
  for (const key of candidates) {
    const info = parsePemPublicKey(key.publicKey);
    if (info.ok && verifyWithKey(info.value, payload, signature)) matching.push({ key, info: info.value });
  }

  if (matching.length === 0) {
    for (const pem of input.untrustedKeysPem ?? []) {
      const info = parsePemPublicKey(pem);
      if (!info.ok || !verifyWithKey(info.value, payload, signature)) continue;
      const evidence: Evidence = { keyFingerprint: info.value.fingerprint };
      const payloadProblem = checkPayload(payload, input.artifactDigest, evidence);
      if (payloadProblem) return payloadProblem;
      return outcome("untrusted", `the signature is valid under key ${info.value.fingerprint}, which is not a trusted key`, evidence);
    }
    return outcome(
      "invalid",
      `the signature does not verify with any of the ${candidates.length} trusted PEM key(s): it is corrupted, or made by a key Vitrine was not given`,
    );
  }

  const fingerprint = (matching[0] as { info: PublicKeyInfo }).info.fingerprint;
  const evidence: Evidence = { keyFingerprint: fingerprint };
  const payloadProblem = checkPayload(payload, input.artifactDigest, evidence);
  if (payloadProblem) return payloadProblem;

  const window = pickWindow(
    matching.map((m) => m.key),
    input.now,
  );
  if (window?.state === "revoked") {
    return outcome("revoked", `trusted key "${window.entry.name}" (${fingerprint}) was revoked at ${window.at.toISOString()}`, evidence);
  }
  if (window?.state === "expired") return outcome("expired", `trusted key "${window.entry.name}" is ${window.reason}`, evidence);
  const entry = window?.entry ?? (matching[0] as { key: TrustedKey }).key;
  return outcome("verified", `signed with trusted key "${entry.name}" (${fingerprint})`, evidence);
}

// Notary Project (notation) JWS envelopes: https://github.com/notaryproject/specifications
// (signature-envelope-jws.md, signature-specification.md). Pure: `now` is passed in.
//
// The first failure is the verdict:
//   envelope shape and protected header (cty, crit, signing scheme, times) -> x5c parses, alg matches
//   the leaf key -> JWS signature (jose) -> payload -> subject -> certificate requirements and an
//   ordered x5c chain -> a trusted root in the chain (else `untrusted`) -> root revoked -> leaf
//   subject matches a trusted identity (else `untrusted`) -> identity revoked -> certificates valid at
//   the signing time, and (without an authentic signing time) still valid now -> expiry header ->
//   identity validity window.
// Times: scheme notary.x509 carries only the signer's own claim (io.cncf.notary.signingTime), so
// revocations and trust windows are judged at `now`; notary.x509.signingAuthority carries an
// authentic time, which is used instead. RFC 3161 countersignatures are not verified (and so not used).
import type { KeyObject } from "node:crypto";
import { decodeProtectedHeader, flattenedVerify, type ProtectedHeaderParameters } from "jose";
import {
  decodeBase64,
  describePublicKey,
  type Evidence,
  matchesIdentitySubject,
  outcome,
  pickWindow,
  spkiFingerprint,
  type TrustedIdentity,
  type TrustedX509Root,
} from "./keys";
import type { VerificationResult } from "./verdict";
import {
  type Certificate,
  checkOrderedChain,
  describeCertificate,
  invalidAt,
  parseCertificateDer,
  parseCertificatesPem,
  parseDistinguishedName,
  profileProblem,
  sameDistinguishedName,
} from "./x509";

export type NotationInput = {
  artifactDigest: string;
  /** The JWS JSON serialization (flattened), as an object or its JSON text. */
  envelope: unknown;
  roots: TrustedX509Root[];
  /** subject: the leaf subject DN (exact, any attribute order) or an anchored regex over "C=.., O=.., CN=.."; issuer: the leaf's issuer DN, or "" to ignore. */
  identities: TrustedIdentity[];
  now: Date;
};

export const NOTARY_PAYLOAD_CONTENT_TYPE = "application/vnd.cncf.notary.payload.v1+json";
const SIGNING_SCHEME = "io.cncf.notary.signingScheme";
const SIGNING_TIME = "io.cncf.notary.signingTime";
const AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
const EXPIRY = "io.cncf.notary.expiry";
const VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin";
const VERIFICATION_PLUGIN_MIN_VERSION = "io.cncf.notary.verificationPluginMinVersion";
/** Critical headers Vitrine understands and processes; jose refuses any other name in `crit`. */
const UNDERSTOOD_CRITICAL = { [SIGNING_SCHEME]: true, [AUTHENTIC_SIGNING_TIME]: true, [EXPIRY]: true } as const;
const REGISTERED_HEADERS = new Set([
  "alg",
  "cty",
  "crit",
  "typ",
  "kid",
  "x5c",
  "x5t",
  "x5t#S256",
  "x5u",
  "jku",
  "jwk",
  "b64",
  "enc",
  "zip",
]);
const ENVELOPE_FIELDS = new Set(["payload", "protected", "header", "signature"]);
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** RFC 3339 with a zone; what the spec requires for the time headers. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

type Flattened = { payload: string; protected: string; header: Record<string, unknown>; signature: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readEnvelope(envelope: unknown): Flattened | VerificationResult {
  let value = envelope;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.split(".").length === 3 && !text.startsWith("{")) {
      return outcome(
        "unverifiable",
        "a compact JWS carries no certificate chain (x5c); the Notary Project uses the flattened JSON serialization",
      );
    }
    try {
      value = JSON.parse(text);
    } catch {
      return outcome("invalid", "the envelope is not JSON");
    }
  }
  if (value === undefined || value === null) return outcome("unverifiable", "the envelope is missing");
  if (!isRecord(value)) return outcome("invalid", "the envelope must be a JWS JSON object");
  if (Array.isArray(value.signatures))
    return outcome("invalid", "the Notary Project allows only the flattened JWS JSON serialization (one signature)");
  const extra = Object.keys(value).find((k) => !ENVELOPE_FIELDS.has(k));
  if (extra)
    return outcome(
      "invalid",
      `the envelope has a top-level field "${extra.slice(0, 40)}"; only payload, protected, header and signature are allowed`,
    );
  const { payload, signature, header } = value;
  if (typeof payload !== "string" || typeof value.protected !== "string" || typeof signature !== "string") {
    return outcome("invalid", "the envelope needs string payload, protected and signature members");
  }
  if (!isRecord(header) || !Array.isArray(header.x5c) || header.x5c.length === 0) {
    return outcome("unverifiable", "the envelope carries no certificate chain (header.x5c)");
  }
  return { payload, protected: value.protected, header, signature };
}

type HeaderCheck = { alg: string; scheme: string; signingTime: Date; authentic: boolean; expiry: Date | null };

function checkProtectedHeader(header: ProtectedHeaderParameters): HeaderCheck | VerificationResult {
  const h = header as Record<string, unknown>;
  if (h.cty !== NOTARY_PAYLOAD_CONTENT_TYPE) return outcome("invalid", `the protected header's cty must be ${NOTARY_PAYLOAD_CONTENT_TYPE}`);
  const crit = h.crit;
  if (!Array.isArray(crit) || crit.some((c) => typeof c !== "string")) return outcome("invalid", "the protected header needs a crit list");
  if (crit.some((name) => REGISTERED_HEADERS.has(name))) return outcome("invalid", "crit must not list registered JWS headers");
  if (crit.includes(VERIFICATION_PLUGIN) || crit.includes(VERIFICATION_PLUGIN_MIN_VERSION) || h[VERIFICATION_PLUGIN] !== undefined) {
    return outcome(
      "unverifiable",
      `the signature requires verification plugin "${String(h[VERIFICATION_PLUGIN]).slice(0, 80)}", which Vitrine does not run`,
    );
  }
  const unknown = crit.find((name) => !Object.hasOwn(UNDERSTOOD_CRITICAL, name));
  if (unknown) return outcome("invalid", `crit lists "${String(unknown).slice(0, 80)}", which Vitrine does not understand`);
  if (!crit.includes(SIGNING_SCHEME)) return outcome("invalid", `crit must list ${SIGNING_SCHEME}`);
  for (const name of [EXPIRY, AUTHENTIC_SIGNING_TIME]) {
    if (h[name] !== undefined && !crit.includes(name)) return outcome("invalid", `${name} is present, so crit must list it`);
  }

  const scheme = h[SIGNING_SCHEME];
  if (scheme !== "notary.x509" && scheme !== "notary.x509.signingAuthority") {
    return outcome("invalid", `unknown signing scheme ${String(scheme).slice(0, 80)}`);
  }
  const authentic = scheme === "notary.x509.signingAuthority";
  const [timeField, otherField] = authentic ? [AUTHENTIC_SIGNING_TIME, SIGNING_TIME] : [SIGNING_TIME, AUTHENTIC_SIGNING_TIME];
  if (h[otherField] !== undefined) return outcome("invalid", `${otherField} is not valid with signing scheme ${scheme}`);
  const time = parseTime(h[timeField]);
  if (!time) return outcome("invalid", `${timeField} is required with signing scheme ${scheme} and must be an RFC 3339 time`);
  let expiry: Date | null = null;
  if (h[EXPIRY] !== undefined) {
    expiry = parseTime(h[EXPIRY]);
    if (!expiry) return outcome("invalid", `${EXPIRY} must be an RFC 3339 time`);
  }
  return { alg: String(h.alg), scheme, signingTime: time, authentic, expiry };
}

function parseTime(value: unknown): Date | null {
  if (typeof value !== "string" || !RFC3339.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The spec's algorithm table: the leaf key decides alg (RSA size -> PS256/384/512, EC curve -> ES256/384/512). */
function expectedAlg(key: KeyObject): string | VerificationResult {
  const info = describePublicKey(key);
  if (!info.ok) return outcome("invalid", `the signing certificate's key ${info.reason}`);
  switch (info.value.algorithm) {
    case "ecdsa-p256":
      return "ES256";
    case "ecdsa-p384":
      return "ES384";
    case "ecdsa-p521":
      return "ES512";
    case "rsa":
      if (info.value.bits === 2048) return "PS256";
      if (info.value.bits === 3072) return "PS384";
      if (info.value.bits === 4096) return "PS512";
      return outcome("invalid", `an RSA signing key of ${info.value.bits} bits has no Notary Project algorithm (2048, 3072 or 4096)`);
    default:
      return outcome("invalid", `the Notary Project does not sign with ${info.value.algorithm} keys`);
  }
}

function isResult(value: unknown): value is VerificationResult {
  return isRecord(value) && typeof value.verdict === "string" && typeof value.reason === "string";
}

function identityMatches(identity: TrustedIdentity, leaf: Certificate): boolean {
  if (identity.issuer !== "") {
    const issuer = parseDistinguishedName(identity.issuer);
    if (!issuer || !sameDistinguishedName(issuer, leaf.issuer)) return false;
  }
  if (identity.subjectIsRegex) return matchesIdentitySubject(identity, leaf.subjectDn);
  const subject = parseDistinguishedName(identity.subject);
  return subject !== null && sameDistinguishedName(subject, leaf.subject);
}

function parseRoots(roots: TrustedX509Root[]): Array<{ root: TrustedX509Root; certificates: Certificate[] }> {
  return roots.flatMap((root) => {
    const parsed = parseCertificatesPem(root.certificatePem);
    // A root entry that does not parse anchors nothing.
    return parsed.ok && parsed.value.length > 0 ? [{ root, certificates: parsed.value }] : [];
  });
}

export async function verifyNotationJws(input: NotationInput): Promise<VerificationResult> {
  try {
    return await verifyNotationUnguarded(input);
  } catch (error) {
    // Parsers report bad input as values; a throw is a library surprise on odd input, never a pass.
    return outcome("invalid", `the envelope could not be processed (${error instanceof Error ? error.message : "error"})`);
  }
}

async function verifyNotationUnguarded(input: NotationInput): Promise<VerificationResult> {
  const jws = readEnvelope(input.envelope);
  if (isResult(jws)) return jws;

  let rawHeader: ProtectedHeaderParameters;
  try {
    rawHeader = decodeProtectedHeader({ protected: jws.protected });
  } catch {
    return outcome("invalid", "the protected header is not base64url JSON");
  }
  const header = checkProtectedHeader(rawHeader);
  if (isResult(header)) return header;

  const chain: Certificate[] = [];
  for (const [i, entry] of (jws.header.x5c as unknown[]).entries()) {
    const der = typeof entry === "string" ? decodeBase64(entry) : null;
    const certificate = der ? parseCertificateDer(der) : null;
    if (!certificate) return outcome("invalid", `x5c[${i}] is not a base64 DER X.509 certificate`);
    chain.push(certificate);
  }
  const leaf = chain[0] as Certificate;
  const evidence: Evidence = { identity: leaf.subjectDn, issuer: leaf.issuerDn, keyFingerprint: spkiFingerprint(leaf.publicKey) };

  const alg = expectedAlg(leaf.publicKey);
  if (isResult(alg)) return { ...alg, evidence };
  if (header.alg !== alg)
    return outcome("invalid", `alg ${header.alg.slice(0, 20)} does not match the signing certificate's key (${alg})`, evidence);

  let payloadBytes: Uint8Array;
  try {
    const verified = await flattenedVerify(jws, leaf.publicKey, { algorithms: [alg], crit: UNDERSTOOD_CRITICAL });
    payloadBytes = verified.payload;
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    const detail =
      name === "JWSSignatureVerificationFailed"
        ? "the JWS signature does not verify with the signing certificate's key"
        : `the JWS is malformed (${error instanceof Error ? error.message : "unreadable"})`;
    return outcome("invalid", detail, evidence);
  }

  let target: unknown;
  try {
    target = (JSON.parse(Buffer.from(payloadBytes).toString("utf8")) as { targetArtifact?: unknown }).targetArtifact;
  } catch {
    return outcome("invalid", "the signed payload is not JSON", evidence);
  }
  if (!isRecord(target) || typeof target.digest !== "string" || typeof target.mediaType !== "string" || typeof target.size !== "number") {
    return outcome("invalid", "the signed payload has no targetArtifact descriptor (mediaType, digest, size)", evidence);
  }
  if (target.digest !== input.artifactDigest) {
    return outcome("subject-mismatch", `the envelope signs ${target.digest.slice(0, 80)}, not ${input.artifactDigest}`, evidence);
  }

  const structure = checkOrderedChain(chain) ?? profileProblem(chain, "notary");
  if (structure) return outcome("invalid", structure, evidence);
  if (header.signingTime.getTime() > input.now.getTime() + CLOCK_SKEW_MS) {
    return outcome("invalid", `the signing time ${header.signingTime.toISOString()} is in the future`, evidence);
  }

  // The trust anchor: the certificate closest to the leaf that a trusted root entry holds.
  const roots = parseRoots(input.roots);
  let anchorIndex = -1;
  let anchorEntries: TrustedX509Root[] = [];
  for (const [i, certificate] of chain.entries()) {
    anchorEntries = roots.filter((r) => r.certificates.some((c) => c.der.equals(certificate.der))).map((r) => r.root);
    if (anchorEntries.length > 0) {
      anchorIndex = i;
      break;
    }
  }
  if (anchorIndex < 0) {
    return outcome(
      "untrusted",
      `the chain ends at ${describeCertificate(chain[chain.length - 1] as Certificate)}, which is not a trusted root`,
      evidence,
    );
  }
  const trustTime = header.authentic ? header.signingTime : input.now;
  const root = pickWindow(anchorEntries, trustTime);
  evidence.trustRoot = (chain[anchorIndex] as Certificate).fingerprint;
  if (root?.state === "revoked") {
    return outcome("revoked", `trusted root "${root.entry.name}" was revoked at ${root.at.toISOString()}`, evidence);
  }

  const matching = input.identities.filter((identity) => identityMatches(identity, leaf));
  if (matching.length === 0)
    return outcome("untrusted", `no trusted identity matches the signing certificate subject "${leaf.subjectDn}"`, evidence);
  const identity = pickWindow(matching, trustTime);
  if (identity?.state === "revoked") {
    return outcome("revoked", `trusted identity "${identity.entry.name}" was revoked at ${identity.at.toISOString()}`, evidence);
  }

  const path = chain.slice(0, anchorIndex + 1);
  const atSigning = invalidAt(path, header.signingTime);
  if (atSigning) return outcome("expired", `at the signing time: ${atSigning}`, evidence);
  if (!header.authentic) {
    // Spec: without an authentic timestamp, every certificate must still be valid at verification time.
    const atNow = invalidAt(path, input.now);
    if (atNow) return outcome("expired", `${atNow}; the signature has no authentic timestamp`, evidence);
  }
  if (header.expiry && header.expiry.getTime() <= input.now.getTime()) {
    return outcome("expired", `the signature expired ${header.expiry.toISOString()} (${EXPIRY})`, evidence);
  }
  if (identity?.state === "expired") return outcome("expired", `trusted identity "${identity.entry.name}" is ${identity.reason}`, evidence);

  const entry = identity?.entry ?? (matching[0] as TrustedIdentity);
  const rootName = root?.entry.name ?? (anchorEntries[0] as TrustedX509Root).name;
  return outcome(
    "verified",
    `signed by "${leaf.subjectDn}", trusted as "${entry.name}", chaining to trusted root "${rootName}"; ${header.authentic ? "authentic" : "claimed"} signing time ${header.signingTime.toISOString()} (${header.scheme})`,
    evidence,
  );
}

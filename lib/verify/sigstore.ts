// Verifies a Sigstore bundle (v0.1-v0.3, message signature or DSSE, keyless or managed key, Rekor v1
// or v2) against an artefact, a trusted root and Vitrine's trust policy, with @sigstore/verify and
// no network. Returns a verdict, never throws for a bad bundle. No clock: times come from the bundle.
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { type Bundle, bundleFromJSON } from "@sigstore/bundle";
import { ASN1Obj } from "@sigstore/core";
import { HashAlgorithm, TrustedRoot } from "@sigstore/protobuf-specs";
import { type SignedEntity, type Signer, type TrustMaterial, toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import { canonicalJson } from "@/lib/domain/canonical-json";
import { parseDigest } from "@/lib/domain/digest";
import { decodeBase64, isRecord, statementFromDsse } from "@/lib/ingest/dsse";
import { parseCertificateDer, parseSigstoreBundle } from "@/lib/ingest/sigstore-bundle";
import { type ErrorContext, type MappedError, mapLibraryError } from "./library-errors";
import { type PrehashAlgorithm, verifyPrehashed } from "./prehashed";
import type { Verdict, VerificationEvidence, VerificationResult } from "./verdict";

export type IdentityPolicy = {
  /** Certificate SAN: exact, or a regular expression that must match all of it when subjectIsRegex. */
  subject: string;
  subjectIsRegex?: boolean;
  /** OIDC issuer, exact. */
  issuer: string;
};

export type SigstorePolicy = { identity?: IdentityPolicy; key?: { pem: string } };

export type SigstoreThresholds = { tlogThreshold?: number; ctlogThreshold?: number; timestampThreshold?: number };

export type VerifySigstoreBundleInput = {
  bundle: unknown;
  /** The artefact's bytes, or its digest `sha256:<hex>` (or sha512) when the bytes are not at hand. */
  artifact: { bytes?: Uint8Array; digest?: string };
  /** A Sigstore trusted_root.json, parsed. */
  trustedRoot: unknown;
  /** Exactly one of identity (keyless) or key (managed key); with neither, a valid bundle is `untrusted`. */
  policy: SigstorePolicy;
  /** Defaults 1 each (the library's): one tlog entry, one SCT, one verified timestamp. */
  thresholds?: SigstoreThresholds;
};

const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v\d+\.\d+)?\+json(;version=\d+\.\d+)?$/;

type Outcome<T> = { ok: true; value: T } | { ok: false; verdict: Verdict; reason: string };

function refuse<T>(verdict: Verdict, reason: string): Outcome<T> {
  return { ok: false, verdict, reason };
}

function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `sha256:<hex>` of a public key's SubjectPublicKeyInfo DER. */
export function keyFingerprint(key: KeyObject): string {
  return `sha256:${sha256Hex(key.export({ type: "spki", format: "der" }))}`;
}

function trustRootFingerprint(root: unknown): string | undefined {
  if (!isRecord(root)) return undefined;
  try {
    return `sha256:${sha256Hex(Buffer.from(canonicalJson(root), "utf8"))}`;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs

type Artifact = { bytes: Buffer | null; digests: Map<string, string> };

function readArtifact(artifact: VerifySigstoreBundleInput["artifact"] | undefined): Outcome<Artifact> {
  if (!artifact || (artifact.bytes === undefined && artifact.digest === undefined)) {
    return refuse("unverifiable", "no artefact was given (neither its bytes nor its digest)");
  }
  const digests = new Map<string, string>();
  if (artifact.digest !== undefined) {
    const parsed = parseDigest(artifact.digest);
    if (!parsed.ok) return refuse("unverifiable", `the artefact digest is not usable: ${parsed.reason}`);
    digests.set(parsed.algorithm, parsed.hex);
  }
  if (artifact.bytes === undefined) return { ok: true, value: { bytes: null, digests } };
  const bytes = Buffer.from(artifact.bytes);
  for (const algorithm of ["sha256", "sha512"]) {
    const hex = createHash(algorithm).update(bytes).digest("hex");
    const given = digests.get(algorithm);
    if (given !== undefined && given !== hex) {
      return refuse("unverifiable", `the artefact's bytes do not match its given digest ${algorithm}:${given}`);
    }
    digests.set(algorithm, hex);
  }
  return { ok: true, value: { bytes, digests } };
}

type IdentityMatcher = { describe: string; test(san: string): boolean; issuer: string };
type CompiledPolicy = { kind: "identity"; identity: IdentityMatcher } | { kind: "key"; key: KeyObject } | { kind: "none" };

/** Exact SAN, or a pattern that must match the whole SAN: always compiled as ^(?:pattern)$. */
export function compileIdentityMatcher(identity: IdentityPolicy): Outcome<IdentityMatcher> {
  if (typeof identity.subject !== "string" || identity.subject === "") return refuse("unverifiable", "the trusted identity has no subject");
  if (typeof identity.issuer !== "string" || identity.issuer === "") return refuse("unverifiable", "the trusted identity has no issuer");
  if (!identity.subjectIsRegex) {
    const subject = identity.subject;
    return { ok: true, value: { describe: subject, test: (san) => san === subject, issuer: identity.issuer } };
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${identity.subject})$`);
  } catch (error) {
    const detail = error instanceof Error ? error.message : "syntax error";
    return refuse("unverifiable", `the trusted identity pattern is not a valid regular expression (${detail})`);
  }
  return { ok: true, value: { describe: pattern.source, test: (san) => pattern.test(san), issuer: identity.issuer } };
}

function compilePolicy(policy: SigstorePolicy | undefined): Outcome<CompiledPolicy> {
  if (policy?.identity && policy.key) return refuse("unverifiable", "the policy names both an identity and a key; give one");
  if (policy?.identity) {
    const matcher = compileIdentityMatcher(policy.identity);
    return matcher.ok ? { ok: true, value: { kind: "identity", identity: matcher.value } } : matcher;
  }
  if (policy?.key) {
    try {
      const key = createPublicKey(policy.key.pem);
      return { ok: true, value: { kind: "key", key } };
    } catch {
      return refuse("unverifiable", "the trusted key is not a usable PEM public key");
    }
  }
  return { ok: true, value: { kind: "none" } };
}

function readThresholds(thresholds: SigstoreThresholds | undefined, isCertificate: boolean): Outcome<Required<SigstoreThresholds>> {
  const t = { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1, ...thresholds };
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isInteger(value) || value < 0) return refuse("unverifiable", `threshold ${name} must be a non-negative integer`);
  }
  // A certificate is only checked against its CA at a verified time: without one the library checks no chain.
  if (isCertificate) t.timestampThreshold = Math.max(1, t.timestampThreshold);
  return { ok: true, value: t };
}

const parsedRoots = new WeakMap<object, TrustedRoot>();
const keylessMaterial = new WeakMap<object, TrustMaterial>();

function loadTrustMaterial(root: unknown, policy: CompiledPolicy): Outcome<TrustMaterial> {
  if (root === undefined || root === null) return refuse("unverifiable", "no trusted root was given");
  if (!isRecord(root) || typeof root.mediaType !== "string" || !TRUSTED_ROOT_MEDIA_TYPE.test(root.mediaType)) {
    return refuse("unverifiable", "the trusted root is not a Sigstore trusted_root.json (mediaType)");
  }
  try {
    // Parsing a root's certificates is most of the cost of a keyless verification: parse each root
    // object once (it is immutable once loaded) and reuse it while the object lives.
    // (isRecord above: root is a plain object here.)
    const key = root as object;
    let trustedRoot = parsedRoots.get(key);
    if (!trustedRoot) {
      trustedRoot = TrustedRoot.fromJSON(root);
      parsedRoots.set(key, trustedRoot);
    }
    if (policy.kind !== "key") {
      let material = keylessMaterial.get(key);
      if (!material) {
        material = toTrustMaterial(trustedRoot);
        keylessMaterial.set(key, material);
      }
      return { ok: true, value: material };
    }
    // The bundle's key hint is unauthenticated: a managed-key bundle is checked with the policy's key, whatever it hints.
    const keyFinder = () => ({ publicKey: policy.key, validFor: () => true });
    return { ok: true, value: toTrustMaterial(trustedRoot, keyFinder) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : "unreadable";
    return refuse("unverifiable", `the trusted root cannot be used (${detail.slice(0, 160)})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Signature content

type SignatureContent = SignedEntity["signature"];

const MESSAGE_HASHES: Partial<Record<HashAlgorithm, { node: string; prehash: PrehashAlgorithm | null; vitrine: string }>> = {
  [HashAlgorithm.SHA2_256]: { node: "sha256", prehash: "sha256", vitrine: "sha256" },
  [HashAlgorithm.SHA2_384]: { node: "sha384", prehash: "sha384", vitrine: "sha384" },
  [HashAlgorithm.SHA2_512]: { node: "sha512", prehash: "sha512", vitrine: "sha512" },
  [HashAlgorithm.SHA3_256]: { node: "sha3-256", prehash: null, vitrine: "sha3-256" },
  [HashAlgorithm.SHA3_384]: { node: "sha3-384", prehash: null, vitrine: "sha3-384" },
};

type SignedOver = { bytes: Buffer } | { digest: Buffer; algorithm: PrehashAlgorithm | null };
type Flags = { prehashUnsupported: boolean };

/**
 * Wraps the library's message-signature content: over bytes, Ed25519 is verified without a digest
 * name (the library passes one, which node:crypto refuses for EdDSA); over a digest alone, the
 * signature is checked with the prehashed verifier. The tlog comparisons stay the library's.
 */
function messageContent(original: SignatureContent, over: SignedOver, flags: Flags): SignatureContent {
  return {
    signature: original.signature,
    compareSignature: (signature) => original.compareSignature(signature),
    compareDigest: (digest) => original.compareDigest(digest),
    compareSignedDigest: (digest) => original.compareSignedDigest(digest),
    verifySignature: (key) => {
      if ("bytes" in over) {
        if (key.asymmetricKeyType === "ed25519" || key.asymmetricKeyType === "ed448") {
          try {
            return cryptoVerify(null, over.bytes, key, original.signature);
          } catch {
            return false;
          }
        }
        return original.verifySignature(key);
      }
      const result = over.algorithm
        ? verifyPrehashed({ key, digest: over.digest, algorithm: over.algorithm, signature: original.signature })
        : "unsupported";
      if (result === "unsupported") flags.prehashUnsupported = true;
      return result === true;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Cryptographic verification

type Verified = { signer: Signer; entity: SignedEntity };

type CryptoInput = {
  bundle: Bundle;
  leafDer: Buffer | null;
  trust: TrustMaterial;
  thresholds: Required<SigstoreThresholds>;
  /** Message signatures: what the signature is checked over. DSSE: ignored. */
  over: SignedOver | null;
  context: ErrorContext;
};

function verifyCrypto(input: CryptoInput): Outcome<Verified> {
  const flags: Flags = { prehashUnsupported: false };
  let entity: SignedEntity;
  try {
    const bytes = input.over && "bytes" in input.over ? input.over.bytes : undefined;
    entity = toSignedEntity(input.bundle, bytes);
    if (input.bundle.content.$case === "messageSignature" && input.over) {
      entity = { ...entity, signature: messageContent(entity.signature, input.over, flags) };
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : "unreadable";
    return refuse("invalid", `the bundle's certificate or timestamp does not parse (${detail.slice(0, 160)})`);
  }
  const certificateProblem = input.leafDer ? certificateEncodingProblem(input.leafDer) : null;
  if (certificateProblem) return refuse("invalid", certificateProblem);
  // @sigstore/core falls back to the key's default digest for an unknown CMS signature algorithm;
  // the field is outside the signed attributes, so an unknown one is refused rather than guessed.
  for (const timestamp of entity.timestamps) {
    if (
      timestamp.$case === "timestamp-authority" &&
      (!timestamp.timestamp.signatureAlgorithm || !timestamp.timestamp.signerDigestAlgorithm)
    ) {
      return refuse("invalid", "an RFC 3161 timestamp names an unknown signature or digest algorithm");
    }
  }
  try {
    const signer = new Verifier(input.trust, input.thresholds).verify(entity);
    const inconsistent = inconsistentInclusionProof(input.bundle);
    if (inconsistent) return refuse("invalid", inconsistent);
    return { ok: true, value: { signer, entity } };
  } catch (error) {
    if (flags.prehashUnsupported) {
      return refuse(
        "unverifiable",
        "this key type cannot be checked against a digest alone (Ed25519, RSA-PSS, P-521); give the artefact's bytes",
      );
    }
    let refined: MappedError | null = null;
    try {
      refined = refineChainFailure(error, entity, input);
    } catch {
      // A certificate too malformed to inspect further: the library's own failure stands.
    }
    const mapped = refined ?? mapLibraryError(error, input.context);
    return refuse(mapped.verdict, mapped.reason);
  }
}

/**
 * The library proves the entry against the signed checkpoint's size and root, and ignores the proof's own
 * treeSize and rootHash. They must agree with the checkpoint, or the proof was altered.
 */
function inconsistentInclusionProof(bundle: Bundle): string | null {
  for (const [i, entry] of bundle.verificationMaterial.tlogEntries.entries()) {
    const proof = entry.inclusionProof;
    if (!proof) continue;
    const envelope = proof.checkpoint?.envelope ?? "";
    const split = envelope.indexOf("\n\n");
    const [, size, rootHash] = envelope.slice(0, split).split("\n");
    // The library decodes signature lines leniently; a changed character must not pass as the same line.
    const lines = envelope.slice(split + 2).split("\n");
    if (lines.pop() !== "" || lines.some((line) => !/^\u2014 \S+ \S+$/.test(line) || !decodeBase64(line.split(" ")[2] ?? ""))) {
      return `tlog entry ${i}: the checkpoint's signature lines are not canonical`;
    }
    if (size !== String(proof.treeSize)) return `tlog entry ${i}: the inclusion proof's tree size is not the signed checkpoint's`;
    if (rootHash === undefined || !Buffer.from(rootHash, "base64").equals(Buffer.from(proof.rootHash))) {
      return `tlog entry ${i}: the inclusion proof's root hash is not the signed checkpoint's`;
    }
  }
  return null;
}

/**
 * What a certificate verifier may overlook outside the signed TBSCertificate: RFC 5280 requires the
 * outer signature algorithm to repeat the signed one, and a DER signature is whole bytes.
 */
export function certificateEncodingProblem(der: Uint8Array): string | null {
  try {
    const [tbs, outerAlgorithm, signature] = ASN1Obj.parseBuffer(Buffer.from(der)).subs;
    const innerAlgorithm = tbs?.subs[tbs.subs[0]?.tag.isContextSpecific(0) ? 2 : 1];
    if (!innerAlgorithm || !outerAlgorithm || !innerAlgorithm.toDER().equals(outerAlgorithm.toDER())) {
      return "the certificate's signature algorithm does not repeat the signed one";
    }
    if (signature?.value[0] !== 0) return "the certificate's signature is not a whole number of bytes";
    return null;
  } catch {
    return "the certificate is not DER";
  }
}

/**
 * A certificate that does not chain to the trust root: `untrusted` when it is self-consistent (the
 * signature verifies with its key) and comes from a CA the root does not know (another Sigstore
 * instance), `invalid` when it claims one of the root's CAs and fails (a forged or altered certificate).
 */
function refineChainFailure(error: unknown, entity: SignedEntity, input: CryptoInput): MappedError | null {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (e.code !== "CERTIFICATE_ERROR" || e.message !== "Failed to verify certificate chain" || entity.key.$case !== "certificate")
    return null;
  const leaf = entity.key.certificate;
  let signatureOk = false;
  try {
    signatureOk = entity.signature.verifySignature(createPublicKey({ key: leaf.publicKey, format: "der", type: "spki" }));
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) return { verdict: "invalid", reason: "signature does not verify with the certificate's key" };
  // Found as the library finds issuers: by key identifier when both sides have one (Sigstore instances
  // share CA names), else by name.
  const aki = leaf.extAuthorityKeyID?.keyIdentifier;
  const issuerKnown = input.trust.certificateAuthorities.some((ca) =>
    ca.certChain.some((cert) => {
      const ski = cert.extSubjectKeyID?.keyIdentifier;
      return aki && ski ? ski.equals(aki) : cert.subject.equals(leaf.issuer);
    }),
  );
  if (!issuerKnown) {
    const issuerDn = (input.leafDer && parseCertificateDer(input.leafDer)?.issuerDn) || "unknown";
    return { verdict: "untrusted", reason: `the certificate was issued by a CA that is not in the trust root (${issuerDn})` };
  }
  if (e.cause === undefined) {
    return { verdict: "untrusted", reason: "no Fulcio CA of the trust root was valid at the signing time" };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Evidence

function isoFromSeconds(seconds: string): string | undefined {
  const n = Number(seconds);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toISOString() : undefined;
}

function signerEvidence(verified: Verified, bundle: Bundle, base: VerificationEvidence): VerificationEvidence {
  const evidence: VerificationEvidence = { ...base };
  const san = verified.signer.identity?.subjectAlternativeName;
  const issuer = verified.signer.identity?.extensions?.issuer;
  if (san) evidence.identity = san;
  if (issuer) evidence.issuer = issuer;
  evidence.keyFingerprint = keyFingerprint(verified.signer.key);
  // The entry's logIndex is signed only by an inclusion promise; otherwise report the proven one.
  const [entry] = bundle.verificationMaterial.tlogEntries;
  const logIndex = entry?.inclusionPromise ? entry.logIndex : (entry?.inclusionProof?.logIndex ?? entry?.logIndex);
  if (logIndex !== undefined) evidence.logIndex = String(logIndex);
  // Only an inclusion promise signs the integration time.
  const integrated = bundle.verificationMaterial.tlogEntries
    .filter((e) => e.inclusionPromise)
    .map((e) => isoFromSeconds(e.integratedTime))
    .find(Boolean);
  if (integrated) evidence.integratedTime = integrated;
  for (const timestamp of verified.entity.timestamps) {
    if (timestamp.$case === "timestamp-authority") {
      evidence.timestampedTime = timestamp.timestamp.signingTime.toISOString();
      break;
    }
  }
  return evidence;
}

function loggedPhrase(bundle: Bundle): string {
  return bundle.verificationMaterial.tlogEntries.length > 0
    ? "logged in a trusted transparency log"
    : "not logged (no tlog entry required)";
}

// ---------------------------------------------------------------------------------------------
// Entry point

export async function verifySigstoreBundle(input: VerifySigstoreBundleInput): Promise<VerificationResult> {
  try {
    return verify(input);
  } catch (error) {
    // Hostile input reaching an unguarded parser: never `verified`, never a throw.
    const detail = error instanceof Error ? error.message : String(error);
    const trustRoot = trustRootFingerprint(input?.trustedRoot);
    return {
      verdict: "invalid",
      reason: `the bundle could not be verified (${detail.slice(0, 160)})`,
      evidence: trustRoot ? { trustRoot } : {},
    };
  }
}

function verify(input: VerifySigstoreBundleInput): VerificationResult {
  const trustRoot = trustRootFingerprint(input.trustedRoot);
  const base: VerificationEvidence = trustRoot ? { trustRoot } : {};
  const done = (verdict: Verdict, reason: string, evidence: VerificationEvidence = base): VerificationResult => ({
    verdict,
    reason,
    evidence,
  });
  const fail = (outcome: { verdict: Verdict; reason: string }) => done(outcome.verdict, outcome.reason);

  if (input.bundle === undefined || input.bundle === null) return done("unverifiable", "no bundle was given");
  const artifact = readArtifact(input.artifact);
  if (!artifact.ok) return fail(artifact);
  const policy = compilePolicy(input.policy);
  if (!policy.ok) return fail(policy);
  const trust = loadTrustMaterial(input.trustedRoot, policy.value);
  if (!trust.ok) return fail(trust);

  const parsed = parseSigstoreBundle(input.bundle, "$");
  if (!parsed.ok) {
    const problems = parsed.errors.slice(0, 3).map((p) => `${p.path} ${p.message}`);
    return done("invalid", `the bundle is malformed: ${problems.join("; ")}`);
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(input.bundle);
  } catch {
    return done("invalid", "the bundle is malformed");
  }

  const material = bundle.verificationMaterial.content;
  const isCertificate = material.$case !== "publicKey";
  if (!isCertificate && policy.value.kind !== "key") {
    return done("unverifiable", "the bundle is signed with a managed key; verifying it needs that key as the trusted key");
  }
  const thresholds = readThresholds(input.thresholds, isCertificate);
  if (!thresholds.ok) return fail(thresholds);
  const leafDer =
    material.$case === "certificate"
      ? Buffer.from(material.certificate.rawBytes)
      : material.$case === "x509CertificateChain" && material.x509CertificateChain.certificates[0]
        ? Buffer.from(material.x509CertificateChain.certificates[0].rawBytes)
        : null;
  const context: ErrorContext = { keyMode: isCertificate ? "certificate" : "trusted-key" };
  const cryptoInput = { bundle, leafDer, trust: trust.value, thresholds: thresholds.value, context };

  let verified: Verified;
  if (bundle.content.$case === "messageSignature") {
    const md = bundle.content.messageSignature.messageDigest;
    const hash = MESSAGE_HASHES[md.algorithm];
    if (!hash) return done("unverifiable", "the bundle's message digest uses an unknown hash algorithm");
    const claimed = Buffer.from(md.digest).toString("hex");
    const { bytes } = artifact.value;
    const actual = bytes ? createHash(hash.node).update(bytes).digest("hex") : artifact.value.digests.get(hash.vitrine);
    if (actual === undefined) {
      return done(
        "unverifiable",
        `the bundle signs a ${hash.vitrine} digest and only another digest of the artefact was given; give its bytes`,
      );
    }
    if (actual !== claimed) {
      // Valid over its own digest: a good signature for another artefact. Otherwise inconsistent.
      const own = verifyCrypto({ ...cryptoInput, over: { digest: Buffer.from(md.digest), algorithm: hash.prehash } });
      if (own.ok) {
        return done(
          "subject-mismatch",
          `the bundle signs ${hash.vitrine}:${claimed}, not this artefact (${hash.vitrine}:${actual})`,
          signerEvidence(own.value, bundle, base),
        );
      }
      const unchecked = own.verdict === "unverifiable" ? ", and its own digest cannot be checked for this key type" : "";
      return done(
        "invalid",
        `the bundle's messageDigest (${hash.vitrine}:${claimed}) does not match the artefact (${hash.vitrine}:${actual})${unchecked}`,
      );
    }
    const over: SignedOver = bytes ? { bytes } : { digest: Buffer.from(claimed, "hex"), algorithm: hash.prehash };
    const outcome = verifyCrypto({ ...cryptoInput, over });
    if (!outcome.ok) return fail(outcome);
    verified = outcome.value;
  } else {
    const outcome = verifyCrypto({ ...cryptoInput, over: null });
    if (!outcome.ok) return fail(outcome);
    verified = outcome.value;
    const envelope = parsed.value.content.kind === "dsseEnvelope" ? parsed.value.content.envelope : null;
    const statement = envelope ? statementFromDsse(envelope, "$.dsseEnvelope") : null;
    const evidence = signerEvidence(verified, bundle, base);
    if (!statement?.ok) {
      const problem = statement && !statement.ok ? statement.errors[0] : undefined;
      const detail = problem ? `: ${problem.path} ${problem.message}` : "";
      return done("subject-mismatch", `the DSSE payload is not an in-toto Statement naming this artefact${detail}`, evidence);
    }
    const wanted = new Set([...artifact.value.digests].map(([algorithm, hex]) => `${algorithm}:${hex}`));
    const comparable = statement.value.subjects.filter((s) => artifact.value.digests.has(s.digest.split(":")[0] ?? ""));
    if (comparable.length === 0) {
      const algorithms = [...new Set(statement.value.subjects.map((s) => s.digest.split(":")[0]))].join(", ");
      return done("unverifiable", `the statement names only ${algorithms} digests; give the artefact's bytes or that digest`, evidence);
    }
    if (!comparable.some((s) => wanted.has(s.digest))) {
      const named = statement.value.subjects
        .slice(0, 3)
        .map((s) => s.digest)
        .join(", ");
      return done("subject-mismatch", `the statement's subjects (${named}) do not include this artefact`, evidence);
    }
  }

  const evidence = signerEvidence(verified, bundle, base);
  const p = policy.value;
  if (p.kind === "none") return done("untrusted", "the signature is valid, but no trusted identity or key was given", evidence);
  if (p.kind === "key") {
    if (keyFingerprint(p.key) !== evidence.keyFingerprint) {
      return done(
        "untrusted",
        `the bundle is signed by a certificate for ${evidence.identity ?? "an unnamed identity"}, not by the trusted key`,
        evidence,
      );
    }
    return done("verified", `the signature verifies with the trusted key, ${loggedPhrase(bundle)}`, evidence);
  }
  const san = evidence.identity;
  if (!san || !p.identity.test(san)) {
    return done("untrusted", `the certificate identity ${san ?? "(none)"} is not the trusted identity ${p.identity.describe}`, evidence);
  }
  if (evidence.issuer !== p.identity.issuer) {
    return done(
      "untrusted",
      `the certificate's OIDC issuer ${evidence.issuer ?? "(none)"} is not the trusted issuer ${p.identity.issuer}`,
      evidence,
    );
  }
  return done("verified", `signed by ${san} (issuer ${p.identity.issuer}), chained to the trust root, ${loggedPhrase(bundle)}`, evidence);
}

// Vitrine's own verdict on a signature or attestation (DESIGN.md "Verdicts Vitrine computes"). Pure types.

export const VERDICTS = ["verified", "untrusted", "invalid", "subject-mismatch", "revoked", "expired", "unverifiable"] as const;

/**
 * verified: valid and the signer is trusted; untrusted: valid, signer not trusted; invalid: fails
 * cryptographic verification or its transparency evidence is inconsistent; subject-mismatch: valid,
 * but about another artefact; revoked: signer revoked before the signing time; expired: the signer's
 * certificate or key was not valid at the signing time; unverifiable: material missing.
 */
export type Verdict = (typeof VERDICTS)[number];

export type VerificationEvidence = {
  /** Certificate SAN (URI or email) of a keyless signer. */
  identity?: string;
  /** Fulcio OIDC issuer extension of a keyless signer. */
  issuer?: string;
  /** sha256 of the signer's SubjectPublicKeyInfo DER, as `sha256:<hex>`. */
  keyFingerprint?: string;
  /** Transparency log index of the first entry, decimal. */
  logIndex?: string;
  /** Transparency log integration time (RFC 3339), when the log gave one. */
  integratedTime?: string;
  /** RFC 3161 timestamp authority time (RFC 3339), when the bundle carries one. */
  timestampedTime?: string;
  /** sha256 of the canonical JSON of the trusted root used, as `sha256:<hex>`. */
  trustRoot?: string;
};

export type VerificationResult = {
  verdict: Verdict;
  /** One human sentence: why this verdict. */
  reason: string;
  evidence: VerificationEvidence;
};

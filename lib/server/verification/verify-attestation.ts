import "server-only";
import { db } from "@/lib/db/client";
import { isRecord, statementFromDsse } from "@/lib/ingest/dsse";
import { parseSigstoreBundle } from "@/lib/ingest/sigstore-bundle";
import { type DsseEvidence, verifyDsse } from "@/lib/verify/dsse";
import type { Verdict } from "@/lib/verify/verdict";
import { loadTrustMaterial, signerName, type TrustMaterial, verifySigstore } from "./verify-signature";

// Vitrine's own verdict for a stored attestation, computed against the trust store as it is now.
// One verdict per attestation, about all of its artefacts: the stored subjects (and the artefact the
// submitter named, if any) must each be a subject of the signed Statement.
//   sigstore-bundle  the Sigstore path signatures take (trusted roots, identities and keys)
//   dsse             lib/verify/dsse.ts against the trusted PEM keys, judged at `now`
//   bare             never verified: nothing signs it

export const BARE_STATEMENT_REASON = "a bare in-toto Statement is unsigned evidence and can never be verified";

export type AttestationVerificationResult = { verdict: Verdict; reason: string; evidence: DsseEvidence };

export type AttestationVerdictInput = {
  /** The stored `envelope` kind: "sigstore-bundle", "dsse" or "bare". */
  envelope: string;
  /** The stored `material`: { bundle } / { envelope } / { statement }, plus the submitter's `artifact` if given. */
  material: Record<string, unknown>;
  /** The digests of the attestation's stored subjects (its artefacts). */
  subjectDigests: string[];
  trust: TrustMaterial;
  now: Date;
};

/** The artefacts an attestation is judged for: the one the submitter named first, then its subjects. */
function judgedDigests(material: Record<string, unknown>, subjectDigests: string[]): string[] {
  const declared = typeof material.artifact === "string" ? [material.artifact] : [];
  return [...new Set([...declared, ...subjectDigests])];
}

/** The Statement inside a bundle's DSSE envelope (trustworthy only once the bundle has verified). */
function bundleStatement(bundle: unknown) {
  const parsed = parseSigstoreBundle(bundle, "$.bundle");
  if (!parsed.ok || parsed.value.content.kind !== "dsseEnvelope") return null;
  const statement = statementFromDsse(parsed.value.content.envelope, "$.bundle.dsseEnvelope");
  return statement.ok ? statement.value : null;
}

/** Verdicts reached only once the bundle's signature has verified: its Statement is the signed one. */
const SIGNATURE_VALID: ReadonlySet<Verdict> = new Set(["verified", "untrusted", "revoked", "expired"]);

async function verifyBundleAttestation(input: AttestationVerdictInput, digests: string[]): Promise<AttestationVerificationResult> {
  const [primary, ...others] = digests;
  if (!primary) return { verdict: "unverifiable", reason: "the attestation names no artefact to judge it for", evidence: {} };
  const result: AttestationVerificationResult = await verifySigstore(input.material, primary, input.trust, input.now);
  const statement = bundleStatement(input.material.bundle);
  const evidence: DsseEvidence = { ...result.evidence, ...(statement ? { predicateType: statement.predicateType } : {}) };
  if (!SIGNATURE_VALID.has(result.verdict)) return { ...result, evidence };
  if (!statement) {
    return { verdict: "invalid", reason: "the bundle verified, but its DSSE payload is not an in-toto Statement", evidence };
  }
  const named = new Set<string>(statement.subjects.map((s) => s.digest));
  const missing = others.find((d) => !named.has(d));
  if (missing) {
    return { verdict: "subject-mismatch", reason: `the statement's subjects do not include ${missing}`, evidence };
  }
  if (result.verdict !== "verified") return { ...result, evidence };
  const trustedAs = signerName(result, input.trust);
  return { ...result, evidence: { ...evidence, ...(trustedAs ? { trustedAs } : {}) } };
}

/** Computes Vitrine's verdict for one attestation. Never throws: a surprise is `invalid`, never `verified`. */
export async function computeAttestationVerdict(input: AttestationVerdictInput): Promise<AttestationVerificationResult> {
  const digests = judgedDigests(input.material, input.subjectDigests);
  try {
    switch (input.envelope) {
      case "sigstore-bundle":
        return await verifyBundleAttestation(input, digests);
      case "dsse":
        return verifyDsse({ envelope: input.material.envelope, subjectDigests: digests, keys: input.trust.keys, now: input.now });
      case "bare": {
        const statement = isRecord(input.material.statement) ? input.material.statement : {};
        const predicateType = typeof statement.predicateType === "string" ? statement.predicateType : undefined;
        return { verdict: "unverifiable", reason: BARE_STATEMENT_REASON, evidence: predicateType ? { predicateType } : {} };
      }
      default:
        return { verdict: "unverifiable", reason: `no verifier for the attestation envelope ${input.envelope.slice(0, 40)}`, evidence: {} };
    }
  } catch (error) {
    return { verdict: "invalid", reason: `verification failed: ${(error as Error).message.slice(0, 200)}`, evidence: {} };
  }
}

/** Verifies the given attestations (or all) and stores each verdict with its reason and evidence. */
const PAGE = 1000;

export async function verifyAttestations(options: { ids?: string[]; now: Date }): Promise<{ verified: number; checked: number }> {
  const trust = await loadTrustMaterial();
  let verified = 0;
  let checked = 0;
  let cursor: string | undefined;
  for (;;) {
    const attestations = await db().attestation.findMany({
      where: options.ids ? { id: { in: options.ids } } : {},
      select: { id: true, envelope: true, material: true, subjects: { select: { digest: true } } },
      // Without ids: every row, a page at a time in id order (a trust change re-judges them all).
      orderBy: { id: "asc" },
      take: options.ids ? undefined : PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const a of attestations) {
      const result = await computeAttestationVerdict({
        envelope: a.envelope,
        material: isRecord(a.material) ? a.material : {},
        subjectDigests: a.subjects.map((s) => s.digest).sort(),
        trust,
        now: options.now,
      });
      if (result.verdict === "verified") verified++;
      await db().attestation.update({
        where: { id: a.id },
        data: {
          verdict: result.verdict,
          verdictReason: result.reason.slice(0, 1000),
          evidence: result.evidence as object,
          verifiedAt: options.now,
        },
      });
    }
    checked += attestations.length;
    if (options.ids || attestations.length < PAGE) break;
    cursor = attestations[attestations.length - 1]!.id;
  }
  return { verified, checked };
}

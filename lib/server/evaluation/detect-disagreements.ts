import "server-only";
import type { Sql } from "@/lib/db/sql";
import { uuidv7 } from "@/lib/server/ingest/uuid";

export type Disagreement = {
  claimId: string;
  artifactId: string;
  verifier: string;
  claimResult: string;
  vitrineStatus: string;
  reason: string;
};

/**
 * Whether a claim speaks about signatures at all: cosign and notation always do, and so does an
 * admission decision; a Kyverno result only when its policy or rule is about images, signatures or
 * attestations (a "require-labels" pass says nothing about trust).
 */
export function claimIsAboutTrust(claim: { verifier: string; policy: string | null; rule: string | null }): boolean {
  if (claim.verifier !== "kyverno") return true;
  return /verify|sign|attest|image|cosign|notary|sigstore/i.test(`${claim.policy ?? ""} ${claim.rule ?? ""}`);
}

/** A claim against Vitrine's own verdicts for the same artefact; null when they agree. */
export function compareClaim(
  claim: { verifier: string; result: string; policy: string | null; rule: string | null },
  verdicts: Array<string | null>,
): { vitrineStatus: string; reason: string } | null {
  if (!claimIsAboutTrust(claim)) return null;
  const verified = verdicts.includes("verified");
  const summary = verdicts.length === 0 ? "no signature" : `verdicts: ${verdicts.map((v) => v ?? "pending").join(", ")}`;
  if (claim.result === "pass" && !verified) {
    return {
      vitrineStatus: "not verified",
      reason: `${claim.verifier} passed it, but Vitrine finds no verified signature (${summary})`,
    };
  }
  // A failure only contradicts Vitrine when the verifier checks signatures themselves.
  if (claim.result === "fail" && verified && (claim.verifier === "cosign" || claim.verifier === "notation")) {
    return { vitrineStatus: "verified", reason: `${claim.verifier} failed it, but Vitrine verified a signature` };
  }
  return null;
}

/**
 * Records new disagreements and resolves those that no longer hold (all claims, or those about the
 * given artefacts). Returns the ones newly recorded.
 */
export async function detectDisagreements(sql: Sql, options: { artifactIds?: string[]; now: Date }): Promise<Disagreement[]> {
  const filter = options.artifactIds ? "AND c.artifact_id = ANY($1::uuid[])" : "";
  const claims = await sql.query<{
    id: string;
    artifact_id: string;
    verifier: string;
    result: string;
    policy: string | null;
    rule: string | null;
    verdicts: Array<string | null> | null;
    open: boolean;
  }>(
    `SELECT c.id, c.artifact_id, c.verifier, c.result, c.policy, c.rule,
            (SELECT array_agg(s.verdict) FROM signatures s WHERE s.artifact_id = c.artifact_id) AS verdicts,
            EXISTS (SELECT 1 FROM verifier_disagreements v WHERE v.claim_id = c.id AND v.resolved_at IS NULL) AS open
       FROM verification_claims c
      WHERE c.artifact_id IS NOT NULL AND c.result IN ('pass', 'fail') ${filter}`,
    options.artifactIds ? [options.artifactIds] : [],
  );
  const found: Disagreement[] = [];
  const resolved: string[] = [];
  for (const c of claims) {
    const d = compareClaim(c, c.verdicts ?? []);
    if (d && !c.open) {
      found.push({ claimId: c.id, artifactId: c.artifact_id, verifier: c.verifier, claimResult: c.result, ...d });
    } else if (!d && c.open) resolved.push(c.id);
  }
  for (const d of found) {
    // One row per claim: a disagreement that returns reopens its row with the new reason.
    await sql.query(
      `INSERT INTO verifier_disagreements (id, claim_id, artifact_id, verifier, claim_result, vitrine_status, reason, detected_at)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7, $8::timestamptz)
       ON CONFLICT (claim_id) DO UPDATE SET vitrine_status = EXCLUDED.vitrine_status, reason = EXCLUDED.reason,
                                            detected_at = EXCLUDED.detected_at, resolved_at = NULL`,
      [uuidv7(), d.claimId, d.artifactId, d.verifier, d.claimResult, d.vitrineStatus, d.reason, options.now.toISOString()],
    );
  }
  if (resolved.length) {
    await sql.query(
      `UPDATE verifier_disagreements SET resolved_at = $2::timestamptz WHERE claim_id = ANY($1::uuid[]) AND resolved_at IS NULL`,
      [resolved, options.now.toISOString()],
    );
  }
  return found;
}

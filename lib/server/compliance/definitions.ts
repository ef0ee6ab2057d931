// The compliance definitions (DESIGN.md "compliance views"; issue 7): which deployments count in an
// environment's window, and what makes one pinned, signed, provenanced, admitted and compliant.
// The compliance view, its daily snapshots and the report exports all build their SQL from these
// fragments, so a number on the page, in a snapshot and in an exported report always agree.
//
// Each fragment is a boolean SQL expression over a `deployments` row aliased `d` (pass another
// alias if needed). `environment`, `from` and `to` are SQL expressions supplied by the caller,
// usually bound parameters such as `$1` (an environment *name*) or `$2::timestamptz`.
import "server-only";

/** The six measures of DESIGN.md's `GET /api/v1/compliance` contract, in display order. */
export const COMPLIANCE_MEASURES = ["total", "pinned", "verifiedSignature", "verifiedProvenance", "admitted", "compliant"] as const;
export type ComplianceMeasure = (typeof COMPLIANCE_MEASURES)[number];
export type ComplianceCounts = Record<ComplianceMeasure, number>;

/** in-toto predicate types that count as provenance (SLSA v0.1, v0.2, v1). */
export const PROVENANCE_PREDICATE_PATTERN = "https://slsa.dev/provenance/%";

/**
 * A deployment counts in the window [from, to) when it started before `to` and had not ended by
 * `from`: `started_at < to AND (ended_at IS NULL OR ended_at > from)`. The environment is matched
 * separately (see {@link inEnvironment}).
 */
export function activeInWindow(options: { from: string; to: string; d?: string }): string {
  const d = options.d ?? "d";
  return `(${d}.started_at < ${options.to} AND (${d}.ended_at IS NULL OR ${d}.ended_at > ${options.from}))`;
}

/** The deployment runs in the environment named by `environment` (a SQL text expression). */
export function inEnvironment(options: { environment: string; d?: string }): string {
  const d = options.d ?? "d";
  return `${d}.environment_id = (SELECT e.id FROM environments e WHERE e.name = ${options.environment})`;
}

/** pinned: the deployer named a digest, not a tag (`deployments.pinned`). */
export function isPinned(d = "d"): string {
  return `(${d}.pinned IS TRUE)`;
}

/**
 * verifiedSignature: the artefact has at least one signature whose current Vitrine verdict is
 * `verified` (valid, and the signer trusted for this scope). False for an unresolved tag.
 */
export function hasVerifiedSignature(d = "d"): string {
  return `EXISTS (SELECT 1 FROM signatures s WHERE s.artifact_id = ${d}.artifact_id AND s.verdict = 'verified')`;
}

/**
 * verifiedProvenance: the artefact is a subject of an attestation with an SLSA provenance
 * predicate (`https://slsa.dev/provenance/%`) whose current Vitrine verdict is `verified`.
 */
export function hasVerifiedProvenance(d = "d"): string {
  return `EXISTS (SELECT 1 FROM attestation_subjects asub JOIN attestations att ON att.id = asub.attestation_id
                   WHERE asub.artifact_id = ${d}.artifact_id AND att.verdict = 'verified'
                     AND att.predicate_type LIKE '${PROVENANCE_PREDICATE_PATTERN}')`;
}

/**
 * admitted: an external verifier passed the artefact (a verification claim for it with result
 * `pass`, for this environment or for none), or Vitrine's own admission gate allowed it in this
 * environment (an allowed admission decision whose `images` name the artefact). Not bounded in
 * time: a pass recorded at any time counts, as a verifier's word about an immutable digest.
 */
export function isAdmitted(options: { environment: string; d?: string }): string {
  const d = options.d ?? "d";
  return `(EXISTS (SELECT 1 FROM verification_claims vc
                    WHERE vc.artifact_id = ${d}.artifact_id AND vc.result = 'pass'
                      AND (vc.environment IS NULL OR vc.environment = ${options.environment}))
        OR EXISTS (SELECT 1 FROM admission_decisions ad
                    WHERE ad.environment = ${options.environment} AND ad.allowed
                      AND ad.images @> jsonb_build_array(jsonb_build_object('artifactId', ${d}.artifact_id::text))))`;
}

/**
 * compliant: the environment's trust policy passes for the deployment (`policy_pass`, kept
 * current by the job queue: lib/server/evaluation/evaluate-deployments.ts). Not yet evaluated
 * counts as not compliant.
 */
export function isCompliant(d = "d"): string {
  return `(${d}.policy_pass IS TRUE)`;
}

/** The predicate of one measure (`total` is always true). */
export function measurePredicate(measure: ComplianceMeasure, options: { environment: string; d?: string }): string {
  const d = options.d ?? "d";
  switch (measure) {
    case "total":
      return "TRUE";
    case "pinned":
      return isPinned(d);
    case "verifiedSignature":
      return hasVerifiedSignature(d);
    case "verifiedProvenance":
      return hasVerifiedProvenance(d);
    case "admitted":
      return isAdmitted({ environment: options.environment, d });
    case "compliant":
      return isCompliant(d);
  }
}

/**
 * The six counts as one SELECT list (`count(d.id) AS total, count(d.id) FILTER (WHERE ...) AS pinned, ...`),
 * for a query over deployments `d` already restricted to the environment and window. Counting
 * `d.id` keeps a LEFT JOIN that found no deployment at zero.
 */
export function countColumns(options: { environment: string; d?: string }): string {
  const d = options.d ?? "d";
  return COMPLIANCE_MEASURES.map((m) =>
    m === "total" ? `count(${d}.id)::int AS "total"` : `count(${d}.id) FILTER (WHERE ${measurePredicate(m, options)})::int AS "${m}"`,
  ).join(",\n       ");
}

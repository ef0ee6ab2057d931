import "server-only";
import type { Sql } from "@/lib/db/sql";
import { defaultPolicy, evaluatePolicy, type PolicyFailure, type TrustPolicy } from "@/lib/domain/policy";
import { parseImageReference } from "@/lib/ingest/image-reference";
import { listPolicies } from "@/lib/server/policies/list-policies";
import { type ArtifactFacts, loadArtifactFacts } from "./artifact-facts";

const PAGE = 2000;

export type DeploymentFlip = { id: string; environment: string; workload: string; from: boolean | null; to: boolean };

/** Each environment's policy: its own, else the built-in default. */
export async function loadPolicyLookup(): Promise<(environment: string) => TrustPolicy> {
  const stored = new Map((await listPolicies()).map((p) => [p.environment, p.policy]));
  return (environment) => stored.get(environment) ?? defaultPolicy(environment);
}

type Row = {
  id: string;
  environment: string;
  workload: string;
  artifact_id: string | null;
  pinned: boolean;
  tag_reference: string | null;
  policy_pass: boolean | null;
};

function repositoryOf(row: Row, facts: ArtifactFacts | undefined): string | null {
  if (row.tag_reference) {
    const parsed = parseImageReference(row.tag_reference);
    if (parsed.ok) return parsed.ref.name;
  }
  return facts?.repository ?? null;
}

/** The policy result for one running deployment. */
export function deploymentResult(row: Row, facts: ArtifactFacts | undefined, policy: TrustPolicy) {
  const tag = row.tag_reference ? (parseImageReference(row.tag_reference) as { ok: boolean; ref?: { tag: string | null } }) : null;
  return evaluatePolicy(policy, {
    reference: { pinned: row.pinned, repository: repositoryOf(row, facts), tag: tag?.ok ? (tag.ref?.tag ?? null) : null },
    signatures: facts?.signatures ?? [],
    attestations: facts?.attestations ?? [],
  });
}

/**
 * Evaluates running deployments (all, or those of the given artefacts) against their environment's
 * trust policy and stores the result on each. Pages through the table; returns the deployments
 * whose result changed.
 */
export async function evaluateDeployments(
  sql: Sql,
  options: { artifactIds?: string[]; includeUnresolved?: boolean; now: Date },
): Promise<{ evaluated: number; flips: DeploymentFlip[] }> {
  const policyFor = await loadPolicyLookup();
  const flips: DeploymentFlip[] = [];
  let evaluated = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await sql.query<Row>(
      `SELECT d.id, e.name AS environment, d.workload, d.artifact_id, d.pinned, d.tag_reference, d.policy_pass
         FROM deployments d JOIN environments e ON e.id = d.environment_id
        WHERE d.ended_at IS NULL AND d.id > $1::uuid ${options.artifactIds ? `AND (d.artifact_id = ANY($3::uuid[])${options.includeUnresolved ? " OR d.artifact_id IS NULL" : ""})` : ""}
        ORDER BY d.id LIMIT $2`,
      options.artifactIds ? [after, PAGE, options.artifactIds] : [after, PAGE],
    );
    if (rows.length === 0) break;
    const facts = await loadArtifactFacts(
      sql,
      rows.map((r) => r.artifact_id).filter((id): id is string => id !== null),
    );
    const ids: string[] = [];
    const passes: boolean[] = [];
    const failures: string[] = [];
    for (const row of rows) {
      const result = deploymentResult(row, row.artifact_id ? facts.get(row.artifact_id) : undefined, policyFor(row.environment));
      ids.push(row.id);
      passes.push(result.pass);
      failures.push(JSON.stringify(result.failures satisfies PolicyFailure[]));
      if (row.policy_pass !== result.pass)
        flips.push({ id: row.id, environment: row.environment, workload: row.workload, from: row.policy_pass, to: result.pass });
    }
    await sql.query(
      `UPDATE deployments d SET policy_pass = t.pass, policy_failures = t.failures::jsonb, evaluated_at = $4::timestamptz
         FROM unnest($1::uuid[], $2::boolean[], $3::text[]) AS t(id, pass, failures) WHERE d.id = t.id`,
      [ids, passes, failures, options.now.toISOString()],
    );
    evaluated += rows.length;
    after = rows[rows.length - 1]!.id;
    if (rows.length < PAGE) break;
  }
  return { evaluated, flips };
}

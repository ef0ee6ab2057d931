import "server-only";
import { db } from "@/lib/db/client";
import { pool, sqlFromPg } from "@/lib/db/sql";
import { defaultPolicy, evaluatePolicy, type PolicyResult } from "@/lib/domain/policy";
import { loadArtifactFacts } from "@/lib/server/evaluation/artifact-facts";
import { listPolicies } from "@/lib/server/policies/list-policies";

export type EnvironmentVerdict = { environment: string; isDefault: boolean; result: PolicyResult };

/** Whether the artefact, deployed by its digest, would satisfy each environment's trust policy, and why not. */
export async function evaluateArtifactPolicies(options: { digest: string }): Promise<EnvironmentVerdict[]> {
  const artifact = await db().artifact.findUnique({ where: { digest: options.digest }, select: { id: true } });
  if (!artifact) return [];
  const client = await pool().connect();
  let facts: Awaited<ReturnType<typeof loadArtifactFacts>>;
  try {
    facts = await loadArtifactFacts(sqlFromPg(client), [artifact.id]);
  } finally {
    client.release();
  }
  const f = facts.get(artifact.id);
  const policyFacts = {
    reference: { pinned: true, repository: f?.repository ?? null, tag: null },
    signatures: f?.signatures ?? [],
    attestations: f?.attestations ?? [],
  };
  const policies = await listPolicies();
  const list = policies.length ? policies : [{ environment: "any environment", policy: defaultPolicy("default"), isDefault: true }];
  return list.map((p) => ({ environment: p.environment, isDefault: p.isDefault, result: evaluatePolicy(p.policy, policyFacts) }));
}

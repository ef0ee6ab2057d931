import "server-only";
import { db } from "@/lib/db/client";
import { defaultPolicy, evaluatePolicy, type PolicyResult } from "@/lib/domain/policy";
import { listPolicies } from "@/lib/server/policies/list-policies";

export type EnvironmentVerdict = { environment: string; isDefault: boolean; result: PolicyResult };

/** Whether the artefact, deployed by its digest, would satisfy each environment's trust policy, and why not. */
export async function evaluateArtifactPolicies(options: { digest: string }): Promise<EnvironmentVerdict[]> {
  const artifact = await db().artifact.findUnique({
    where: { digest: options.digest },
    include: {
      names: { select: { name: true }, orderBy: { firstSeenAt: "asc" }, take: 1 },
      signatures: { select: { verdict: true, evidence: true } },
      subjectOf: {
        include: {
          attestation: {
            select: { predicateType: true, verdict: true, buildId: true },
          },
        },
      },
    },
  });
  if (!artifact) return [];
  const buildIds = artifact.subjectOf.map((s) => s.attestation.buildId).filter((b): b is string => b !== null);
  const builds = await db().build.findMany({ where: { id: { in: buildIds } }, include: { sources: { include: { source: true } } } });
  const buildById = new Map(builds.map((b) => [b.id, b]));
  const facts = {
    reference: { pinned: true, repository: artifact.names[0]?.name ?? null, tag: null },
    signatures: artifact.signatures.map((s) => ({
      verdict: s.verdict,
      signerName: ((s.evidence ?? {}) as { trustedAs?: string }).trustedAs ?? null,
    })),
    attestations: artifact.subjectOf.map((s) => {
      const build = s.attestation.buildId ? buildById.get(s.attestation.buildId) : undefined;
      return {
        predicateType: s.attestation.predicateType,
        verdict: s.attestation.verdict,
        builderId: build?.builderId ?? null,
        sourceRepositories: build?.sources.map((bs) => bs.source.repository) ?? [],
      };
    }),
  };
  const policies = await listPolicies();
  const list = policies.length ? policies : [{ environment: "any environment", policy: defaultPolicy("default"), isDefault: true }];
  return list.map((p) => ({ environment: p.environment, isDefault: p.isDefault, result: evaluatePolicy(p.policy, facts) }));
}

import "server-only";
import type { Sql } from "@/lib/db/sql";
import type { PolicyFacts } from "@/lib/domain/policy";

/** What the trust policy needs to know about an artefact, apart from how it is referenced. */
export type ArtifactFacts = {
  digest: string;
  /** The first repository it was seen under (registry/repository), if any. */
  repository: string | null;
  signatures: PolicyFacts["signatures"];
  attestations: PolicyFacts["attestations"];
};

/**
 * Policy facts for many artefacts in three set-based queries (signatures, attestations with their
 * builds and sources, first names): what admission, deployment evaluation and the artefact page share.
 */
export async function loadArtifactFacts(sql: Sql, artifactIds: string[]): Promise<Map<string, ArtifactFacts>> {
  const out = new Map<string, ArtifactFacts>();
  if (artifactIds.length === 0) return out;
  const ids = [...new Set(artifactIds)];
  const [artifacts, signatures, attestations] = await Promise.all([
    sql.query<{ id: string; digest: string; name: string | null }>(
      `SELECT a.id, a.digest,
              (SELECT n.name FROM artifact_names n WHERE n.artifact_id = a.id ORDER BY n.first_seen_at, n.name LIMIT 1) AS name
         FROM artifacts a WHERE a.id = ANY($1::uuid[])`,
      [ids],
    ),
    sql.query<{ artifact_id: string; verdict: string | null; trusted_as: string | null }>(
      `SELECT artifact_id, verdict, evidence->>'trustedAs' AS trusted_as FROM signatures WHERE artifact_id = ANY($1::uuid[])`,
      [ids],
    ),
    sql.query<{
      artifact_id: string;
      predicate_type: string;
      verdict: string | null;
      builder_id: string | null;
      repositories: string[] | null;
    }>(
      `SELECT s.artifact_id, a.predicate_type, a.verdict, b.builder_id,
              (SELECT array_agg(src.repository) FROM build_sources bs JOIN sources src ON src.id = bs.source_id
                WHERE bs.build_id = a.build_id) AS repositories
         FROM attestation_subjects s
         JOIN attestations a ON a.id = s.attestation_id
         LEFT JOIN builds b ON b.id = a.build_id
        WHERE s.artifact_id = ANY($1::uuid[])`,
      [ids],
    ),
  ]);
  for (const a of artifacts) out.set(a.id, { digest: a.digest, repository: a.name, signatures: [], attestations: [] });
  for (const s of signatures) out.get(s.artifact_id)?.signatures.push({ verdict: s.verdict, signerName: s.trusted_as });
  for (const a of attestations) {
    out.get(a.artifact_id)?.attestations.push({
      predicateType: a.predicate_type,
      verdict: a.verdict,
      builderId: a.builder_id,
      sourceRepositories: a.repositories ?? [],
    });
  }
  return out;
}

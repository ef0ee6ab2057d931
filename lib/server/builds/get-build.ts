import "server-only";
import { type Sql, sqlFromPool } from "@/lib/db/sql";
import type { RunningDeployment, VerdictCount } from "@/lib/server/commits/get-commit";

// The build page: one pipeline run (builder, invocation, build type, times, outcome), the sources it
// consumed, its input and output artefacts, and the attestations that name its outputs (its own SLSA
// provenance, and any other statement about what it produced).

const LIMIT = 200;

export const BUILD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type BuildArtifact = { digest: string; name: string | null; kind: string; verdicts: VerdictCount[]; deployments: RunningDeployment[] };

export type BuildDetail = {
  id: string;
  builderId: string;
  invocationId: string;
  buildType: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  outcome: string;
  recordedAt: string;
  documentId: string | null;
  sources: Array<{ repository: string; commit: string }>;
  inputs: BuildArtifact[];
  outputs: BuildArtifact[];
  attestations: Array<{
    id: string;
    predicateType: string;
    envelope: string;
    verdict: string | null;
    reason: string | null;
    /** True for the statement this build was recorded from (its provenance). */
    describesThisBuild: boolean;
    subjects: string[];
    submittedAt: string;
    documentId: string;
  }>;
  /** How many builds this builder has run (this one included). */
  builderBuilds: number;
  truncated: boolean;
};

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export async function getBuild(options: { id: string; sql?: Sql }): Promise<BuildDetail | null> {
  const sql = options.sql ?? sqlFromPool();
  const [build] = await sql.query<{
    id: string;
    builder_id: string;
    invocation_id: string;
    build_type: string | null;
    started_at: Date | null;
    finished_at: Date | null;
    outcome: string;
    created_at: Date;
    document_id: string | null;
  }>(
    `SELECT id, builder_id, invocation_id, build_type, started_at, finished_at, outcome, created_at, document_id
       FROM builds WHERE id = $1::uuid`,
    [options.id],
  );
  if (!build) return null;
  const [sources, artifacts, attestations, [count]] = await Promise.all([
    sql.query<{ repository: string; commit: string }>(
      `SELECT s.repository, s.commit FROM build_sources bs JOIN sources s ON s.id = bs.source_id
        WHERE bs.build_id = $1::uuid ORDER BY s.repository, s.commit LIMIT ${LIMIT}`,
      [build.id],
    ),
    sql.query<{
      role: "input" | "output";
      digest: string;
      name: string | null;
      kind: string;
      verdicts: VerdictCount[] | null;
      deployments: RunningDeployment[] | null;
    }>(
      `SELECT ba.role::text AS role, a.digest, a.kind::text AS kind,
              (SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = a.id ORDER BY nm.first_seen_at, nm.name LIMIT 1) AS name,
              (SELECT json_agg(v ORDER BY v.count DESC) FROM (
                 SELECT s.verdict, count(*)::int AS count FROM signatures s WHERE s.artifact_id = a.id GROUP BY s.verdict) v) AS verdicts,
              (SELECT json_agg(x) FROM (
                 SELECT e.name AS environment, d.workload, d.namespace, d.cluster, d.started_at AS since
                   FROM deployments d JOIN environments e ON e.id = d.environment_id
                  WHERE d.artifact_id = a.id AND d.ended_at IS NULL
                  ORDER BY e.name, d.workload LIMIT 20) x) AS deployments
         FROM build_artifacts ba JOIN artifacts a ON a.id = ba.artifact_id
        WHERE ba.build_id = $1::uuid
        ORDER BY ba.role, a.digest LIMIT ${LIMIT * 2 + 1}`,
      [build.id],
    ),
    sql.query<{
      id: string;
      predicate_type: string;
      envelope: string;
      verdict: string | null;
      verdict_reason: string | null;
      build_id: string | null;
      created_at: Date;
      document_id: string;
      subjects: string[];
    }>(
      `WITH outs AS (SELECT ba.artifact_id FROM build_artifacts ba WHERE ba.build_id = $1::uuid AND ba.role = 'output'),
            named AS (SELECT t.id FROM attestations t WHERE t.build_id = $1::uuid
                      UNION SELECT x.attestation_id FROM attestation_subjects x JOIN outs ON outs.artifact_id = x.artifact_id)
       SELECT t.id, t.predicate_type, t.envelope, t.verdict, t.verdict_reason, t.build_id, t.created_at, t.document_id,
              ARRAY(SELECT x.digest FROM attestation_subjects x WHERE x.attestation_id = t.id
                     AND x.artifact_id IN (SELECT artifact_id FROM outs) ORDER BY x.digest LIMIT 20) AS subjects
         FROM attestations t JOIN named ON named.id = t.id
        ORDER BY t.created_at DESC, t.id LIMIT ${LIMIT}`,
      [build.id],
    ),
    sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM builds WHERE builder_id = $1`, [build.builder_id]),
  ]);
  const shape = (a: (typeof artifacts)[number]): BuildArtifact => ({
    digest: a.digest,
    name: a.name,
    kind: a.kind,
    verdicts: a.verdicts ?? [],
    deployments: (a.deployments ?? []).map((d) => ({ ...d, since: iso(d.since) as string })),
  });
  return {
    id: build.id,
    builderId: build.builder_id,
    invocationId: build.invocation_id,
    buildType: build.build_type,
    startedAt: iso(build.started_at),
    finishedAt: iso(build.finished_at),
    outcome: build.outcome,
    recordedAt: iso(build.created_at) as string,
    documentId: build.document_id,
    sources,
    inputs: artifacts
      .filter((a) => a.role === "input")
      .slice(0, LIMIT)
      .map(shape),
    outputs: artifacts
      .filter((a) => a.role === "output")
      .slice(0, LIMIT)
      .map(shape),
    attestations: attestations.map((t) => ({
      id: t.id,
      predicateType: t.predicate_type,
      envelope: t.envelope,
      verdict: t.verdict,
      reason: t.verdict_reason,
      describesThisBuild: t.build_id === build.id,
      subjects: t.subjects,
      submittedAt: iso(t.created_at) as string,
      documentId: t.document_id,
    })),
    builderBuilds: count?.n ?? 1,
    truncated: artifacts.length > LIMIT * 2,
  };
}

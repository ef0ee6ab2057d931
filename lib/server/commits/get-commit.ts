import "server-only";
import { type Sql, sqlFromPool } from "@/lib/db/sql";

// The commit page: a source commit (in one or more repositories), the builds that consumed it, the
// artefacts those builds produced with their signature verdicts, and where those run now. A prefix
// of at least 7 characters is accepted; the page sends an unambiguous prefix to the full commit.

const LIMIT = 100;
const DEPLOYMENTS_PER_ARTIFACT = 20;

export const COMMIT_PATTERN = /^[0-9a-f]{7,64}$/;

export type VerdictCount = { verdict: string | null; count: number };
export type RunningDeployment = { environment: string; workload: string; namespace: string | null; cluster: string | null; since: string };

export type CommitDetail = {
  commit: string;
  sources: Array<{ repository: string; firstSeenAt: string }>;
  builds: Array<{
    id: string;
    builderId: string;
    invocationId: string;
    buildType: string | null;
    startedAt: string | null;
    finishedAt: string | null;
    outcome: string;
    outputs: number;
  }>;
  artifacts: Array<{
    digest: string;
    name: string | null;
    kind: string;
    verdicts: VerdictCount[];
    deployments: RunningDeployment[];
    runningTotal: number;
  }>;
  /** Current deployments of all its artefacts, per environment. */
  environments: Array<{ environment: string; deployments: number }>;
  truncated: { builds: boolean; artifacts: boolean };
};

export type CommitLookup =
  | { status: "found"; detail: CommitDetail }
  | { status: "prefix"; commit: string }
  | { status: "ambiguous"; candidates: Array<{ commit: string; repository: string }> }
  | { status: "missing" };

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Builds that consumed the commit, as a CTE over parameter $1 (the full commit id). */
const COMMIT_BUILDS = `SELECT DISTINCT bs.build_id FROM sources src JOIN build_sources bs ON bs.source_id = src.id WHERE src.commit = $1`;

export async function getCommit(options: { sha: string; sql?: Sql }): Promise<CommitLookup> {
  const sql = options.sql ?? sqlFromPool();
  const sha = options.sha;
  const exact = sha.length === 40 || sha.length === 64;
  const sources = await sql.query<{ repository: string; commit: string; created_at: Date }>(
    `SELECT src.repository, src.commit, src.created_at FROM sources src
      WHERE ${exact ? "src.commit = $1" : "src.commit LIKE $1 || '%'"}
      ORDER BY src.commit, src.repository LIMIT 51`,
    [sha],
  );
  if (sources.length === 0) return { status: "missing" };
  const commits = [...new Set(sources.map((s) => s.commit))];
  if (commits.length > 1) {
    const seen = new Set<string>();
    const candidates = sources
      .filter((s) => (seen.has(s.commit) ? false : seen.add(s.commit)))
      .map((s) => ({ commit: s.commit, repository: s.repository }));
    return { status: "ambiguous", candidates };
  }
  const commit = commits[0] as string;
  if (commit !== sha) return { status: "prefix", commit };

  const [builds, artifacts, environments] = await Promise.all([
    sql.query<{
      id: string;
      builder_id: string;
      invocation_id: string;
      build_type: string | null;
      started_at: Date | null;
      finished_at: Date | null;
      outcome: string;
      outputs: number;
    }>(
      `SELECT b.id, b.builder_id, b.invocation_id, b.build_type, b.started_at, b.finished_at, b.outcome,
              (SELECT count(*) FROM build_artifacts o WHERE o.build_id = b.id AND o.role = 'output')::int AS outputs
         FROM builds b WHERE b.id IN (${COMMIT_BUILDS})
        ORDER BY b.finished_at DESC NULLS LAST, b.started_at DESC NULLS LAST, b.id
        LIMIT ${LIMIT + 1}`,
      [commit],
    ),
    sql.query<{
      digest: string;
      name: string | null;
      kind: string;
      verdicts: VerdictCount[] | null;
      deployments: RunningDeployment[] | null;
      running_total: number;
    }>(
      `WITH arts AS (
         SELECT DISTINCT ba.artifact_id FROM build_artifacts ba WHERE ba.role = 'output' AND ba.build_id IN (${COMMIT_BUILDS}))
       SELECT a.digest, a.kind::text AS kind,
              (SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = a.id ORDER BY nm.first_seen_at, nm.name LIMIT 1) AS name,
              (SELECT json_agg(v ORDER BY v.count DESC) FROM (
                 SELECT s.verdict, count(*)::int AS count FROM signatures s WHERE s.artifact_id = a.id GROUP BY s.verdict) v) AS verdicts,
              (SELECT json_agg(x) FROM (
                 SELECT e.name AS environment, d.workload, d.namespace, d.cluster, d.started_at AS since
                   FROM deployments d JOIN environments e ON e.id = d.environment_id
                  WHERE d.artifact_id = a.id AND d.ended_at IS NULL
                  ORDER BY e.name, d.workload LIMIT ${DEPLOYMENTS_PER_ARTIFACT}) x) AS deployments,
              (SELECT count(*) FROM deployments d WHERE d.artifact_id = a.id AND d.ended_at IS NULL)::int AS running_total
         FROM arts JOIN artifacts a ON a.id = arts.artifact_id
        ORDER BY a.first_seen_at DESC, a.id
        LIMIT ${LIMIT + 1}`,
      [commit],
    ),
    sql.query<{ environment: string; deployments: number }>(
      `WITH arts AS (
         SELECT DISTINCT ba.artifact_id FROM build_artifacts ba WHERE ba.role = 'output' AND ba.build_id IN (${COMMIT_BUILDS}))
       SELECT e.name AS environment, count(*)::int AS deployments
         FROM arts
         JOIN deployments d ON d.artifact_id = arts.artifact_id AND d.ended_at IS NULL
         JOIN environments e ON e.id = d.environment_id
        GROUP BY e.name ORDER BY e.name`,
      [commit],
    ),
  ]);

  return {
    status: "found",
    detail: {
      commit,
      sources: sources.map((s) => ({ repository: s.repository, firstSeenAt: iso(s.created_at) as string })),
      builds: builds.slice(0, LIMIT).map((b) => ({
        id: b.id,
        builderId: b.builder_id,
        invocationId: b.invocation_id,
        buildType: b.build_type,
        startedAt: iso(b.started_at),
        finishedAt: iso(b.finished_at),
        outcome: b.outcome,
        outputs: b.outputs,
      })),
      artifacts: artifacts.slice(0, LIMIT).map((a) => ({
        digest: a.digest,
        name: a.name,
        kind: a.kind,
        verdicts: a.verdicts ?? [],
        deployments: (a.deployments ?? []).map((d) => ({ ...d, since: iso(d.since) as string })),
        runningTotal: a.running_total,
      })),
      environments,
      truncated: { builds: builds.length > LIMIT, artifacts: artifacts.length > LIMIT },
    },
  };
}

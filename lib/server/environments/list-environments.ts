import "server-only";
import { type Sql, sqlFromPool } from "@/lib/db/sql";

// The environments list: every environment Vitrine knows (from deployments, environment events or a
// trust policy), with what runs there now and how much of it passes the environment's policy.

const LIMIT = 500;

export type EnvironmentSummary = {
  name: string;
  uri: string | null;
  isDemo: boolean;
  /** A policy of its own; false: the built-in default applies. */
  hasPolicy: boolean;
  running: number;
  passing: number;
  failing: number;
  /** Running, not evaluated yet. */
  pending: number;
  /** Running by a tag, not a digest. */
  unpinned: number;
  lastDeployedAt: string | null;
};

export async function listEnvironments(options: { sql?: Sql } = {}): Promise<{ items: EnvironmentSummary[]; truncated: boolean }> {
  const sql = options.sql ?? sqlFromPool();
  const rows = await sql.query<{
    name: string;
    uri: string | null;
    is_demo: boolean;
    has_policy: boolean;
    running: number;
    passing: number;
    failing: number;
    pending: number;
    unpinned: number;
    last_deployed_at: Date | null;
  }>(
    `WITH names AS (
       SELECT e.name FROM environments e WHERE e.deleted_at IS NULL
       UNION SELECT p.environment FROM trust_policies p),
     running AS (
       SELECT d.environment_id,
              count(*)::int AS running,
              (count(*) FILTER (WHERE d.policy_pass))::int AS passing,
              (count(*) FILTER (WHERE d.policy_pass = false))::int AS failing,
              (count(*) FILTER (WHERE d.policy_pass IS NULL))::int AS pending,
              (count(*) FILTER (WHERE NOT d.pinned))::int AS unpinned,
              max(d.started_at) AS last_deployed_at
         FROM deployments d WHERE d.ended_at IS NULL GROUP BY d.environment_id)
     SELECT n.name, e.uri, COALESCE(e.is_demo, false) AS is_demo,
            EXISTS (SELECT 1 FROM trust_policies p WHERE p.environment = n.name) AS has_policy,
            COALESCE(r.running, 0) AS running, COALESCE(r.passing, 0) AS passing, COALESCE(r.failing, 0) AS failing,
            COALESCE(r.pending, 0) AS pending, COALESCE(r.unpinned, 0) AS unpinned, r.last_deployed_at
       FROM names n
       LEFT JOIN environments e ON e.name = n.name AND e.deleted_at IS NULL
       LEFT JOIN running r ON r.environment_id = e.id
      ORDER BY COALESCE(r.running, 0) = 0, n.name
      LIMIT ${LIMIT + 1}`,
  );
  return {
    items: rows.slice(0, LIMIT).map((r) => ({
      name: r.name,
      uri: r.uri,
      isDemo: r.is_demo,
      hasPolicy: r.has_policy,
      running: r.running,
      passing: r.passing,
      failing: r.failing,
      pending: r.pending,
      unpinned: r.unpinned,
      lastDeployedAt: r.last_deployed_at ? new Date(r.last_deployed_at).toISOString() : null,
    })),
    truncated: rows.length > LIMIT,
  };
}

import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Sql, sqlFromPool } from "@/lib/db/sql";
import { type PolicyFailure, type TrustPolicy, ZTrustPolicy } from "@/lib/domain/policy";
import { decodeTimeCursor, encodeTimeCursor, type TimeCursor } from "@/lib/domain/time-cursor";

// The environment page: what runs there now (newest first) and what ran before (ended deployments,
// most recently ended first), each a page of its own keyed on (time, id), plus the counts.

export const RUNNING_PAGE_LIMIT = 50;
export const ENDED_PAGE_LIMIT = 25;

/** Environment names as deployers send them: printable, at most 200 characters. */
export function isEnvironmentName(name: string): boolean {
  if (name.length === 0 || name.length > 200) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

export type EnvironmentDeployment = {
  id: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  reference: string | null;
  pinned: boolean;
  tagReference: string | null;
  status: string;
  startedAt: string;
  endedAt: string | null;
  artifact: { digest: string; name: string | null } | null;
  policy: { pass: boolean; failures: PolicyFailure[] } | null;
};

export type EnvironmentDetail = {
  name: string;
  uri: string | null;
  isDemo: boolean;
  createdAt: string | null;
  hasPolicy: boolean;
  /** Its own policy; null: the built-in default (one verified signature, digest-pinned). */
  policy: TrustPolicy | null;
  counts: { running: number; passing: number; failing: number; pending: number; ended: number };
  running: { items: EnvironmentDeployment[]; nextCursor: string | null };
  ended: { items: EnvironmentDeployment[]; nextCursor: string | null };
};

type Row = {
  id: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  reference: string | null;
  pinned: boolean;
  tag_reference: string | null;
  status: string;
  started_at: Date;
  ended_at: Date | null;
  policy_pass: boolean | null;
  policy_failures: PolicyFailure[] | null;
  digest: string | null;
  name: string | null;
};

function cursorOf(text: string | undefined, param: string): TimeCursor | null {
  if (!text) return null;
  const cursor = decodeTimeCursor(text);
  if (!cursor) {
    throw new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: `$.query.${param}`, message: "not a cursor from a previous page" }],
    });
  }
  return cursor;
}

function shape(r: Row): EnvironmentDeployment {
  return {
    id: r.id,
    workload: r.workload,
    namespace: r.namespace,
    cluster: r.cluster,
    reference: r.reference,
    pinned: r.pinned,
    tagReference: r.tag_reference,
    status: r.status,
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
    artifact: r.digest ? { digest: r.digest, name: r.name } : null,
    policy: r.policy_pass === null ? null : { pass: r.policy_pass, failures: r.policy_failures ?? [] },
  };
}

const COLUMNS = `d.id, d.workload, d.namespace, d.cluster, d.reference, d.pinned, d.tag_reference, d.status::text AS status,
  d.started_at, d.ended_at, d.policy_pass, d.policy_failures, a.digest,
  (SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = a.id ORDER BY nm.first_seen_at, nm.name LIMIT 1) AS name`;

/** null when no environment (and no policy) of that name is known. */
export async function getEnvironment(options: {
  name: string;
  runningCursor?: string;
  endedCursor?: string;
  sql?: Sql;
}): Promise<EnvironmentDetail | null> {
  const sql = options.sql ?? sqlFromPool();
  const running = cursorOf(options.runningCursor, "running");
  const ended = cursorOf(options.endedCursor, "ended");
  const [env] = await sql.query<{
    id: string | null;
    name: string;
    uri: string | null;
    is_demo: boolean;
    created_at: Date | null;
    has_policy: boolean;
    document: unknown;
  }>(
    `SELECT e.id, COALESCE(e.name, p.environment) AS name, e.uri, COALESCE(e.is_demo, false) AS is_demo, e.created_at,
            p.environment IS NOT NULL AS has_policy, p.document
       FROM (SELECT $1::text AS name) q
       LEFT JOIN environments e ON e.name = q.name AND e.deleted_at IS NULL
       LEFT JOIN trust_policies p ON p.environment = q.name
      WHERE e.id IS NOT NULL OR p.environment IS NOT NULL`,
    [options.name],
  );
  if (!env) return null;
  const parsed = env.has_policy ? ZTrustPolicy.safeParse(env.document) : null;
  const policy = parsed?.success ? parsed.data : null;
  const empty = { items: [], nextCursor: null };
  if (!env.id) {
    return {
      name: env.name,
      uri: null,
      isDemo: false,
      createdAt: null,
      hasPolicy: env.has_policy,
      policy,
      counts: { running: 0, passing: 0, failing: 0, pending: 0, ended: 0 },
      running: empty,
      ended: empty,
    };
  }
  const [[counts], runningRows, endedRows] = await Promise.all([
    sql.query<{ running: number; passing: number; failing: number; pending: number; ended: number }>(
      `SELECT (count(*) FILTER (WHERE d.ended_at IS NULL))::int AS running,
              (count(*) FILTER (WHERE d.ended_at IS NULL AND d.policy_pass))::int AS passing,
              (count(*) FILTER (WHERE d.ended_at IS NULL AND d.policy_pass = false))::int AS failing,
              (count(*) FILTER (WHERE d.ended_at IS NULL AND d.policy_pass IS NULL))::int AS pending,
              (count(*) FILTER (WHERE d.ended_at IS NOT NULL))::int AS ended
         FROM deployments d WHERE d.environment_id = $1::uuid`,
      [env.id],
    ),
    sql.query<Row>(
      `SELECT ${COLUMNS} FROM deployments d LEFT JOIN artifacts a ON a.id = d.artifact_id
        WHERE d.environment_id = $1::uuid AND d.ended_at IS NULL
          AND ($2::timestamptz IS NULL OR (d.started_at, d.id) < ($2::timestamptz, $3::uuid))
        ORDER BY d.started_at DESC, d.id DESC LIMIT $4`,
      [env.id, running?.at.toISOString() ?? null, running?.id ?? null, RUNNING_PAGE_LIMIT + 1],
    ),
    sql.query<Row>(
      `SELECT ${COLUMNS} FROM deployments d LEFT JOIN artifacts a ON a.id = d.artifact_id
        WHERE d.environment_id = $1::uuid AND d.ended_at IS NOT NULL
          AND ($2::timestamptz IS NULL OR (d.ended_at, d.id) < ($2::timestamptz, $3::uuid))
        ORDER BY d.ended_at DESC, d.id DESC LIMIT $4`,
      [env.id, ended?.at.toISOString() ?? null, ended?.id ?? null, ENDED_PAGE_LIMIT + 1],
    ),
  ]);
  const page = (rows: Row[], limit: number, at: (r: Row) => Date) => {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(shape), nextCursor: rows.length > limit && last ? encodeTimeCursor(new Date(at(last)), last.id) : null };
  };
  return {
    name: env.name,
    uri: env.uri,
    isDemo: env.is_demo,
    createdAt: env.created_at ? new Date(env.created_at).toISOString() : null,
    hasPolicy: env.has_policy,
    policy,
    counts: counts ?? { running: 0, passing: 0, failing: 0, pending: 0, ended: 0 },
    running: page(runningRows, RUNNING_PAGE_LIMIT, (r) => r.started_at),
    ended: page(endedRows, ENDED_PAGE_LIMIT, (r) => r.ended_at as Date),
  };
}

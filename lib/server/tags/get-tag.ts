import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Sql, sqlFromPool } from "@/lib/db/sql";
import type { PolicyFailure } from "@/lib/domain/policy";
import { decodeTimeCursor, encodeTimeCursor, type TimeCursor } from "@/lib/domain/time-cursor";
import type { VerdictCount } from "@/lib/server/commits/get-commit";

// The tag page: a tag's whole history as (digest, from, to) intervals, newest first, each with the
// digest it replaced (so a move shows as "moved from X to Y at T"), the digest it points at now, and
// the deployments that named the tag instead of a digest.

export const HISTORY_PAGE_LIMIT = 50;
export const TAG_DEPLOYMENTS_PAGE_LIMIT = 25;

/** registry/repository:tag, as Vitrine stores it: a tag after the last "/", no whitespace. */
export function isTagReference(text: string): boolean {
  if (text.length === 0 || text.length > 1024 || /\s/.test(text)) return false;
  const colon = text.lastIndexOf(":");
  return colon > 0 && colon > text.lastIndexOf("/") && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(text.slice(colon + 1));
}

export type TagInterval = {
  id: string;
  digest: string;
  name: string | null;
  validFrom: string;
  validTo: string | null;
  /** The digest the tag held in the interval before this one, when it differs: this interval began with a move. */
  movedFrom: string | null;
  verdicts: VerdictCount[];
};

export type TagDeployment = {
  id: string;
  environment: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  resolvedDigest: string | null;
  startedAt: string;
  endedAt: string | null;
  policy: { pass: boolean; failures: PolicyFailure[] } | null;
};

export type TagDetail = {
  reference: string;
  repository: string;
  name: string;
  firstSeenAt: string;
  current: { digest: string; since: string } | null;
  counts: { intervals: number; moves: number; digests: number; deployments: number };
  history: { items: TagInterval[]; nextCursor: string | null };
  deployments: { items: TagDeployment[]; nextCursor: string | null };
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

const iso = (d: Date | string) => new Date(d).toISOString();

/** null when Vitrine has never seen the tag. */
export async function getTag(options: {
  reference: string;
  historyCursor?: string;
  deploymentsCursor?: string;
  sql?: Sql;
}): Promise<TagDetail | null> {
  const sql = options.sql ?? sqlFromPool();
  const history = cursorOf(options.historyCursor, "history");
  const deployed = cursorOf(options.deploymentsCursor, "deployments");
  const [tag] = await sql.query<{ id: string; reference: string; repository: string; name: string; created_at: Date }>(
    `SELECT id, reference, repository, name, created_at FROM tags WHERE reference = $1`,
    [options.reference],
  );
  // Deployments may name a tag Vitrine never saw pushed: the page still shows them.
  const tagId = tag?.id ?? null;
  const [[counts], intervals, deployments] = await Promise.all([
    sql.query<{
      intervals: number;
      moves: number;
      digests: number;
      deployments: number;
      current_digest: string | null;
      current_since: Date | null;
    }>(
      `SELECT (SELECT count(*) FROM tag_history h WHERE h.tag_id = $1::uuid)::int AS intervals,
              (SELECT count(*) FROM (
                 SELECT h.digest, lag(h.digest) OVER (ORDER BY h.valid_from, h.id) AS prev FROM tag_history h WHERE h.tag_id = $1::uuid) x
                WHERE x.prev IS NOT NULL AND x.prev <> x.digest)::int AS moves,
              (SELECT count(DISTINCT h.digest) FROM tag_history h WHERE h.tag_id = $1::uuid)::int AS digests,
              (SELECT count(*) FROM deployments d WHERE d.tag_reference = $2)::int AS deployments,
              (SELECT h.digest FROM tag_history h WHERE h.tag_id = $1::uuid AND h.valid_to IS NULL ORDER BY h.valid_from DESC LIMIT 1) AS current_digest,
              (SELECT h.valid_from FROM tag_history h WHERE h.tag_id = $1::uuid AND h.valid_to IS NULL ORDER BY h.valid_from DESC LIMIT 1) AS current_since`,
      [tagId, options.reference],
    ),
    sql.query<{
      id: string;
      digest: string;
      name: string | null;
      valid_from: Date;
      valid_to: Date | null;
      previous: string | null;
      verdicts: VerdictCount[] | null;
    }>(
      `SELECT h.id, h.digest, h.valid_from, h.valid_to,
              (SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = h.artifact_id ORDER BY nm.first_seen_at, nm.name LIMIT 1) AS name,
              (SELECT p.digest FROM tag_history p WHERE p.tag_id = h.tag_id AND (p.valid_from, p.id) < (h.valid_from, h.id)
                ORDER BY p.valid_from DESC, p.id DESC LIMIT 1) AS previous,
              (SELECT json_agg(v ORDER BY v.count DESC) FROM (
                 SELECT s.verdict, count(*)::int AS count FROM signatures s WHERE s.artifact_id = h.artifact_id GROUP BY s.verdict) v) AS verdicts
         FROM tag_history h
        WHERE h.tag_id = $1::uuid
          AND ($2::timestamptz IS NULL OR (h.valid_from, h.id) < ($2::timestamptz, $3::uuid))
        ORDER BY h.valid_from DESC, h.id DESC LIMIT $4`,
      [tagId, history?.at.toISOString() ?? null, history?.id ?? null, HISTORY_PAGE_LIMIT + 1],
    ),
    sql.query<{
      id: string;
      environment: string;
      workload: string;
      namespace: string | null;
      cluster: string | null;
      resolved_digest: string | null;
      started_at: Date;
      ended_at: Date | null;
      policy_pass: boolean | null;
      policy_failures: PolicyFailure[] | null;
    }>(
      `SELECT d.id, e.name AS environment, d.workload, d.namespace, d.cluster, d.resolved_digest, d.started_at, d.ended_at,
              d.policy_pass, d.policy_failures
         FROM deployments d JOIN environments e ON e.id = d.environment_id
        WHERE d.tag_reference = $1
          AND ($2::timestamptz IS NULL OR (d.started_at, d.id) < ($2::timestamptz, $3::uuid))
        ORDER BY d.started_at DESC, d.id DESC LIMIT $4`,
      [options.reference, deployed?.at.toISOString() ?? null, deployed?.id ?? null, TAG_DEPLOYMENTS_PAGE_LIMIT + 1],
    ),
  ]);
  if (!tag && !counts?.deployments) return null;
  const colon = options.reference.lastIndexOf(":");
  const historyPage = intervals.slice(0, HISTORY_PAGE_LIMIT);
  const lastInterval = historyPage[historyPage.length - 1];
  const deploymentPage = deployments.slice(0, TAG_DEPLOYMENTS_PAGE_LIMIT);
  const lastDeployment = deploymentPage[deploymentPage.length - 1];
  return {
    reference: tag?.reference ?? options.reference,
    repository: tag?.repository ?? options.reference.slice(0, colon),
    name: tag?.name ?? options.reference.slice(colon + 1),
    firstSeenAt: iso(tag?.created_at ?? deploymentPage[deploymentPage.length - 1]?.started_at ?? new Date(0)),
    current: counts?.current_digest && counts.current_since ? { digest: counts.current_digest, since: iso(counts.current_since) } : null,
    counts: {
      intervals: counts?.intervals ?? 0,
      moves: counts?.moves ?? 0,
      digests: counts?.digests ?? 0,
      deployments: counts?.deployments ?? 0,
    },
    history: {
      items: historyPage.map((h) => ({
        id: h.id,
        digest: h.digest,
        name: h.name,
        validFrom: iso(h.valid_from),
        validTo: h.valid_to ? iso(h.valid_to) : null,
        movedFrom: h.previous && h.previous !== h.digest ? h.previous : null,
        verdicts: h.verdicts ?? [],
      })),
      nextCursor:
        intervals.length > HISTORY_PAGE_LIMIT && lastInterval ? encodeTimeCursor(new Date(lastInterval.valid_from), lastInterval.id) : null,
    },
    deployments: {
      items: deploymentPage.map((d) => ({
        id: d.id,
        environment: d.environment,
        workload: d.workload,
        namespace: d.namespace,
        cluster: d.cluster,
        resolvedDigest: d.resolved_digest,
        startedAt: iso(d.started_at),
        endedAt: d.ended_at ? iso(d.ended_at) : null,
        policy: d.policy_pass === null ? null : { pass: d.policy_pass, failures: d.policy_failures ?? [] },
      })),
      nextCursor:
        deployments.length > TAG_DEPLOYMENTS_PAGE_LIMIT && lastDeployment
          ? encodeTimeCursor(new Date(lastDeployment.started_at), lastDeployment.id)
          : null,
    },
  };
}

import "server-only";
import { hostname } from "node:os";
import type { Sql } from "@/lib/db/sql";
import { uuidv7 } from "@/lib/server/ingest/uuid";

// The Postgres-backed job queue (DESIGN.md "Architecture"): work that must survive a crash or run
// beside requests. Jobs are claimed with FOR UPDATE SKIP LOCKED, so any number of instances share
// the queue; a claimed job whose worker died is claimed again once its lease runs out.

export type JobKind =
  | "trust.changed"
  | "artifacts.changed"
  | "alerts.sweep"
  | "alerts.notify"
  | "compliance.snapshot"
  | "reports.export"
  | "reports.scheduled";

export type Job = {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
};

export const WORKER_ID = `${hostname()}:${process.pid}`;
const LEASE_MS = 5 * 60_000;

/**
 * Adds a job in the caller's transaction (so it exists exactly when the change that needs it
 * does). With a dedupe key, a job that is still waiting absorbs the new request.
 */
export async function enqueueJob(
  sql: Sql,
  job: { kind: JobKind; payload?: Record<string, unknown>; dedupeKey?: string; runAt?: Date },
): Promise<void> {
  await enqueueJobs(sql, [job]);
}

/** Adds several jobs in one statement (same rules as enqueueJob: a waiting job with the same dedupe key absorbs one). */
export async function enqueueJobs(
  sql: Sql,
  jobs: Array<{ kind: JobKind; payload?: Record<string, unknown>; dedupeKey?: string; runAt?: Date }>,
): Promise<void> {
  if (jobs.length === 0) return;
  await sql.query(
    `INSERT INTO jobs (id, kind, payload, dedupe_key, run_at)
     SELECT id, kind, payload, dedupe_key, run_at
       FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::timestamptz[]) AS j(id, kind, payload, dedupe_key, run_at)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      jobs.map(() => uuidv7()),
      jobs.map((j) => j.kind),
      jobs.map((j) => JSON.stringify(j.payload ?? {})),
      jobs.map((j) => j.dedupeKey ?? null),
      jobs.map((j) => (j.runAt ?? new Date()).toISOString()),
    ],
  );
  notifyLocalWorker();
}

/**
 * Queues the re-evaluation of some artefacts, merged into a job of the same kind that is still
 * waiting (not yet claimed) when there is one: under load, many ingest batches then share one
 * evaluation instead of queueing one each. The waiting job is locked with SKIP LOCKED, so a job a
 * worker is claiming is never merged into, and nothing ever waits for another transaction.
 */
export async function enqueueArtifactsChanged(
  sql: Sql,
  options: { artifactIds: string[]; unresolved: boolean; runAt: Date },
): Promise<void> {
  const merged = await sql.query<{ id: string }>(
    `WITH target AS (
       SELECT id FROM jobs
        WHERE kind = 'artifacts.changed' AND done_at IS NULL AND failed_at IS NULL AND locked_until IS NULL AND attempts = 0
          AND dedupe_key IS NULL AND jsonb_array_length(payload->'artifactIds') < 5000
        ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
     UPDATE jobs j
        SET payload = jsonb_build_object(
              'artifactIds', (SELECT coalesce(jsonb_agg(DISTINCT x), '[]'::jsonb) FROM jsonb_array_elements_text((j.payload->'artifactIds') || $1::jsonb) AS x),
              'unresolved', coalesce((j.payload->>'unresolved')::boolean, false) OR $2::boolean)
       FROM target WHERE j.id = target.id
     RETURNING j.id`,
    [JSON.stringify(options.artifactIds), options.unresolved],
  );
  if (merged.length) return;
  await enqueueJob(sql, {
    kind: "artifacts.changed",
    payload: { artifactIds: options.artifactIds, ...(options.unresolved ? { unresolved: true } : {}) },
    runAt: options.runAt,
  });
}

/** Claims the next due job (clearing its dedupe key, so a change arriving now queues another run). */
export async function claimJob(sql: Sql, now: Date): Promise<Job | null> {
  const [row] = await sql.query<{ id: string; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(
    `UPDATE jobs SET locked_by = $2, locked_until = $1::timestamptz + $3 * interval '1 millisecond',
            attempts = attempts + 1, dedupe_key = NULL
      WHERE id = (SELECT id FROM jobs
                   WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $1::timestamptz
                     AND (locked_until IS NULL OR locked_until < $1::timestamptz)
                   ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, payload, attempts, max_attempts`,
    [now.toISOString(), WORKER_ID, LEASE_MS],
  );
  return row ? { id: row.id, kind: row.kind, payload: row.payload, attempts: row.attempts, maxAttempts: row.max_attempts } : null;
}

export async function completeJob(sql: Sql, id: string, now: Date): Promise<void> {
  await sql.query(`UPDATE jobs SET done_at = $2::timestamptz, locked_until = NULL WHERE id = $1::uuid`, [id, now.toISOString()]);
}

/** Retries with exponential backoff (1 s, 2 s, 4 s ... capped at 10 min) until max attempts. */
export async function failJob(sql: Sql, job: Job, error: unknown, now: Date): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  if (job.attempts >= job.maxAttempts) {
    await sql.query(`UPDATE jobs SET failed_at = $2::timestamptz, locked_until = NULL, last_error = $3 WHERE id = $1::uuid`, [
      job.id,
      now.toISOString(),
      message,
    ]);
    return;
  }
  const delay = Math.min(1000 * 2 ** (job.attempts - 1), 600_000);
  await sql.query(`UPDATE jobs SET run_at = $2::timestamptz, locked_until = NULL, last_error = $3 WHERE id = $1::uuid`, [
    job.id,
    new Date(now.getTime() + delay).toISOString(),
    message,
  ]);
}

/** Finished jobs older than a week go; failed ones stay for inspection. */
export async function pruneJobs(sql: Sql, before: Date): Promise<void> {
  await sql.query(`DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < $1::timestamptz`, [before.toISOString()]);
}

export type QueueStats = { pending: number; running: number; failed: number; oldestPendingAt: string | null };

export async function queueStats(sql: Sql): Promise<QueueStats> {
  const [row] = await sql.query<{ pending: string; running: string; failed: string; oldest: Date | null }>(
    `SELECT count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL AND (locked_until IS NULL OR locked_until < now())) AS pending,
            count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL AND locked_until >= now()) AS running,
            count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
            min(run_at) FILTER (WHERE done_at IS NULL AND failed_at IS NULL) AS oldest
       FROM jobs`,
  );
  return {
    pending: Number(row?.pending ?? 0),
    running: Number(row?.running ?? 0),
    failed: Number(row?.failed ?? 0),
    oldestPendingAt: row?.oldest ? new Date(row.oldest).toISOString() : null,
  };
}

// In-process wake-up: a job enqueued on this instance starts without waiting for the next poll.
const wake = globalThis as unknown as { vitrineJobWake?: () => void };
export function onLocalEnqueue(fn: () => void): void {
  wake.vitrineJobWake = fn;
}
function notifyLocalWorker(): void {
  // After the caller's transaction commits the job becomes visible; a short delay covers that.
  if (wake.vitrineJobWake) setTimeout(wake.vitrineJobWake, 50).unref();
}

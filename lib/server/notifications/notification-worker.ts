import "server-only";
import { type Sql, sqlFromPool } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { completeJob, failJob, type Job, WORKER_ID } from "@/lib/server/jobs/queue";
import { handleNotifyJob } from "./deliver-notifications";
import { NOTIFY_JOB } from "./enqueue";

// A lane of the job queue for notifications only: an alert is not notified minutes late because
// the general worker is busy re-evaluating every artefact after a trust change, or ingest under
// load. The general worker takes notification jobs too; SKIP LOCKED keeps the two apart.

const LEASE_MS = 60_000; // far more than one job takes: channels are called in parallel, 5 s each at most

async function claimNotifyJob(sql: Sql, now: Date): Promise<Job | null> {
  const [row] = await sql.query<{ id: string; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(
    `UPDATE jobs SET locked_by = $2, locked_until = $1::timestamptz + $3 * interval '1 millisecond',
            attempts = attempts + 1, dedupe_key = NULL
      WHERE id = (SELECT id FROM jobs
                   WHERE done_at IS NULL AND failed_at IS NULL AND kind = $4 AND run_at <= $1::timestamptz
                     AND (locked_until IS NULL OR locked_until < $1::timestamptz)
                   ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, payload, attempts, max_attempts`,
    [now.toISOString(), WORKER_ID, LEASE_MS, NOTIFY_JOB],
  );
  return row ? { id: row.id, kind: row.kind, payload: row.payload, attempts: row.attempts, maxAttempts: row.max_attempts } : null;
}

/** Runs due notification jobs until none is due (or `max` ran). Returns how many ran. */
export async function runDueNotifications(options: { max?: number } = {}): Promise<number> {
  const sql = sqlFromPool();
  let ran = 0;
  while (ran < (options.max ?? Number.POSITIVE_INFINITY)) {
    const job = await claimNotifyJob(sql, new Date());
    if (!job) break;
    ran++;
    try {
      const result = await handleNotifyJob(sql, job, new Date());
      await completeJob(sql, job.id, new Date());
      log.info("job done", { kind: job.kind, id: job.id, result });
    } catch (error) {
      log.warn("notification not delivered yet", { id: job.id, attempt: job.attempts, error });
      await failJob(sql, job, error, new Date()).catch((e) => log.error("could not record a job failure", { error: e }));
    }
  }
  return ran;
}

const state = globalThis as unknown as { vitrineNotifyWorker?: NodeJS.Timeout };

/**
 * Polls for notification jobs every `intervalMs` (default 200 ms) on this instance, with
 * `concurrency` jobs at once (default 4: a job mostly waits on a receiver).
 */
export function startNotificationWorker(options: { intervalMs?: number; concurrency?: number } = {}): void {
  if (state.vitrineNotifyWorker) return;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    Promise.all(Array.from({ length: options.concurrency ?? 4 }, () => runDueNotifications()))
      .catch((error) => log.warn("notification worker could not poll the queue", { error }))
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs ?? 200);
  timer.unref();
  state.vitrineNotifyWorker = timer;
}

import "server-only";
import type pg from "pg";
import { pool, type Sql } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { evaluateAlerts } from "@/lib/server/alerts/evaluate-alerts";
import { snapshotCompliance } from "@/lib/server/compliance/snapshot-compliance";
import { reevaluateAfterTrustChange, reevaluateArtifacts } from "@/lib/server/evaluation/reevaluate";
import { handleNotifyJob } from "@/lib/server/notifications/deliver-notifications";
import { handleReportExportJob, handleScheduledReportsJob } from "@/lib/server/reports/report-jobs";
import { claimJob, completeJob, failJob, type Job, onLocalEnqueue, pruneJobs } from "./queue";

type Handler = (sql: Sql, job: Job, now: Date) => Promise<unknown>;

const HANDLERS: Record<string, Handler> = {
  "trust.changed": async (sql, job, now) => {
    const reason = typeof job.payload.reason === "string" ? job.payload.reason : "trust changed";
    const evaluation = await reevaluateAfterTrustChange(sql, { now, reason });
    const alerts = await evaluateAlerts(sql, { now });
    return { ...evaluation, alerts };
  },
  "artifacts.changed": async (sql, job, now) => {
    const ids = Array.isArray(job.payload.artifactIds) ? job.payload.artifactIds.filter((i): i is string => typeof i === "string") : [];
    const includeUnresolved = job.payload.unresolved === true;
    const evaluation = await reevaluateArtifacts(sql, { artifactIds: ids, includeUnresolved, now });
    const alerts = await evaluateAlerts(sql, { artifactIds: ids, includeUnresolved, now });
    return { ...evaluation, alerts };
  },
  "alerts.sweep": (sql, _job, now) => evaluateAlerts(sql, { now, sweep: true }),
  // One alert state to every matching channel; throws (so it is retried) while a delivery failed.
  "alerts.notify": handleNotifyJob,
  // Yesterday's and today's compliance counts per environment (the trend on /compliance).
  "compliance.snapshot": (sql, _job, now) => snapshotCompliance(sql, { now }),
  // One report export (docs/reports.md), then its delivery when a schedule asked for it.
  "reports.export": handleReportExportJob,
  // Scheduled reports whose time has come become exports (queued every minute).
  "reports.scheduled": handleScheduledReportsJob,
};

/** Extra handlers (alert evaluation, notification delivery) register here. */
export function registerJobHandler(kind: string, handler: Handler): void {
  HANDLERS[kind] = handler;
}

function poolSql(p: pg.Pool): Sql {
  return { query: async <T>(text: string, params: unknown[] = []) => (await p.query(text, params)).rows as T[] };
}

/** Runs due jobs one at a time until none is due (or `max` ran). Returns how many ran. */
export async function runDueJobs(options: { max?: number } = {}): Promise<number> {
  const sql = poolSql(pool());
  let ran = 0;
  while (ran < (options.max ?? Number.POSITIVE_INFINITY)) {
    const job = await claimJob(sql, new Date());
    if (!job) break;
    ran++;
    const started = Date.now();
    const handler = HANDLERS[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await handler(sql, job, new Date());
      await completeJob(sql, job.id, new Date());
      log.info("job done", { kind: job.kind, id: job.id, ms: Date.now() - started, result });
    } catch (error) {
      log.error("job failed", { kind: job.kind, id: job.id, attempt: job.attempts, error });
      await failJob(sql, job, error, new Date()).catch((e) => log.error("could not record a job failure", { error: e }));
    }
  }
  return ran;
}

const state = globalThis as unknown as { vitrineWorker?: { timer: NodeJS.Timeout; busy: boolean; again: boolean } };

/** Polls the queue every second on this instance (and at once when this instance enqueues). */
export function startJobWorker(options: { intervalMs?: number } = {}): void {
  if (state.vitrineWorker) return;
  const tick = async () => {
    const w = state.vitrineWorker;
    if (!w) return;
    if (w.busy) {
      w.again = true;
      return;
    }
    w.busy = true;
    try {
      do {
        w.again = false;
        await runDueJobs();
      } while (w.again);
    } catch (error) {
      log.warn("job worker could not poll the queue", { error });
    } finally {
      w.busy = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 1000);
  timer.unref();
  state.vitrineWorker = { timer, busy: false, again: false };
  onLocalEnqueue(() => void tick());
  const prune = setInterval(() => void pruneJobs(poolSql(pool()), new Date(Date.now() - 7 * 86_400_000)).catch(() => {}), 3_600_000);
  prune.unref();
}

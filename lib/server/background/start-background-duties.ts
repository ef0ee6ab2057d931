import "server-only";
import { ensurePartitionsOnPool } from "@/lib/db/partitions";
import { pool, sqlFromPool, withTransaction } from "@/lib/db/sql";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { reopenExpiredSuppressions } from "@/lib/server/alerts/triage-alert";
import { enqueueJob } from "@/lib/server/jobs/queue";
import { startJobWorker } from "@/lib/server/jobs/worker";
import { checkpointIfDue } from "@/lib/server/ledger/create-checkpoint";
import { escalateUnacknowledged } from "@/lib/server/notifications/escalate-unacknowledged";
import { startNotificationWorker } from "@/lib/server/notifications/notification-worker";
import { pruneRateLimits } from "@/lib/server/rate-limit/consume-rate-limit";

const globalForDuties = globalThis as unknown as { vitrineDuties?: NodeJS.Timeout[] };

/** Periodic ledger checkpoints, rate-limit housekeeping and the job-queue worker, on every instance (all safe to run on many). */
export function startBackgroundDuties(): void {
  if (globalForDuties.vitrineDuties) return;
  let interval: number;
  try {
    interval = env().VITRINE_CHECKPOINT_INTERVAL_SECONDS;
  } catch (error) {
    log.error("background duties not started: invalid configuration", { error });
    return;
  }
  const checkpoint = setInterval(() => void checkpointIfDue({ now: new Date() }), Math.min(interval, 60) * 1000);
  const prune = setInterval(
    () =>
      void pruneRateLimits({ before: new Date(Date.now() - 86_400_000) }).catch((error) =>
        log.warn("rate-limit pruning failed", { error }),
      ),
    3_600_000,
  );
  checkpoint.unref();
  prune.unref();
  globalForDuties.vitrineDuties = [checkpoint, prune];
  startJobWorker();
  // Rules that fire with the passage of time (a grace period for signing running out).
  const sweep = setInterval(
    () =>
      void enqueueJob(sqlFromPool(), { kind: "alerts.sweep", dedupeKey: "alerts.sweep" }).catch((error) =>
        log.warn("could not queue the alert sweep", { error }),
      ),
    60_000,
  );
  sweep.unref();
  // Suppressions reopen by themselves when they end.
  const unsuppress = setInterval(
    () =>
      void withTransaction((sql) => reopenExpiredSuppressions(sql, new Date())).catch((error) =>
        log.warn("could not reopen expired suppressions", { error }),
      ),
    30_000,
  );
  unsuppress.unref();
  globalForDuties.vitrineDuties.push(sweep);
  // Open alerts nobody acknowledged in time are notified again (Settings > Notifications > Escalation).
  const escalate = setInterval(
    () =>
      void withTransaction((sql) => escalateUnacknowledged(sql, new Date())).catch((error) =>
        log.warn("could not escalate unacknowledged alerts", { error }),
      ),
    30_000,
  );
  escalate.unref();
  globalForDuties.vitrineDuties.push(escalate);
  // Notifications have a lane of their own, so bulk re-evaluation never delays them.
  startNotificationWorker();
  // Daily compliance snapshots: yesterday and today, refreshed every hour (the first a minute after start).
  const queueSnapshot = () =>
    void enqueueJob(sqlFromPool(), { kind: "compliance.snapshot", dedupeKey: "compliance.snapshot" }).catch((error) =>
      log.warn("could not queue the compliance snapshot", { error }),
    );
  const firstSnapshot = setTimeout(queueSnapshot, 60_000);
  const snapshot = setInterval(queueSnapshot, 3_600_000);
  firstSnapshot.unref();
  snapshot.unref();
  globalForDuties.vitrineDuties.push(snapshot);
  // Scheduled compliance reports that are due become exports (docs/reports.md).
  const reports = setInterval(
    () =>
      void enqueueJob(sqlFromPool(), { kind: "reports.scheduled", dedupeKey: "reports.scheduled" }).catch((error) =>
        log.warn("could not queue the scheduled reports", { error }),
      ),
    60_000,
  );
  reports.unref();
  globalForDuties.vitrineDuties.push(reports);
  // The next months' partitions of the ledger and document bodies (`vitrine migrate` made them at start).
  const partitions = setInterval(
    () => void ensurePartitionsOnPool(pool()).catch((error) => log.warn("could not create the next months' partitions", { error })),
    6 * 3_600_000,
  );
  partitions.unref();
  globalForDuties.vitrineDuties.push(partitions);
}

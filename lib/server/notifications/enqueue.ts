import "server-only";
import type { Sql } from "@/lib/db/sql";
import { enqueueJob } from "@/lib/server/jobs/queue";

export const NOTIFY_JOB = "alerts.notify";

/**
 * Queues the notification of each alert state (called by the rule engine and by escalation,
 * inside the transaction that opened, reopened or escalated the alert). `stateKey` names the
 * state ("open:1", "reopened:3", "escalated:2"): a channel gets each state of an alert at most once.
 */
export async function enqueueAlertNotifications(sql: Sql, alerts: Array<{ id: string; stateKey: string }>, now: Date): Promise<void> {
  for (const alert of alerts) {
    await enqueueJob(sql, {
      kind: NOTIFY_JOB,
      payload: { alertId: alert.id, stateKey: alert.stateKey },
      // A job still waiting for the same state absorbs a repeat.
      dedupeKey: `${NOTIFY_JOB}:${alert.id}:${alert.stateKey}`,
      runAt: now,
    });
  }
}

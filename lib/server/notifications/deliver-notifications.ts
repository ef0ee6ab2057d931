import "server-only";
import type { Sql } from "@/lib/db/sql";
import { channelMatches } from "@/lib/domain/notifications";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import type { Job } from "@/lib/server/jobs/queue";
import { loadAlertNotice } from "./alert-notice";
import { type AttemptResult, type ChannelTarget, type PostOptions, sendToChannel } from "./send-notification";

// The "alerts.notify" job: one alert state to every channel whose routing matches. Each
// (channel, alert state) has one delivery row, created once (ON CONFLICT DO NOTHING); only the
// deliveries still pending are sent, so a retry never re-sends what a receiver already took.

type ChannelRow = ChannelTarget & { min_severity: string; rules: string[] | null; environments: string[] | null; enabled: boolean };
type PendingRow = { delivery_id: string; channel_id: string } & Omit<ChannelRow, "id">;

export type DeliveryOutcome = { delivered: number; failed: number; pending: number };

/** The delivery row's key: unique per channel, so it names the alert as well as its state. */
export function deliveryStateKey(alertId: string, stateKey: string): string {
  return `${alertId}:${stateKey}`;
}

export class DeliveryIncomplete extends Error {
  constructor(
    readonly outcome: DeliveryOutcome,
    detail: string,
  ) {
    super(`${outcome.failed + outcome.pending} notification(s) not delivered: ${detail}`.slice(0, 1900));
    this.name = "DeliveryIncomplete";
  }
}

async function recordAttempt(
  sql: Sql,
  options: { deliveryId: string; result: AttemptResult; at: Date; status: "pending" | "delivered" | "failed" },
) {
  const attempt = {
    at: options.at.toISOString(),
    ...(options.result.statusCode !== null ? { statusCode: options.result.statusCode } : {}),
    ...(options.result.error !== null ? { error: options.result.error } : {}),
    ms: options.result.ms,
    ...(options.result.permanent ? { permanent: true } : {}),
  };
  await sql.query(
    `UPDATE notification_deliveries
        SET attempts = attempts || $2::jsonb, status = $3, delivered_at = CASE WHEN $3 = 'delivered' THEN $4::timestamptz END
      WHERE id = $1::uuid AND status = 'pending'`,
    [options.deliveryId, JSON.stringify([attempt]), options.status, options.at.toISOString()],
  );
}

/**
 * Delivers one alert state. Throws DeliveryIncomplete when a delivery failed, so the queue retries
 * the job with backoff; on the last attempt the deliveries still pending are marked failed first.
 * A permanent failure (a refused address) is failed at once and not retried. `network` is for tests.
 */
export async function deliverAlertNotifications(
  sql: Sql,
  options: { alertId: string; stateKey: string; now: Date; isLastAttempt: boolean; network?: PostOptions },
): Promise<DeliveryOutcome> {
  const alert = await loadAlertNotice(sql, options.alertId);
  if (!alert) return { delivered: 0, failed: 0, pending: 0 };
  const key = deliveryStateKey(alert.id, options.stateKey);

  const channels = await sql.query<ChannelRow>(
    `SELECT id, name, kind, url, secret, config, min_severity, rules, environments, enabled FROM notification_channels WHERE enabled`,
  );
  const matching = channels.filter((c) =>
    channelMatches({ enabled: c.enabled, minSeverity: c.min_severity, rules: c.rules, environments: c.environments }, alert),
  );
  if (matching.length > 0) {
    await sql.query(
      `INSERT INTO notification_deliveries (id, alert_id, channel_id, state_key, status, attempts, created_at)
       SELECT unnest($1::uuid[]), $2::uuid, unnest($3::uuid[]), $4, 'pending', '[]'::jsonb, $5::timestamptz
       ON CONFLICT (channel_id, state_key) DO NOTHING`,
      [matching.map(() => uuidv7(options.now.getTime())), alert.id, matching.map((c) => c.id), key, options.now.toISOString()],
    );
  }

  const pending = await sql.query<PendingRow>(
    `SELECT d.id AS delivery_id, d.channel_id, c.name, c.kind, c.url, c.secret, c.config, c.min_severity, c.rules, c.environments, c.enabled
       FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id
      WHERE d.alert_id = $1::uuid AND d.state_key = $2 AND d.status = 'pending'
      ORDER BY d.id`,
    [alert.id, key],
  );

  const results = await Promise.all(
    pending.map(async (row) => {
      if (!row.enabled) {
        // Disabled since the delivery was created: it will not be sent.
        await recordAttempt(sql, {
          deliveryId: row.delivery_id,
          result: { ok: false, statusCode: null, error: "the channel was disabled before delivery", ms: 0 },
          at: new Date(),
          status: "failed",
        });
        return { row, ok: false, final: true, permanent: true, error: "channel disabled" };
      }
      const result = await sendToChannel(
        { id: row.channel_id, name: row.name, kind: row.kind, url: row.url, secret: row.secret, config: row.config },
        { alert, stateKey: options.stateKey, deliveryId: row.delivery_id, now: options.now },
        options.network,
      );
      const at = new Date();
      const final = result.ok || options.isLastAttempt || result.permanent === true;
      const status = result.ok ? "delivered" : final ? "failed" : "pending";
      await recordAttempt(sql, { deliveryId: row.delivery_id, result, at, status });
      if (result.ok) {
        await sql.query(
          `INSERT INTO alert_events (id, alert_id, kind, actor, data, created_at)
           VALUES ($1::uuid, $2::uuid, 'notified', 'system:notifications', $3::jsonb, $4::timestamptz)`,
          [
            uuidv7(at.getTime()),
            alert.id,
            JSON.stringify({
              channelId: row.channel_id,
              channel: row.name,
              kind: row.kind,
              state: options.stateKey,
              deliveryId: row.delivery_id,
              statusCode: result.statusCode,
            }),
            at.toISOString(),
          ],
        );
      }
      return { row, ok: result.ok, final, permanent: result.permanent === true, error: result.error ?? "failed" };
    }),
  );

  const outcome: DeliveryOutcome = {
    delivered: results.filter((r) => r.ok).length,
    failed: results.filter((r) => !r.ok && r.final).length,
    pending: results.filter((r) => !r.final).length,
  };
  // Only failures a retry may fix make the queue try again (a disabled channel or a refused address will not change).
  const failures = results.filter((r) => !r.ok && !r.permanent);
  if (failures.length > 0) throw new DeliveryIncomplete(outcome, failures.map((f) => `${f.row.name}: ${f.error}`).join("; "));
  return outcome;
}

/** The job handler registered in lib/server/jobs/worker.ts. */
export function handleNotifyJob(sql: Sql, job: Job, now: Date): Promise<DeliveryOutcome> {
  const alertId = typeof job.payload.alertId === "string" ? job.payload.alertId : "";
  const stateKey = typeof job.payload.stateKey === "string" ? job.payload.stateKey : "";
  if (!/^[0-9a-f-]{36}$/i.test(alertId) || !stateKey) return Promise.resolve({ delivered: 0, failed: 0, pending: 0 });
  return deliverAlertNotifications(sql, { alertId, stateKey, now, isLastAttempt: job.attempts >= job.maxAttempts });
}

import "server-only";
import type { Sql } from "@/lib/db/sql";
import { NOTIFY_SEVERITIES } from "@/lib/domain/notifications";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { appendLedgerEntriesSql, lockLedgerSql } from "@/lib/server/ledger/append-ledger-entry";
import { enqueueAlertNotifications } from "./enqueue";
import { readEscalationTimes } from "./escalation-settings";

export type Escalated = { id: string; rule: string; severity: string; environment: string | null; stateKey: string };

// An open alert is due when its severity's window has passed since it (re)opened or was last
// escalated, whichever is later: it is escalated again every window until someone acknowledges it.
const DUE = `
  WITH w AS (SELECT * FROM unnest($1::text[], $2::int[]) AS w(severity, minutes))
  SELECT a.id FROM alerts a JOIN w ON w.severity = a.severity
   WHERE a.status = 'open'
     AND GREATEST(a.escalated_at,
                  COALESCE((SELECT max(e.created_at) FROM alert_events e
                             WHERE e.alert_id = a.id AND e.kind IN ('fired', 'reopened', 'unsuppressed')), a.first_fired_at))
         + w.minutes * interval '1 minute' <= $3::timestamptz`;

/**
 * Escalates the open alerts nobody acknowledged within their severity's time (Settings >
 * Notifications): sets escalated_at, adds an "escalated" event and a ledger entry, and queues a
 * notification of state "escalated:<n>". Run it inside a transaction (the ledger lock lasts until it
 * ends); several instances may run it at once: an alert another one is escalating is skipped.
 */
export async function escalateUnacknowledged(sql: Sql, now: Date): Promise<Escalated[]> {
  const times = await readEscalationTimes(sql);
  const windows = NOTIFY_SEVERITIES.flatMap((s) => (times[s] === null ? [] : [[s, times[s]] as const]));
  if (windows.length === 0) return [];
  const params = [windows.map(([s]) => s), windows.map(([, m]) => m), now.toISOString()];
  // A cheap look first, so the ledger lock is taken only when there is something to escalate.
  const due = await sql.query<{ id: string }>(`${DUE} LIMIT 1`, params);
  if (due.length === 0) return [];

  // Ledger lock before any alert row, and alert rows SKIP LOCKED: never waits on the rule engine.
  await lockLedgerSql(sql);
  const rows = await sql.query<{ id: string; rule: string; severity: string; environment: string | null; n: number; minutes: number }>(
    `WITH due AS (${DUE} LIMIT 500 FOR UPDATE OF a SKIP LOCKED)
     UPDATE alerts SET escalated_at = $3::timestamptz, updated_at = $3::timestamptz
       FROM due WHERE alerts.id = due.id
     RETURNING alerts.id, alerts.rule, alerts.severity, alerts.environment,
               (SELECT count(*)::int + 1 FROM alert_events e WHERE e.alert_id = alerts.id AND e.kind = 'escalated') AS n,
               (SELECT m FROM unnest($1::text[], $2::int[]) AS w(s, m) WHERE w.s = alerts.severity) AS minutes`,
    params,
  );
  if (rows.length === 0) return [];
  const escalated = rows.map((r) => ({
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    environment: r.environment,
    stateKey: `escalated:${r.n}`,
  }));

  const ledger = await appendLedgerEntriesSql(
    sql,
    rows.map((r, i) => ({
      kind: "alert.escalated",
      actor: "system:escalation",
      subject: `alert:${r.id}`,
      payload: {
        rule: r.rule,
        severity: r.severity,
        environment: r.environment,
        state: escalated[i]!.stateKey,
        unacknowledgedMinutes: r.minutes,
      },
      now,
    })),
    { locked: true },
  );
  await sql.query(
    `INSERT INTO alert_events (id, alert_id, kind, actor, note, data, ledger_sequence, created_at)
     SELECT unnest($1::uuid[]), unnest($2::uuid[]), 'escalated', 'system:escalation', unnest($3::text[]), unnest($4::jsonb[]),
            unnest($5::bigint[]), $6::timestamptz`,
    [
      rows.map(() => uuidv7(now.getTime())),
      rows.map((r) => r.id),
      rows.map((r) => `Not acknowledged within ${r.minutes} minutes: notified again`),
      rows.map((r, i) => JSON.stringify({ state: escalated[i]!.stateKey, minutes: r.minutes })),
      ledger.map((l) => l.sequence.toString()),
      now.toISOString(),
    ],
  );
  await enqueueAlertNotifications(
    sql,
    escalated.map((e) => ({ id: e.id, stateKey: e.stateKey })),
    now,
  );
  return escalated;
}

import "server-only";
import type { Sql } from "@/lib/db/sql";
import { ALERT_SEVERITIES, type AlertSeverity } from "@/lib/domain/alert-triage";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { ALERT_SELECT, type AlertListItem, type AlertRow, toAlertListItem } from "./alert-row";

// The Overview's alert figures (issue 6 item 4), each one set-based read: open alerts by severity,
// new alerts and mean times to acknowledge and to resolve per UTC day (generate_series fills the
// days without any), the rules that fired most, and the newest critical alerts.

export type AlertDay = {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Alerts raised that day. */
  created: number;
  acknowledged: number;
  resolved: number;
  /** Mean seconds from an alert firing to its acknowledgement, for acknowledgements that day. */
  meanAckSeconds: number | null;
  meanResolveSeconds: number | null;
};

export type AlertStats = {
  days: number;
  from: string;
  to: string;
  /** Unresolved, unsuppressed alerts per severity, worst first, split by whether someone acknowledged them. */
  openBySeverity: Array<{ severity: AlertSeverity; open: number; acknowledged: number }>;
  perDay: AlertDay[];
  /** Over the whole window. */
  meanAckSeconds: number | null;
  meanResolveSeconds: number | null;
  acknowledgements: number;
  resolutions: number;
  /** Rules by how many alerts they fired in the window, most first. */
  topRules: Array<{ rule: string; alerts: number; active: number }>;
  newestCritical: AlertListItem[];
};

// The clock of a response starts when the alert last (re)fired before it: a reopened alert is timed
// from its reopening, not from the first time it ever fired.
const responseTimesSql = (from: string, to: string) => `
  SELECT e.kind, e.created_at,
         EXTRACT(EPOCH FROM e.created_at - COALESCE(
           (SELECT max(o.created_at) FROM alert_events o
             WHERE o.alert_id = e.alert_id AND o.kind IN ('fired', 'reopened') AND o.created_at <= e.created_at),
           a.created_at))::float8 AS seconds
    FROM alert_events e
    JOIN alerts a ON a.id = e.alert_id
   WHERE e.kind IN ('acknowledged', 'resolved') AND e.created_at >= ${from}::timestamptz AND e.created_at < ${to}::timestamptz`;

const PER_DAY_SQL = `
  WITH days AS (
    SELECT generate_series($1::timestamp, $2::timestamp, interval '1 day') AS day
  ), created AS (
    SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*)::int AS n
      FROM alerts WHERE created_at >= $3::timestamptz AND created_at < $4::timestamptz GROUP BY 1
  ), responses AS (${responseTimesSql("$3", "$4")}
  ), response_days AS (
    SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day,
           count(*) FILTER (WHERE kind = 'acknowledged')::int AS acks,
           count(*) FILTER (WHERE kind = 'resolved')::int AS resolves,
           avg(seconds) FILTER (WHERE kind = 'acknowledged') AS ack_seconds,
           avg(seconds) FILTER (WHERE kind = 'resolved') AS resolve_seconds
      FROM responses GROUP BY 1
  )
  SELECT to_char(d.day, 'YYYY-MM-DD') AS day, COALESCE(c.n, 0) AS created, COALESCE(r.acks, 0) AS acknowledged,
         COALESCE(r.resolves, 0) AS resolved, r.ack_seconds::float8 AS ack_seconds, r.resolve_seconds::float8 AS resolve_seconds
    FROM days d
    LEFT JOIN created c ON c.day = d.day
    LEFT JOIN response_days r ON r.day = d.day
   ORDER BY d.day`;

const round = (n: number | null): number | null => (n === null || Number.isNaN(n) ? null : Math.round(n));

/** The alert figures of the last `days` UTC days, today included (default 30). */
export async function getAlertStats(options: { now: Date; days?: number; sql?: Sql }): Promise<AlertStats> {
  const sql = options.sql ?? poolSql();
  const days = options.days ?? 30;
  const today = new Date(Date.UTC(options.now.getUTCFullYear(), options.now.getUTCMonth(), options.now.getUTCDate()));
  const first = new Date(today.getTime() - (days - 1) * 86_400_000);
  const end = new Date(today.getTime() + 86_400_000);
  const dayText = (d: Date) => d.toISOString().slice(0, 10);
  const window = [first.toISOString(), end.toISOString()];

  const [open, perDay, totals, rules, critical] = await Promise.all([
    sql.query<{ severity: string; status: string; n: number }>(
      `SELECT severity, status, count(*)::int AS n FROM alerts WHERE status IN ('open', 'acknowledged') GROUP BY severity, status`,
    ),
    sql.query<{
      day: string;
      created: number;
      acknowledged: number;
      resolved: number;
      ack_seconds: number | null;
      resolve_seconds: number | null;
    }>(PER_DAY_SQL, [dayText(first), dayText(today), ...window]),
    sql.query<{ kind: string; n: number; mean: number | null }>(
      `SELECT kind, count(*)::int AS n, avg(seconds)::float8 AS mean FROM (${responseTimesSql("$1", "$2")}) r GROUP BY kind`,
      window,
    ),
    sql.query<{ rule: string; alerts: number; active: number }>(
      `SELECT rule, count(*)::int AS alerts, count(*) FILTER (WHERE status IN ('open', 'acknowledged'))::int AS active
         FROM alerts WHERE last_fired_at >= $1::timestamptz AND last_fired_at < $2::timestamptz
        GROUP BY rule ORDER BY alerts DESC, rule LIMIT 8`,
      window,
    ),
    sql.query<AlertRow>(`${ALERT_SELECT} WHERE a.severity = 'critical' ORDER BY a.created_at DESC, a.id DESC LIMIT 5`),
  ]);

  const ack = totals.find((t) => t.kind === "acknowledged");
  const res = totals.find((t) => t.kind === "resolved");
  return {
    days,
    from: first.toISOString(),
    to: end.toISOString(),
    openBySeverity: ALERT_SEVERITIES.map((severity) => ({
      severity,
      open: open.find((o) => o.severity === severity && o.status === "open")?.n ?? 0,
      acknowledged: open.find((o) => o.severity === severity && o.status === "acknowledged")?.n ?? 0,
    })),
    perDay: perDay.map((d) => ({
      day: d.day,
      created: d.created,
      acknowledged: d.acknowledged,
      resolved: d.resolved,
      meanAckSeconds: round(d.ack_seconds),
      meanResolveSeconds: round(d.resolve_seconds),
    })),
    meanAckSeconds: round(ack?.mean ?? null),
    meanResolveSeconds: round(res?.mean ?? null),
    acknowledgements: ack?.n ?? 0,
    resolutions: res?.n ?? 0,
    topRules: rules,
    newestCritical: critical.map(toAlertListItem),
  };
}

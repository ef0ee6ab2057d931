import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { type Sql, sqlFromPool, withTransaction } from "@/lib/db/sql";
import { nextReportRun, type ReportCadence, reportPeriod } from "@/lib/domain/report-schedule";
import type { ReportFormat } from "@/lib/domain/report-signature";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { insertReportExport } from "./report-exports";
import type { TCreateSchedule, TUpdateSchedule } from "./schemas";

// Scheduled reports (issue 7 item 4): weekly or monthly, for an environment, in a format, delivered
// to a notification channel. The periodic duty queues reports.scheduled every minute; it turns each
// due schedule into an export with a reports.export job that generates and then delivers it.

export type ReportScheduleView = {
  id: string;
  name: string;
  environment: string;
  format: ReportFormat;
  cadence: ReportCadence;
  channel: { id: string; name: string; kind: string } | null;
  enabled: boolean;
  nextRunAt: string;
  lastRunAt: string | null;
  lastReportId: string | null;
  lastStatus: string | null;
  lastError: string | null;
  createdBy: string;
  createdAt: string;
};

/** What the schedule form may name: every channel's id, name and kind (never its URL or secret). */
export type ChannelChoice = { id: string; name: string; kind: string; enabled: boolean };

type Row = {
  id: string;
  name: string;
  environment: string;
  format: ReportFormat;
  cadence: ReportCadence;
  channel_id: string | null;
  channel_name: string | null;
  channel_kind: string | null;
  enabled: boolean;
  next_run_at: Date;
  last_run_at: Date | null;
  last_report_id: string | null;
  last_status: string | null;
  last_error: string | null;
  created_by: string;
  created_at: Date;
};

const SELECT = `SELECT s.id, s.name, s.environment, s.format, s.cadence, s.channel_id, c.name AS channel_name, c.kind AS channel_kind,
                       s.enabled, s.next_run_at, s.last_run_at, s.last_report_id, s.last_status, s.last_error, s.created_by, s.created_at
                  FROM report_schedules s LEFT JOIN notification_channels c ON c.id = s.channel_id`;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toView(r: Row): ReportScheduleView {
  return {
    id: r.id,
    name: r.name,
    environment: r.environment,
    format: r.format,
    cadence: r.cadence,
    channel: r.channel_id && r.channel_name && r.channel_kind ? { id: r.channel_id, name: r.channel_name, kind: r.channel_kind } : null,
    enabled: r.enabled,
    nextRunAt: new Date(r.next_run_at).toISOString(),
    lastRunAt: iso(r.last_run_at),
    lastReportId: r.last_report_id,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function listReportSchedules(): Promise<{ items: ReportScheduleView[]; channels: ChannelChoice[] }> {
  const sql = sqlFromPool();
  const [rows, channels] = await Promise.all([
    sql.query<Row>(`${SELECT} ORDER BY s.created_at, s.id`),
    sql.query<ChannelChoice>(`SELECT id, name, kind, enabled FROM notification_channels ORDER BY name`),
  ]);
  return { items: rows.map(toView), channels };
}

async function getRow(sql: Sql, id: string, lock = false): Promise<Row> {
  if (!UUID.test(id)) {
    throw new AppError("unprocessable", "The schedule id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  }
  if (lock) await sql.query(`SELECT id FROM report_schedules WHERE id = $1::uuid FOR UPDATE`, [id]);
  const [row] = await sql.query<Row>(`${SELECT} WHERE s.id = $1::uuid`, [id]);
  if (!row) throw new AppError("not_found", "No report schedule has this id");
  return row;
}

async function assertChannel(sql: Sql, channelId: string): Promise<void> {
  const [found] = await sql.query(`SELECT 1 AS ok FROM notification_channels WHERE id = $1::uuid`, [channelId]);
  if (!found) {
    throw new AppError("unprocessable", "No notification channel has this id", {
      errors: [{ path: "$.channelId", message: "is not a notification channel" }],
    });
  }
}

export async function createReportSchedule(options: { actor: Actor; input: TCreateSchedule; now: Date }): Promise<ReportScheduleView> {
  const { input } = options;
  return withTransaction(async (sql) => {
    await assertChannel(sql, input.channelId);
    const [env] = await sql.query(`SELECT 1 AS ok FROM environments WHERE name = $1`, [input.environment]);
    if (!env) {
      throw new AppError("unprocessable", `No environment is named “${input.environment}”`, {
        errors: [{ path: "$.environment", message: "is not a known environment" }],
      });
    }
    const id = uuidv7(options.now.getTime());
    await sql.query(
      `INSERT INTO report_schedules (id, name, environment, format, cadence, channel_id, enabled, next_run_at, created_by, created_at, updated_at)
       VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid, true, $7::timestamptz, $8, $9::timestamptz, $9::timestamptz)`,
      [
        id,
        input.name,
        input.environment,
        input.format,
        input.cadence,
        input.channelId,
        nextReportRun(input.cadence, options.now).toISOString(),
        actorRef(options.actor),
        options.now.toISOString(),
      ],
    );
    await appendLedgerEntriesSql(sql, [
      {
        kind: "report.schedule.created",
        actor: actorRef(options.actor),
        subject: `report-schedule:${id}`,
        payload: {
          name: input.name,
          environment: input.environment,
          format: input.format,
          cadence: input.cadence,
          channelId: input.channelId,
        },
        now: options.now,
      },
    ]);
    return toView(await getRow(sql, id));
  });
}

export async function updateReportSchedule(options: {
  actor: Actor;
  id: string;
  input: TUpdateSchedule;
  now: Date;
}): Promise<ReportScheduleView> {
  return withTransaction(async (sql) => {
    const before = await getRow(sql, options.id, true);
    if (options.input.channelId) await assertChannel(sql, options.input.channelId);
    const enabled = options.input.enabled ?? before.enabled;
    // Re-enabled: the next run is the next one from now, not the missed ones.
    const nextRun = enabled && !before.enabled ? nextReportRun(before.cadence, options.now) : new Date(before.next_run_at);
    await sql.query(
      `UPDATE report_schedules SET enabled = $2, channel_id = $3::uuid, next_run_at = $4::timestamptz, updated_at = $5::timestamptz
        WHERE id = $1::uuid`,
      [before.id, enabled, options.input.channelId ?? before.channel_id, nextRun.toISOString(), options.now.toISOString()],
    );
    await appendLedgerEntriesSql(sql, [
      {
        kind: "report.schedule.updated",
        actor: actorRef(options.actor),
        subject: `report-schedule:${before.id}`,
        payload: { name: before.name, ...options.input },
        now: options.now,
      },
    ]);
    return toView(await getRow(sql, before.id));
  });
}

export async function deleteReportSchedule(options: { actor: Actor; id: string; now: Date }): Promise<{ id: string; deleted: true }> {
  return withTransaction(async (sql) => {
    const row = await getRow(sql, options.id, true);
    // Its exports stay in the history (schedule_id becomes null).
    await sql.query(`DELETE FROM report_schedules WHERE id = $1::uuid`, [row.id]);
    await appendLedgerEntriesSql(sql, [
      {
        kind: "report.schedule.deleted",
        actor: actorRef(options.actor),
        subject: `report-schedule:${row.id}`,
        payload: { name: row.name, environment: row.environment },
        now: options.now,
      },
    ]);
    return { id: row.id, deleted: true as const };
  });
}

/** Queues one run of a schedule: an export of its period and its delivery. */
async function queueRun(sql: Sql, row: Row, runAt: Date, now: Date): Promise<string> {
  const window = reportPeriod(row.cadence, runAt);
  const view = await insertReportExport(sql, {
    who: { ref: `schedule:${row.id}`, name: `schedule “${row.name}”` },
    environment: row.environment,
    window,
    format: row.format,
    now,
    queue: true,
    scheduleId: row.id,
    deliverTo: row.channel_id,
  });
  return view.id;
}

/** "Send now": the report the next run would send, for the period that ends today. */
export async function runReportScheduleNow(options: { actor: Actor; id: string; now: Date }): Promise<{ reportId: string }> {
  return withTransaction(async (sql) => {
    const row = await getRow(sql, options.id, true);
    if (!row.channel_id) throw new AppError("conflict", "This schedule has no channel to deliver to (it was deleted): choose one first");
    const reportId = await queueRun(sql, row, options.now, options.now);
    await sql.query(`UPDATE report_schedules SET last_run_at = $2::timestamptz, last_report_id = $3::uuid WHERE id = $1::uuid`, [
      row.id,
      options.now.toISOString(),
      reportId,
    ]);
    return { reportId };
  });
}

/**
 * The reports.scheduled job: every enabled schedule whose time has come gets one export (of the
 * period ending at its run time) queued for generation and delivery, and its next run set. Locked
 * with SKIP LOCKED, so two instances never queue the same run twice.
 */
export async function runDueReportSchedules(_sql: Sql, options: { now: Date }): Promise<{ queued: number }> {
  return withTransaction(async (sql) => {
    const due = await sql.query<Row>(
      `${SELECT} WHERE s.id IN (SELECT id FROM report_schedules
                                  WHERE enabled AND channel_id IS NOT NULL AND next_run_at <= $1::timestamptz
                                  ORDER BY next_run_at LIMIT 50 FOR UPDATE SKIP LOCKED)`,
      [options.now.toISOString()],
    );
    for (const row of due) {
      const runAt = new Date(row.next_run_at);
      let reportId: string | null = null;
      try {
        reportId = await queueRun(sql, row, runAt, options.now);
      } catch (error) {
        // The environment no longer exists: record it and move on to the next run.
        await sql.query(`UPDATE report_schedules SET last_status = 'failed', last_error = $2 WHERE id = $1::uuid`, [
          row.id,
          (error as Error).message.slice(0, 500),
        ]);
      }
      await sql.query(
        `UPDATE report_schedules SET next_run_at = $2::timestamptz, last_run_at = $3::timestamptz, last_report_id = COALESCE($4::uuid, last_report_id)
          WHERE id = $1::uuid`,
        [row.id, nextReportRun(row.cadence, options.now).toISOString(), runAt.toISOString(), reportId],
      );
    }
    return { queued: due.length };
  });
}

import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { type Sql, sqlFromPool, withTransaction } from "@/lib/db/sql";
import { parseInstant } from "@/lib/domain/compliance-window";
import type { ReportSummary } from "@/lib/domain/report";
import type { ReportFormat } from "@/lib/domain/report-signature";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/domain/time-cursor";
import { complianceWindowOrThrow } from "@/lib/server/compliance/schemas";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { enqueueJob } from "@/lib/server/jobs/queue";
import type { TReportRequest } from "./schemas";

// Report exports as rows (report_exports): created pending, run by the job queue (or at once for
// GET /api/v1/reports/compliance), listed as the report history.

export type ReportExportView = {
  id: string;
  environment: string;
  from: string;
  to: string;
  format: ReportFormat;
  status: "pending" | "running" | "done" | "failed";
  rowsDone: number;
  rowsTotal: number | null;
  sha256: string | null;
  sizeBytes: number | null;
  signature: string | null;
  checkpointSequence: string | null;
  ledgerSequence: string | null;
  summary: ReportSummary | null;
  exportedBy: string;
  exportedByName: string | null;
  scheduleId: string | null;
  error: string | null;
  exportedAt: string;
  finishedAt: string | null;
  fileName: string;
  downloadUrl: string;
  signatureUrl: string;
};

type Row = {
  id: string;
  environment: string;
  period_from: Date;
  period_to: Date;
  format: ReportFormat;
  status: ReportExportView["status"];
  rows_done: number;
  rows_total: number | null;
  sha256: string | null;
  size_bytes: string | null;
  signature: string | null;
  checkpoint_sequence: string | null;
  ledger_sequence: string | null;
  summary: ReportSummary | null;
  exported_by: string;
  exported_by_name: string | null;
  schedule_id: string | null;
  error: string | null;
  exported_at: Date;
  finished_at: Date | null;
};

const COLUMNS = `id, environment, period_from, period_to, format, status, rows_done, rows_total, sha256, size_bytes::text AS size_bytes,
                 signature, checkpoint_sequence::text AS checkpoint_sequence, ledger_sequence::text AS ledger_sequence, summary,
                 exported_by, exported_by_name, schedule_id, error, exported_at, finished_at`;
const SELECT = `SELECT ${COLUMNS} FROM report_exports`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** vitrine-compliance-<environment>-<from>-<to>-<id prefix>.<format>: readable and unique. */
export function reportFileName(r: { id: string; environment: string; from: Date | string; to: Date | string; format: string }): string {
  const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);
  const env = r.environment.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) || "environment";
  return `vitrine-compliance-${env}-${day(r.from)}-${day(r.to)}-${r.id.slice(0, 8)}.${r.format}`;
}

function toView(r: Row): ReportExportView {
  return {
    id: r.id,
    environment: r.environment,
    from: new Date(r.period_from).toISOString(),
    to: new Date(r.period_to).toISOString(),
    format: r.format,
    status: r.status,
    rowsDone: r.rows_done,
    rowsTotal: r.rows_total,
    sha256: r.sha256,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    signature: r.signature,
    checkpointSequence: r.checkpoint_sequence,
    ledgerSequence: r.ledger_sequence,
    summary: r.summary,
    exportedBy: r.exported_by,
    exportedByName: r.exported_by_name,
    scheduleId: r.schedule_id,
    error: r.error,
    exportedAt: new Date(r.exported_at).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    fileName: reportFileName({ id: r.id, environment: r.environment, from: r.period_from, to: r.period_to, format: r.format }),
    downloadUrl: `/api/v1/reports/exports/${r.id}/download`,
    signatureUrl: `/api/v1/reports/exports/${r.id}/signature`,
  };
}

/** The window of a request: [from, to), checked as the compliance view checks it, with the defaults filled in. */
export function reportWindow(input: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const at = (text?: string) => (text ? (parseInstant(text) ?? undefined) : undefined);
  return complianceWindowOrThrow({ from: at(input.from), to: at(input.to) }, now);
}

async function assertEnvironment(sql: Sql, environment: string): Promise<void> {
  const [found] = await sql.query(`SELECT 1 AS ok FROM environments WHERE name = $1`, [environment]);
  if (!found) {
    throw new AppError("not_found", `No environment is named “${environment}”`, {
      errors: [{ path: "$.query.environment", message: "is not a known environment" }],
    });
  }
}

function actorName(actor: Actor): string {
  if (actor.kind === "user") return actor.email;
  if (actor.kind === "token") return `token ${actor.name}`;
  return actor.name;
}

/** Inserts a pending export (and, with `queue`, its reports.export job) in the caller's transaction. */
export async function insertReportExport(
  sql: Sql,
  options: {
    who: { ref: string; name: string };
    environment: string;
    window: { from: Date; to: Date };
    format: ReportFormat;
    now: Date;
    queue: boolean;
    scheduleId?: string | null;
    deliverTo?: string | null;
  },
): Promise<ReportExportView> {
  await assertEnvironment(sql, options.environment);
  const id = uuidv7(options.now.getTime());
  const [row] = await sql.query<Row>(
    `INSERT INTO report_exports (id, environment, period_from, period_to, format, status, exported_by, exported_by_name, schedule_id, exported_at)
     VALUES ($1::uuid, $2, $3::timestamptz, $4::timestamptz, $5, 'pending', $6, $7, $8::uuid, $9::timestamptz)
     RETURNING ${COLUMNS}`,
    [
      id,
      options.environment,
      options.window.from.toISOString(),
      options.window.to.toISOString(),
      options.format,
      options.who.ref,
      options.who.name,
      options.scheduleId ?? null,
      options.now.toISOString(),
    ],
  );
  if (options.queue) {
    await enqueueJob(sql, {
      kind: "reports.export",
      payload: { reportId: id, ...(options.deliverTo ? { deliverTo: options.deliverTo, scheduleId: options.scheduleId ?? null } : {}) },
    });
  }
  return toView(row!);
}

/**
 * Records a pending export requested by a person. With `queue`, the job queue runs it (the Reports
 * page polls its progress); otherwise the caller runs generateReport itself (the synchronous GET).
 */
export async function createReportExport(options: {
  actor: Actor;
  input: TReportRequest;
  now: Date;
  queue: boolean;
}): Promise<ReportExportView> {
  const window = reportWindow(options.input, options.now);
  return withTransaction((sql) =>
    insertReportExport(sql, {
      who: { ref: actorRef(options.actor), name: actorName(options.actor) },
      environment: options.input.environment,
      window,
      format: options.input.format,
      now: options.now,
      queue: options.queue,
    }),
  );
}

export async function getReportExportOrThrow(id: string): Promise<ReportExportView> {
  if (!UUID.test(id)) {
    throw new AppError("unprocessable", "The report id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  }
  const [row] = await sqlFromPool().query<Row>(`${SELECT} WHERE id = $1::uuid`, [id.toLowerCase()]);
  if (!row) throw new AppError("not_found", "No report export has this id");
  return toView(row);
}

export async function findReportExport(id: string): Promise<ReportExportView | null> {
  if (!UUID.test(id)) return null;
  const [row] = await sqlFromPool().query<Row>(`${SELECT} WHERE id = $1::uuid`, [id.toLowerCase()]);
  return row ? toView(row) : null;
}

/** The report history, newest first, in keyset pages. */
export async function listReportExports(options: {
  cursor?: string;
  limit?: number;
}): Promise<{ items: ReportExportView[]; nextCursor: string | null }> {
  const limit = options.limit ?? 25;
  const after = options.cursor ? decodeTimeCursor(options.cursor) : null;
  if (options.cursor && !after) {
    throw new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: "$.query.cursor", message: "is not a cursor of this list" }],
    });
  }
  const rows = await sqlFromPool().query<Row>(
    `${SELECT} WHERE ($1::timestamptz IS NULL OR (exported_at, id) < ($1::timestamptz, $2::uuid))
      ORDER BY exported_at DESC, id DESC LIMIT $3`,
    [after?.at.toISOString() ?? null, after?.id ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(new Date(last.exported_at), last.id) : null,
  };
}

/** The environments a report can be about (the export and schedule forms). */
export async function listReportEnvironments(): Promise<string[]> {
  const rows = await sqlFromPool().query<{ name: string }>(`SELECT name FROM environments WHERE deleted_at IS NULL ORDER BY name`);
  return rows.map((r) => r.name);
}

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: "text/csv; charset=utf-8; header=present",
  json: "application/json",
  pdf: "application/pdf",
};

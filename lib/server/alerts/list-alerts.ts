import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import type { Actor } from "@/lib/auth/actor";
import type { Sql } from "@/lib/db/sql";
import { ALERT_SEVERITIES, ALERT_STATUSES, type AlertSeverity, type AlertStatus, severityRank } from "@/lib/domain/alert-triage";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { ALERT_SELECT, type AlertListItem, type AlertRow, SEVERITY_RANK_SQL, toAlertListItem } from "./alert-row";

// GET /api/v1/alerts: the queue. Filters combine with AND; status and severity take comma-separated
// lists. Keyset pagination in either order, and per-severity and per-status counts for the filters.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function csvOf<T extends string>(values: readonly [T, ...T[]]) {
  return z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, { error: `each must be one of ${values.join(", ")}` })).min(1, "name at least one"));
}

const ZInstant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: "must be an ISO 8601 date or date-time" })
  // Postgres reads years 1-9999 in ISO form (0000-01-01, or 9999-12-31 carried into 10000 by an offset, answered 500).
  .refine((v) => {
    const year = new Date(v.length === 10 ? `${v}T00:00:00Z` : v).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, "must be between the years 0001 and 9999");

export const ZListAlertsQuery = z.object({
  status: csvOf(ALERT_STATUSES).optional(),
  severity: csvOf(ALERT_SEVERITIES).optional(),
  rule: z.string().trim().min(1).max(100, "at most 100 characters").optional(),
  environment: z.string().trim().min(1).max(200, "at most 200 characters").optional(),
  /** A user id, `me` (the signed-in user) or `none` (unassigned). */
  assignee: z
    .string()
    .trim()
    .refine((v) => v === "me" || v === "none" || UUID.test(v), "must be a user id, me or none")
    .optional(),
  /** Which time `from` and `to` bound: when the alert last changed (default) or when it was raised. */
  timeField: z.enum(["updated", "created"]).optional(),
  from: ZInstant.optional(),
  to: ZInstant.optional(),
  q: z.string().trim().max(200, "at most 200 characters").optional(),
  sort: z.enum(["updated", "severity"]).optional(),
  cursor: z.string().max(300).optional(),
  limit: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(1).max(200)).optional(),
});
export type TListAlertsQuery = z.infer<typeof ZListAlertsQuery>;

export type AlertCounts = {
  /** Per severity, with every filter but `severity` (so the other chips keep their numbers). */
  severity: Record<AlertSeverity, number>;
  /** Per status, with every filter but `status`. */
  status: Record<AlertStatus, number>;
  /** Alerts matching every filter. */
  total: number;
};

export type AlertPage = { items: AlertListItem[]; nextCursor: string | null; counts: AlertCounts };

type Cursor = { sort: "updated" | "severity"; rank: number; at: Date; id: string };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.rank, c.at.toISOString(), c.id])).toString("base64url");
}

function decodeCursor(text: string, sort: Cursor["sort"]): Cursor {
  const bad = () =>
    new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: "$.query.cursor", message: "not a cursor from a previous page of this list and sort" }],
    });
  // Node's base64url decoder skips characters outside the alphabet: a mangled cursor would read as the one it resembles.
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad();
  const [s, rank, at, id] = parsed as unknown[];
  const date = new Date(typeof at === "string" ? at : Number.NaN);
  if (
    s !== sort ||
    typeof rank !== "number" ||
    !Number.isInteger(rank) ||
    Number.isNaN(date.getTime()) ||
    typeof id !== "string" ||
    !UUID.test(id)
  )
    throw bad();
  return { sort, rank, at: date, id };
}

/** `%` and `_` in a search are literal characters, not wildcards. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** WHERE clauses for every filter but status and severity (those are applied per use below). */
function commonFilters(query: TListAlertsQuery, actor: Actor | null, p: Params): string[] {
  const where: string[] = [];
  if (query.rule) where.push(`a.rule = ${p.add(query.rule)}`);
  if (query.environment) where.push(`a.environment = ${p.add(query.environment)}`);
  if (query.assignee === "none") where.push("a.assignee_id IS NULL");
  else if (query.assignee === "me") {
    if (actor?.kind !== "user")
      throw new AppError("unprocessable", "assignee=me needs a signed-in person", {
        errors: [{ path: "$.query.assignee", message: "me is only known for a signed-in person; give a user id" }],
      });
    where.push(`a.assignee_id = ${p.add(actor.id)}::uuid`);
  } else if (query.assignee) where.push(`a.assignee_id = ${p.add(query.assignee.toLowerCase())}::uuid`);
  const column = query.timeField === "created" ? "a.created_at" : "a.updated_at";
  if (query.from) where.push(`${column} >= ${p.add(new Date(query.from).toISOString())}::timestamptz`);
  if (query.to) where.push(`${column} < ${p.add(new Date(query.to).toISOString())}::timestamptz`);
  if (query.q) {
    const like = p.add(likePattern(query.q));
    where.push(`(a.summary ILIKE ${like} OR a.subject_label ILIKE ${like} OR a.subject_id ILIKE ${like} OR a.rule ILIKE ${like})`);
  }
  return where;
}

function emptyCounts(): AlertCounts {
  return {
    severity: Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as Record<AlertSeverity, number>,
    status: Object.fromEntries(ALERT_STATUSES.map((s) => [s, 0])) as Record<AlertStatus, number>,
    total: 0,
  };
}

/**
 * A page of alerts, newest change first (`sort=updated`) or worst severity first, then newest change
 * (`sort=severity`), with counts for the same filters. `query` is ZListAlertsQuery's output; `actor`
 * resolves `assignee=me`.
 */
export async function listAlerts(options: { query: TListAlertsQuery; actor: Actor | null; sql?: Sql }): Promise<AlertPage> {
  const query = options.query;
  const sql = options.sql ?? poolSql();
  const limit = query.limit ?? 50;
  const sort = query.sort ?? "updated";
  const statuses = query.status ? [...new Set(query.status)] : null;
  const severities = query.severity ? [...new Set(query.severity)] : null;

  // The page.
  const p = new Params();
  const where = commonFilters(query, options.actor, p);
  if (statuses) where.push(`a.status = ANY(${p.add(statuses)}::text[])`);
  if (severities) where.push(`a.severity = ANY(${p.add(severities)}::text[])`);
  if (query.cursor) {
    const c = decodeCursor(query.cursor, sort);
    const after = `(a.updated_at, a.id) < (${p.add(c.at.toISOString())}::timestamptz, ${p.add(c.id)}::uuid)`;
    if (sort === "updated") where.push(after);
    else {
      const rank = p.add(c.rank);
      where.push(`(${SEVERITY_RANK_SQL} > ${rank}::int OR (${SEVERITY_RANK_SQL} = ${rank}::int AND ${after}))`);
    }
  }
  const order = sort === "updated" ? "a.updated_at DESC, a.id DESC" : `${SEVERITY_RANK_SQL} ASC, a.updated_at DESC, a.id DESC`;
  const pageSql = `${ALERT_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ${p.add(limit + 1)}`;

  // The counts: one grouped read with every filter but status and severity, faceted here.
  const cp = new Params();
  const countWhere = commonFilters(query, options.actor, cp);
  const countSql = `SELECT a.severity, a.status, count(*)::int AS n FROM alerts a ${
    countWhere.length ? `WHERE ${countWhere.join(" AND ")}` : ""
  } GROUP BY a.severity, a.status`;

  const [rows, groups] = await Promise.all([
    sql.query<AlertRow>(pageSql, p.values),
    sql.query<{ severity: string; status: string; n: number }>(countSql, cp.values),
  ]);

  const counts = emptyCounts();
  for (const g of groups) {
    const statusOk = !statuses || (statuses as string[]).includes(g.status);
    const severityOk = !severities || (severities as string[]).includes(g.severity);
    if (statusOk && g.severity in counts.severity) counts.severity[g.severity as AlertSeverity] += g.n;
    if (severityOk && g.status in counts.status) counts.status[g.status as AlertStatus] += g.n;
    if (statusOk && severityOk) counts.total += g.n;
  }

  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({
          sort,
          rank: severityRank(last.severity),
          at: new Date(last.updated_at),
          id: last.id,
        })
      : null;
  return { items: page.map(toAlertListItem), nextCursor, counts };
}

import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorCan, actorRef } from "@/lib/auth/actor";
import { type Sql, withTransaction } from "@/lib/db/sql";
import {
  type AlertStatus,
  checkTransition,
  isAlertStatus,
  MAX_NOTE_LENGTH,
  statusAfter,
  suppressionProblem,
  TRIAGE_EVENT,
  type TriageAction,
} from "@/lib/domain/alert-triage";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { type AlertDetail, getAlert } from "./get-alert";

// Triage (issue 6 item 2): acknowledge, assign, comment, resolve, suppress. Each action is one
// transaction: the alert row changes, a timeline event is written, and a ledger entry records it (its
// sequence kept on the event). Row lock first, ledger lock last (at the append), as ingestion does.

const ZNote = z
  .string({ error: "must be text" })
  .trim()
  .min(1, "must not be empty")
  .max(MAX_NOTE_LENGTH, `at most ${MAX_NOTE_LENGTH} characters`);

export const ZAcknowledgeAlert = z.strictObject({ note: ZNote.optional() });
export const ZAssignAlert = z.strictObject({
  /** The user to assign, or null to unassign. */
  assigneeId: z.uuid({ error: "must be a user id (UUID) or null" }).nullable(),
  note: ZNote.optional(),
});
export const ZCommentAlert = z.strictObject({ note: ZNote });
export const ZResolveAlert = z.strictObject({ note: ZNote });
export const ZSuppressAlert = z.strictObject({
  justification: ZNote,
  /** When the suppression ends and the alert reopens: in the future, at most 90 days away. */
  until: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T09:00:00Z" }),
});

export const TRIAGE_SCHEMAS = {
  acknowledge: ZAcknowledgeAlert,
  assign: ZAssignAlert,
  comment: ZCommentAlert,
  resolve: ZResolveAlert,
  suppress: ZSuppressAlert,
} as const satisfies Record<TriageAction, z.ZodType>;

export type TriageInput = { [A in TriageAction]: z.input<(typeof TRIAGE_SCHEMAS)[A]> };

type LockedAlert = {
  id: string;
  rule: string;
  severity: string;
  status: string;
  environment: string | null;
  subject_kind: string;
  subject_id: string;
  assignee_id: string | null;
  assignee_email: string | null;
  suppressed_until: Date | null;
};

type Change = {
  /** SET clauses after `updated_at = $2` ($1 is the id, $2 now; their own parameters from $3). */
  set: string[];
  params: unknown[];
  note: string | null;
  data: Record<string, JsonValue>;
};

type NewEvent = { alertId: string; kind: string; actor: string; note: string | null; data: JsonValue; ledgerSequence: bigint };

/** Timeline events, in one statement. */
async function insertEvents(sql: Sql, events: NewEvent[], now: Date): Promise<void> {
  await sql.query(
    `INSERT INTO alert_events (id, alert_id, kind, actor, note, data, ledger_sequence, created_at)
     SELECT id, alert_id, kind, actor, note, data, ledger_sequence, $8::timestamptz
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::bigint[])
         AS e(id, alert_id, kind, actor, note, data, ledger_sequence)`,
    [
      events.map(() => uuidv7(now.getTime())),
      events.map((e) => e.alertId),
      events.map((e) => e.kind),
      events.map((e) => e.actor),
      events.map((e) => e.note),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => e.ledgerSequence.toString()),
      now.toISOString(),
    ],
  );
}

function conflict(message: string): AppError {
  return new AppError("conflict", message);
}

async function planChange<A extends TriageAction>(
  sql: Sql,
  action: A,
  alert: LockedAlert & { status: AlertStatus },
  input: z.output<(typeof TRIAGE_SCHEMAS)[A]>,
  now: Date,
): Promise<Change> {
  const to = statusAfter(action, alert.status);
  const transition = { from: alert.status, to };
  switch (action) {
    case "acknowledge": {
      const i = input as z.output<typeof ZAcknowledgeAlert>;
      return { set: ["status = 'acknowledged'", "acknowledged_at = $2::timestamptz"], params: [], note: i.note ?? null, data: transition };
    }
    case "comment": {
      const i = input as z.output<typeof ZCommentAlert>;
      return { set: [], params: [], note: i.note, data: transition };
    }
    case "resolve": {
      const i = input as z.output<typeof ZResolveAlert>;
      return {
        set: ["status = 'resolved'", "resolved_at = $2::timestamptz", "suppressed_until = NULL", "suppression_reason = NULL"],
        params: [],
        note: i.note,
        data: transition,
      };
    }
    case "suppress": {
      const i = input as z.output<typeof ZSuppressAlert>;
      const until = new Date(i.until);
      const problem = suppressionProblem(until, now);
      if (problem)
        throw new AppError("unprocessable", `The suppression end ${problem}`, { errors: [{ path: "$.until", message: problem }] });
      return {
        set: ["status = 'suppressed'", "suppressed_until = $3::timestamptz", "suppression_reason = $4"],
        params: [until.toISOString(), i.justification],
        note: i.justification,
        data: {
          ...transition,
          until: until.toISOString(),
          ...(alert.suppressed_until ? { previousUntil: new Date(alert.suppressed_until).toISOString() } : {}),
        },
      };
    }
    case "assign": {
      const i = input as z.output<typeof ZAssignAlert>;
      const previous = alert.assignee_id ? { id: alert.assignee_id, email: alert.assignee_email ?? "" } : null;
      if (i.assigneeId === null) {
        if (!alert.assignee_id) throw conflict("This alert is not assigned to anyone");
        return { set: ["assignee_id = NULL"], params: [], note: i.note ?? null, data: { ...transition, assignee: null, previous } };
      }
      const id = i.assigneeId.toLowerCase();
      const [user] = await sql.query<{ id: string; email: string; name: string | null; disabled_at: Date | null }>(
        "SELECT id, email, name, disabled_at FROM users WHERE id = $1::uuid",
        [id],
      );
      if (!user || user.disabled_at) {
        throw new AppError("unprocessable", "An alert can be assigned only to an active user", {
          errors: [{ path: "$.assigneeId", message: user ? "this user is disabled" : "no user has this id" }],
        });
      }
      if (alert.assignee_id === user.id) throw conflict(`This alert is already assigned to ${user.name ?? user.email}`);
      return {
        set: ["assignee_id = $3::uuid"],
        params: [user.id],
        note: i.note ?? null,
        data: { ...transition, assignee: { id: user.id, email: user.email, name: user.name }, previous },
      };
    }
  }
  throw new Error(`unknown triage action ${String(action)}`);
}

/**
 * Takes a triage action on alert `id` for `actor` and answers the alert as it is afterwards.
 * 422 (naming the JSON path) for bad input, 404 for an unknown alert, 409 for an action the alert's
 * status does not allow (acknowledging a resolved alert) or that would change nothing.
 */
export async function triageAlert<A extends TriageAction>(options: {
  actor: Actor;
  id: string;
  action: A;
  input: unknown;
  now: Date;
}): Promise<AlertDetail> {
  const { actor, id, action, now } = options;
  const input = TRIAGE_SCHEMAS[action].parse(options.input) as z.output<(typeof TRIAGE_SCHEMAS)[A]>;
  const alertId = id.toLowerCase();
  await withTransaction(async (sql) => {
    const [alert] = await sql.query<LockedAlert>(
      `SELECT a.id, a.rule, a.severity, a.status, a.environment, a.subject_kind, a.subject_id, a.assignee_id, u.email AS assignee_email,
              a.suppressed_until
         FROM alerts a LEFT JOIN users u ON u.id = a.assignee_id
        WHERE a.id = $1::uuid
          FOR UPDATE OF a`,
      [alertId],
    );
    if (!alert) throw new AppError("not_found", `No alert with id ${alertId}`);
    if (!isAlertStatus(alert.status)) throw conflict(`This alert has an unknown status (${alert.status})`);
    const check = checkTransition(action, alert.status);
    if (!check.ok) throw conflict(check.reason);
    const change = await planChange(sql, action, { ...alert, status: alert.status }, input, now);
    await sql.query(`UPDATE alerts SET ${["updated_at = $2::timestamptz", ...change.set].join(", ")} WHERE id = $1::uuid`, [
      alertId,
      now.toISOString(),
      ...change.params,
    ]);
    const event = TRIAGE_EVENT[action];
    const ref = actorRef(actor);
    const [entry] = await appendLedgerEntriesSql(sql, [
      {
        kind: `alert.${event}`,
        actor: ref,
        subject: `alert:${alertId}`,
        payload: {
          rule: alert.rule,
          severity: alert.severity,
          environment: alert.environment,
          subject: { kind: alert.subject_kind, id: alert.subject_id },
          note: change.note,
          ...change.data,
        },
        now,
      },
    ]);
    await insertEvents(
      sql,
      [{ alertId, kind: event, actor: ref, note: change.note, data: change.data, ledgerSequence: entry!.sequence }],
      now,
    );
  });
  const detail = await getAlert({ id: alertId, canReadLedger: actorCan(actor, "ledger:read") });
  if (!detail) throw new AppError("not_found", `No alert with id ${alertId}`);
  return detail;
}

/** The actor of the automatic reopening, as the ledger and the timeline name it. */
export const SUPPRESSION_EXPIRY_ACTOR = "system:suppression-expiry";

/**
 * Reopens every suppressed alert whose suppression ended at or before `now`: status open, an
 * `unsuppressed` event and an `alert.unsuppressed` ledger entry by the system each. `sql` must be in
 * a transaction (the ledger entries commit with the change). Rows another transaction holds are
 * skipped and taken on the next call. Answers the ids reopened.
 */
export async function reopenExpiredSuppressions(sql: Sql, now: Date, options: { limit?: number } = {}): Promise<string[]> {
  const rows = await sql.query<{
    id: string;
    rule: string;
    severity: string;
    environment: string | null;
    subject_kind: string;
    subject_id: string;
    until: Date;
    reason: string | null;
  }>(
    `WITH due AS (
       SELECT id, suppressed_until, suppression_reason FROM alerts
        WHERE status = 'suppressed' AND suppressed_until <= $1::timestamptz
        ORDER BY suppressed_until, id
        LIMIT $2
          FOR UPDATE SKIP LOCKED
     )
     UPDATE alerts a
        SET status = 'open', suppressed_until = NULL, suppression_reason = NULL, updated_at = $1::timestamptz
       FROM due
      WHERE a.id = due.id
     RETURNING a.id, a.rule, a.severity, a.environment, a.subject_kind, a.subject_id, due.suppressed_until AS until,
               due.suppression_reason AS reason`,
    [now.toISOString(), options.limit ?? 500],
  );
  if (rows.length === 0) return [];
  rows.sort((x, y) => new Date(x.until).getTime() - new Date(y.until).getTime() || x.id.localeCompare(y.id));
  const datas = rows.map((r) => ({ from: "suppressed", to: "open", until: new Date(r.until).toISOString(), justification: r.reason }));
  const entries = await appendLedgerEntriesSql(
    sql,
    rows.map((r, i) => ({
      kind: "alert.unsuppressed",
      actor: SUPPRESSION_EXPIRY_ACTOR,
      subject: `alert:${r.id}`,
      payload: {
        rule: r.rule,
        severity: r.severity,
        environment: r.environment,
        subject: { kind: r.subject_kind, id: r.subject_id },
        note: "The suppression expired",
        ...datas[i]!,
      },
      now,
    })),
  );
  await insertEvents(
    sql,
    rows.map((r, i) => ({
      alertId: r.id,
      kind: "unsuppressed",
      actor: SUPPRESSION_EXPIRY_ACTOR,
      note: "The suppression expired",
      data: datas[i]!,
      ledgerSequence: entries[i]!.sequence,
    })),
    now,
  );
  return rows.map((r) => r.id);
}

import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/domain/time-cursor";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { NOTIFY_JOB } from "./enqueue";

// GET /api/v1/alerts/{id}/deliveries: an alert's notification log, oldest first, in keyset pages (an
// alert left open is escalated again every window, so its log grows with every channel and window).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DELIVERIES_PAGE_SIZE = 50;
export const MAX_DELIVERIES_PAGE_SIZE = 200;

const CURSOR_MESSAGE = "not a cursor from a previous page of this list";

export const ZListDeliveriesQuery = z.object({
  /** Empty: the first page, as in the other lists. */
  cursor: z
    .string()
    .refine((c) => c === "" || decodeTimeCursor(c) !== null, CURSOR_MESSAGE)
    .optional(),
  limit: z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1, "at least 1").max(MAX_DELIVERIES_PAGE_SIZE, `at most ${MAX_DELIVERIES_PAGE_SIZE}`))
    .optional(),
});

export type DeliveryAttempt = {
  at: string;
  statusCode: number | null;
  error: string | null;
  ms: number | null;
  /** The failure could not be fixed by retrying (a refused address): the delivery failed at once. */
  permanent: boolean;
};

export type DeliveryItem = {
  id: string;
  channel: { id: string; name: string; kind: string };
  /** The alert state delivered: "open:1", "reopened:2", "escalated:1", ... */
  state: string;
  /** pending: not delivered yet (with attempts: being retried); delivered; failed (given up, or refused). */
  status: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
  createdAt: string;
  deliveredAt: string | null;
  attemptCount: number;
  lastAttemptAt: string | null;
  /** The receiver's HTTP status code at the last attempt (null: no answer, or email). */
  lastStatusCode: number | null;
  lastError: string | null;
  /** When the queue tries a pending delivery again (null when nothing is waiting). */
  nextAttemptAt: string | null;
};

export type DeliveryCounts = { total: number; pending: number; delivered: number; failed: number };

export type DeliveryPage = { items: DeliveryItem[]; nextCursor: string | null; counts: DeliveryCounts };

type Row = {
  id: string;
  channel_id: string;
  channel_name: string;
  channel_kind: string;
  state_key: string;
  status: DeliveryItem["status"];
  attempts: unknown;
  created_at: Date | string;
  delivered_at: Date | string | null;
};

function attemptsOf(value: unknown): DeliveryAttempt[] {
  if (!Array.isArray(value)) return [];
  return value.map((a: Record<string, unknown>) => ({
    at: typeof a.at === "string" ? a.at : "",
    statusCode: typeof a.statusCode === "number" ? a.statusCode : null,
    error: typeof a.error === "string" ? a.error : null,
    ms: typeof a.ms === "number" ? a.ms : null,
    permanent: a.permanent === true,
  }));
}

function unprocessable(path: string, message: string): AppError {
  return new AppError("unprocessable", "The request has invalid fields", { errors: [{ path, message }] });
}

/** The delivery log of an alert, oldest first: per channel and alert state, each attempt with its status code or error. */
export async function listDeliveries(options: { alertId: string; cursor?: string; limit?: number }): Promise<DeliveryPage> {
  if (!UUID.test(options.alertId)) {
    throw new AppError("unprocessable", "The alert id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  }
  const alertId = options.alertId.toLowerCase();
  const after = options.cursor ? decodeTimeCursor(options.cursor) : null;
  if (options.cursor && !after) throw unprocessable("$.query.cursor", CURSOR_MESSAGE);
  const limit = options.limit ?? DELIVERIES_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DELIVERIES_PAGE_SIZE) {
    throw unprocessable("$.query.limit", `must be a whole number from 1 to ${MAX_DELIVERIES_PAGE_SIZE}`);
  }

  const sql = poolSql();
  const [alert] = await sql.query(`SELECT 1 FROM alerts WHERE id = $1::uuid`, [alertId]);
  if (!alert) throw new AppError("not_found", "No alert has this id");
  const [rows, counts, waiting] = await Promise.all([
    sql.query<Row>(
      `SELECT d.id, d.channel_id, c.name AS channel_name, c.kind AS channel_kind, d.state_key, d.status, d.attempts, d.created_at, d.delivered_at
         FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id
        WHERE d.alert_id = $1::uuid AND ($2::timestamptz IS NULL OR (d.created_at, d.id) > ($2::timestamptz, $3::uuid))
        ORDER BY d.created_at, d.id LIMIT $4`,
      [alertId, after?.at.toISOString() ?? null, after?.id ?? null, limit + 1],
    ),
    sql.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM notification_deliveries WHERE alert_id = $1::uuid GROUP BY status`,
      [alertId],
    ),
    // The notification jobs of this alert still waiting: a pending delivery is tried again when its state's job runs.
    sql.query<{ state: string; run_at: Date | string }>(
      `SELECT payload->>'stateKey' AS state, min(run_at) AS run_at FROM jobs
        WHERE kind = $2 AND done_at IS NULL AND failed_at IS NULL AND payload->>'alertId' = $1
        GROUP BY 1`,
      [alertId, NOTIFY_JOB],
    ),
  ]);

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextAt = new Map(waiting.map((w) => [w.state, new Date(w.run_at).toISOString()]));
  const prefix = `${alertId}:`;
  const count = (status: string) => counts.find((c) => c.status === status)?.n ?? 0;
  return {
    items: page.map((r) => {
      const state = r.state_key.startsWith(prefix) ? r.state_key.slice(prefix.length) : r.state_key;
      const attempts = attemptsOf(r.attempts);
      const latest = attempts.at(-1);
      return {
        id: r.id,
        channel: { id: r.channel_id, name: r.channel_name, kind: r.channel_kind },
        state,
        status: r.status,
        attempts,
        createdAt: new Date(r.created_at).toISOString(),
        deliveredAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null,
        attemptCount: attempts.length,
        lastAttemptAt: latest?.at || null,
        lastStatusCode: latest?.statusCode ?? null,
        lastError: latest?.error ?? null,
        nextAttemptAt: r.status === "pending" ? (nextAt.get(state) ?? null) : null,
      };
    }),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(new Date(last.created_at), last.id) : null,
    counts: {
      total: counts.reduce((n, c) => n + c.n, 0),
      pending: count("pending"),
      delivered: count("delivered"),
      failed: count("failed"),
    },
  };
}

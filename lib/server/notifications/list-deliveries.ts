import "server-only";
import { AppError } from "@/lib/api/errors";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { UUID_PATTERN } from "./channel-row";

export type DeliveryAttempt = { at: string; statusCode: number | null; error: string | null; ms: number | null };

export type DeliveryItem = {
  id: string;
  channel: { id: string; name: string; kind: string };
  /** The alert state delivered: "open:1", "reopened:2", "escalated:1", ... */
  state: string;
  status: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
  createdAt: string;
  deliveredAt: string | null;
};

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
  }));
}

/** The delivery log of an alert, oldest first: per channel and alert state, each attempt with its status code or error. */
export async function listDeliveries(options: { alertId: string }): Promise<{ items: DeliveryItem[]; nextCursor: null }> {
  if (!UUID_PATTERN.test(options.alertId)) {
    throw new AppError("unprocessable", "The alert id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  }
  const sql = poolSql();
  const [alert] = await sql.query(`SELECT 1 FROM alerts WHERE id = $1::uuid`, [options.alertId]);
  if (!alert) throw new AppError("not_found", "No alert has this id");
  const rows = await sql.query<Row>(
    `SELECT d.id, d.channel_id, c.name AS channel_name, c.kind AS channel_kind, d.state_key, d.status, d.attempts, d.created_at, d.delivered_at
       FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id
      WHERE d.alert_id = $1::uuid ORDER BY d.created_at, c.name LIMIT 1000`,
    [options.alertId],
  );
  const prefix = `${options.alertId}:`;
  return {
    items: rows.map((r) => ({
      id: r.id,
      channel: { id: r.channel_id, name: r.channel_name, kind: r.channel_kind },
      state: r.state_key.startsWith(prefix) ? r.state_key.slice(prefix.length) : r.state_key,
      status: r.status,
      attempts: attemptsOf(r.attempts),
      createdAt: new Date(r.created_at).toISOString(),
      deliveredAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null,
    })),
    nextCursor: null,
  };
}

import "server-only";
import { randomBytes } from "node:crypto";
import { AppError } from "@/lib/api/errors";
import type { Sql } from "@/lib/db/sql";
import { redactChannelUrl } from "@/lib/domain/notifications";
import type { ChannelListItem } from "./schemas";

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 256 random bits: the HMAC key of a webhook channel, shown once. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export type ChannelRow = {
  id: string;
  name: string;
  kind: string;
  url: string | null;
  secret: string | null;
  config: unknown;
  min_severity: string;
  rules: string[] | null;
  environments: string[] | null;
  enabled: boolean;
  created_at: Date | string;
  created_by: string;
  deliveries: number;
  last_status: string | null;
  last_at: Date | string | null;
  last_attempt: { statusCode?: number; error?: string } | null;
};

export const CHANNEL_SELECT = `
  SELECT c.id, c.name, c.kind, c.url, c.secret, c.config, c.min_severity, c.rules, c.environments, c.enabled, c.created_at, c.created_by,
         (SELECT count(*)::int FROM notification_deliveries d WHERE d.channel_id = c.id) AS deliveries,
         l.status AS last_status, l.at AS last_at, l.attempt AS last_attempt
    FROM notification_channels c
    LEFT JOIN LATERAL (
      SELECT d.status, COALESCE(d.delivered_at, (d.attempts -> -1 ->> 'at')::timestamptz, d.created_at) AS at, d.attempts -> -1 AS attempt
        FROM notification_deliveries d WHERE d.channel_id = c.id ORDER BY d.id DESC LIMIT 1
    ) l ON true`;

function recipients(config: unknown): string[] {
  const to = (config as { to?: unknown } | null)?.to;
  return Array.isArray(to) ? to.filter((t): t is string => typeof t === "string") : [];
}

/** What the API and the page show of a channel: never the secret, never the secret part of a URL. */
export function toChannelItem(row: ChannelRow): ChannelListItem {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: redactChannelUrl(row.kind, row.url),
    to: recipients(row.config),
    hasSecret: Boolean(row.secret),
    minSeverity: row.min_severity,
    rules: row.rules ?? [],
    environments: row.environments ?? [],
    enabled: row.enabled,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    deliveries: Number(row.deliveries ?? 0),
    lastDelivery:
      row.last_status && row.last_at
        ? {
            status: row.last_status,
            at: new Date(row.last_at).toISOString(),
            statusCode: typeof row.last_attempt?.statusCode === "number" ? row.last_attempt.statusCode : null,
            error: typeof row.last_attempt?.error === "string" ? row.last_attempt.error : null,
          }
        : null,
  };
}

export async function getChannelRowOrThrow(sql: Sql, id: string, options: { lock?: boolean } = {}): Promise<ChannelRow> {
  if (!UUID_PATTERN.test(id)) {
    throw new AppError("unprocessable", "The channel id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  }
  if (options.lock) await sql.query(`SELECT id FROM notification_channels WHERE id = $1::uuid FOR UPDATE`, [id]);
  const [row] = await sql.query<ChannelRow>(`${CHANNEL_SELECT} WHERE c.id = $1::uuid`, [id]);
  if (!row) throw new AppError("not_found", "No notification channel has this id");
  return row;
}

/** Postgres unique_violation on the channel name -> 409 naming the field. */
export function isNameTaken(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === "23505" && (e.constraint ?? "").includes("name");
}

export function nameTakenError(name: string): AppError {
  return new AppError("conflict", `A channel named “${name}” exists already`, {
    errors: [{ path: "$.name", message: "is taken by another channel" }],
  });
}

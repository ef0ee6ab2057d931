import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { withTransaction } from "@/lib/db/sql";
import { redactChannelUrl } from "@/lib/domain/notifications";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { generateWebhookSecret, getChannelRowOrThrow, isNameTaken, nameTakenError, toChannelItem } from "./channel-row";
import { assertChannelUrlAllowed } from "./network-guard";
import { type ChannelCreated, type TCreateChannel, ZCreateChannel } from "./schemas";
import { isEmailConfigured } from "./send-notification";

/** Creates a channel. A webhook gets a new 256-bit secret, returned here once and never shown again. */
export async function createChannel(options: { actor: Actor; input: TCreateChannel; now: Date }): Promise<ChannelCreated> {
  const input = ZCreateChannel.parse(options.input);
  if (input.kind === "email" && !isEmailConfigured()) {
    throw new AppError("unprocessable", "Email is not configured on this server", {
      errors: [{ path: "$.kind", message: "email needs VITRINE_SMTP_URL and VITRINE_SMTP_FROM on the server (docs/notifications.md)" }],
    });
  }
  if (input.kind !== "email") assertChannelUrlAllowed(input.url);
  const id = uuidv7(options.now.getTime());
  const secret = input.kind === "webhook" ? generateWebhookSecret() : null;
  const url = input.kind === "email" ? null : input.url;
  const to = input.kind === "email" ? [...new Set(input.to)] : null;
  const config = to ? { to } : {};
  const rules = [...new Set(input.rules)];
  const environments = [...new Set(input.environments)];
  try {
    return await withTransaction(async (sql) => {
      const [taken] = await sql.query(`SELECT 1 FROM notification_channels WHERE name = $1`, [input.name]);
      if (taken) throw nameTakenError(input.name);
      await sql.query(
        `INSERT INTO notification_channels (id, name, kind, url, secret, config, min_severity, rules, environments, enabled, created_at, created_by, updated_at)
         VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7, $8::text[], $9::text[], $10, $11::timestamptz, $12, $11::timestamptz)`,
        [
          id,
          input.name,
          input.kind,
          url,
          secret,
          JSON.stringify(config),
          input.minSeverity,
          rules,
          environments,
          input.enabled,
          options.now.toISOString(),
          actorRef(options.actor),
        ],
      );
      await appendLedgerEntriesSql(sql, [
        {
          kind: "notifications.channel.created",
          actor: actorRef(options.actor),
          subject: `notification-channel:${id}`,
          payload: {
            name: input.name,
            kind: input.kind,
            url: redactChannelUrl(input.kind, url),
            ...(to ? { to } : {}),
            minSeverity: input.minSeverity,
            rules,
            environments,
            enabled: input.enabled,
          },
          now: options.now,
        },
      ]);
      return { ...toChannelItem(await getChannelRowOrThrow(sql, id)), secret };
    });
  } catch (error) {
    if (isNameTaken(error)) throw nameTakenError(input.name);
    throw error;
  }
}

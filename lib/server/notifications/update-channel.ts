import "server-only";
import { AppError, type FieldProblem } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { withTransaction } from "@/lib/db/sql";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { redactChannelUrl } from "@/lib/domain/notifications";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { generateWebhookSecret, getChannelRowOrThrow, isNameTaken, nameTakenError, toChannelItem } from "./channel-row";
import { channelUrlProblem } from "./network-guard";
import { type ChannelCreated, type TUpdateChannel, ZUpdateChannel } from "./schemas";

/** Changes a channel's name, address, routing or enabled flag, or rotates a webhook's secret (returned once). */
export async function updateChannel(options: { actor: Actor; id: string; input: TUpdateChannel; now: Date }): Promise<ChannelCreated> {
  const input = ZUpdateChannel.parse(options.input);
  try {
    return await withTransaction(async (sql) => {
      const before = await getChannelRowOrThrow(sql, options.id, { lock: true });
      const problems: FieldProblem[] = [];
      if (input.url !== undefined && before.kind === "email")
        problems.push({ path: "$.url", message: "an email channel has recipients, not a URL" });
      const urlProblem = input.url !== undefined && before.kind !== "email" ? channelUrlProblem(input.url) : null;
      if (urlProblem) problems.push(urlProblem);
      if (input.to !== undefined && before.kind !== "email")
        problems.push({ path: "$.to", message: `a ${before.kind} channel has a URL, not recipients` });
      if (input.rotateSecret && before.kind !== "webhook")
        problems.push({ path: "$.rotateSecret", message: "only webhook channels have a secret" });
      if (problems.length) throw new AppError("unprocessable", "The request body has invalid fields", { errors: problems });
      if (input.name !== undefined && input.name !== before.name) {
        const [taken] = await sql.query(`SELECT 1 FROM notification_channels WHERE name = $1 AND id <> $2::uuid`, [input.name, before.id]);
        if (taken) throw nameTakenError(input.name);
      }
      const secret = input.rotateSecret ? generateWebhookSecret() : null;
      const to = input.to ? [...new Set(input.to)] : null;
      await sql.query(
        `UPDATE notification_channels
            SET name = COALESCE($2, name), url = COALESCE($3, url), secret = COALESCE($4, secret),
                config = CASE WHEN $5::jsonb IS NULL THEN config ELSE $5::jsonb END,
                min_severity = COALESCE($6, min_severity), rules = COALESCE($7::text[], rules),
                environments = COALESCE($8::text[], environments), enabled = COALESCE($9::boolean, enabled), updated_at = $10::timestamptz
          WHERE id = $1::uuid`,
        [
          before.id,
          input.name ?? null,
          input.url ?? null,
          secret,
          to ? JSON.stringify({ to }) : null,
          input.minSeverity ?? null,
          input.rules ? [...new Set(input.rules)] : null,
          input.environments ? [...new Set(input.environments)] : null,
          input.enabled ?? null,
          options.now.toISOString(),
        ],
      );
      const changes: Record<string, JsonValue> = {};
      if (input.name !== undefined) changes.name = input.name;
      if (input.url !== undefined) changes.url = redactChannelUrl(before.kind, input.url);
      if (to) changes.to = to;
      if (input.minSeverity !== undefined) changes.minSeverity = input.minSeverity;
      if (input.rules !== undefined) changes.rules = [...new Set(input.rules)];
      if (input.environments !== undefined) changes.environments = [...new Set(input.environments)];
      if (input.enabled !== undefined) changes.enabled = input.enabled;
      if (secret) changes.secretRotated = true;
      await appendLedgerEntriesSql(sql, [
        {
          kind: "notifications.channel.updated",
          actor: actorRef(options.actor),
          subject: `notification-channel:${before.id}`,
          payload: { name: before.name, changes },
          now: options.now,
        },
      ]);
      return { ...toChannelItem(await getChannelRowOrThrow(sql, before.id)), secret };
    });
  } catch (error) {
    if (isNameTaken(error)) throw nameTakenError(input.name ?? "");
    throw error;
  }
}

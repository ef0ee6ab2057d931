import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { withTransaction } from "@/lib/db/sql";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { getChannelRowOrThrow } from "./channel-row";

/** Deletes a channel that never delivered anything; one with a delivery log is kept (disable it instead). */
export async function deleteChannel(options: {
  actor: Actor;
  id: string;
  now: Date;
}): Promise<{ id: string; name: string; deleted: true }> {
  return withTransaction(async (sql) => {
    const row = await getChannelRowOrThrow(sql, options.id, { lock: true });
    if (row.deliveries > 0) {
      throw new AppError(
        "conflict",
        `“${row.name}” has ${row.deliveries} deliveries in alert logs, which are kept: disable the channel instead of deleting it`,
      );
    }
    await sql.query(`DELETE FROM notification_channels WHERE id = $1::uuid`, [row.id]);
    await appendLedgerEntriesSql(sql, [
      {
        kind: "notifications.channel.deleted",
        actor: actorRef(options.actor),
        subject: `notification-channel:${row.id}`,
        payload: { name: row.name, kind: row.kind },
        now: options.now,
      },
    ]);
    return { id: row.id, name: row.name, deleted: true as const };
  });
}

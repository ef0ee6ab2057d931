import "server-only";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { CHANNEL_SELECT, type ChannelRow, toChannelItem } from "./channel-row";
import type { ChannelListItem } from "./schemas";

/** Every notification channel with its routing and its last delivery, by name (secrets never included). */
export async function listChannels(): Promise<ChannelListItem[]> {
  const rows = await poolSql().query<ChannelRow>(`${CHANNEL_SELECT} ORDER BY c.name`);
  return rows.map(toChannelItem);
}

import "server-only";
import { sampleAlertNotice } from "@/lib/domain/notifications";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { getChannelRowOrThrow } from "./channel-row";
import type { TestResult } from "./schemas";
import { publicBaseUrl, sendToChannel } from "./send-notification";

/** Sends a test notification (type dev.vitrine.notification.test) now and answers what the receiver said. Nothing is recorded. */
export async function testChannel(options: { id: string; now: Date }): Promise<TestResult> {
  const row = await getChannelRowOrThrow(poolSql(), options.id);
  const result = await sendToChannel(
    { id: row.id, name: row.name, kind: row.kind, url: row.url, secret: row.secret, config: row.config },
    {
      alert: sampleAlertNotice({ baseUrl: publicBaseUrl(), now: options.now }),
      stateKey: "open:1",
      deliveryId: uuidv7(),
      now: options.now,
      test: true,
    },
  );
  return { ok: result.ok, statusCode: result.statusCode, error: result.error, ms: result.ms };
}

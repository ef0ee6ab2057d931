// GET /api/v1/notifications/channels - notification channels (secrets never shown); POST - create one (a webhook's secret is in this answer only)
import { withApi } from "@/lib/api/with-api";
import { createChannel } from "@/lib/server/notifications/create-channel";
import { listChannels } from "@/lib/server/notifications/list-channels";
import { ZCreateChannel } from "@/lib/server/notifications/schemas";

export const dynamic = "force-dynamic";

// Configured in Settings by admin and security in person (like API tokens): no token reads or writes channels.
export const GET = withApi({ auth: { permission: "settings:read", allow: ["session"] } }, async () => ({
  items: await listChannels(),
  nextCursor: null,
}));

export const POST = withApi(
  { auth: { permission: "trust:manage", allow: ["session"] }, body: ZCreateChannel, maxBodyBytes: 64 * 1024 },
  async ({ actor, body, now }) => Response.json(await createChannel({ actor: actor!, input: body, now }), { status: 201 }),
);

// PATCH /api/v1/notifications/channels/{id} - rename, re-route, enable/disable, rotate a webhook secret; DELETE - remove one that never delivered
import { withApi } from "@/lib/api/with-api";
import { deleteChannel } from "@/lib/server/notifications/delete-channel";
import { ZUpdateChannel } from "@/lib/server/notifications/schemas";
import { updateChannel } from "@/lib/server/notifications/update-channel";

export const dynamic = "force-dynamic";

export const PATCH = withApi(
  { auth: { permission: "trust:manage", allow: ["session"] }, body: ZUpdateChannel, maxBodyBytes: 64 * 1024 },
  ({ actor, body, params, now }) => updateChannel({ actor: actor!, id: params.id ?? "", input: body, now }),
);

export const DELETE = withApi({ auth: { permission: "trust:manage", allow: ["session"] } }, ({ actor, params, now }) =>
  deleteChannel({ actor: actor!, id: params.id ?? "", now }),
);

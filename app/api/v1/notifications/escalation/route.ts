// GET, PUT /api/v1/notifications/escalation - minutes per severity before an unacknowledged alert is notified again
import { withApi } from "@/lib/api/with-api";
import { getEscalationSettings, putEscalationSettings } from "@/lib/server/notifications/escalation-settings";
import { ZEscalationTimes } from "@/lib/server/notifications/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "settings:read", allow: ["session"] } }, () => getEscalationSettings());

export const PUT = withApi(
  { auth: { permission: "trust:manage", allow: ["session"] }, body: ZEscalationTimes, maxBodyBytes: 16 * 1024 },
  ({ actor, body, now }) => putEscalationSettings({ actor: actor!, times: body, now }),
);

// POST /api/v1/notifications/channels/{id}/test - send a test notification now and answer the receiver's status code
import { withApi } from "@/lib/api/with-api";
import { testChannel } from "@/lib/server/notifications/test-channel";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "trust:manage", allow: ["session"] } }, ({ params, now }) =>
  testChannel({ id: params.id ?? "", now }),
);

// GET /api/v1/alerts/{id}/deliveries - the alert's notification log: channel, alert state, status and every attempt
import { withApi } from "@/lib/api/with-api";
import { listDeliveries } from "@/lib/server/notifications/list-deliveries";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, ({ params }) => listDeliveries({ alertId: params.id ?? "" }));

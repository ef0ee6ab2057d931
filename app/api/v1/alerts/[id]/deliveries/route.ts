// GET /api/v1/alerts/{id}/deliveries - the alert's notification log: channel, alert state, status, every attempt, next retry; keyset pages
import { alertIdParam } from "@/lib/api/alert-params";
import { withApi } from "@/lib/api/with-api";
import { listDeliveries, ZListDeliveriesQuery } from "@/lib/server/notifications/list-deliveries";

export const dynamic = "force-dynamic";

// The same readers as GET /api/v1/alerts/{id}.
export const GET = withApi({ auth: { permission: "read" }, query: ZListDeliveriesQuery }, ({ params, query }) =>
  listDeliveries({ alertId: alertIdParam(params), cursor: query.cursor, limit: query.limit }),
);

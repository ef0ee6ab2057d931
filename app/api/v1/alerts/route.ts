// GET /api/v1/alerts - the alert queue: filters (status, severity, rule, environment, assignee, time, q), a page and its counts
import { withApi } from "@/lib/api/with-api";
import { listAlerts, ZListAlertsQuery } from "@/lib/server/alerts/list-alerts";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" }, query: ZListAlertsQuery }, async ({ query, actor }) =>
  listAlerts({ query, actor }),
);

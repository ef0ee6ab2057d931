// POST /api/v1/reports/schedules/{id}/run - send the scheduled report now (queued: export, then delivery)
import { withApi } from "@/lib/api/with-api";
import { runReportScheduleNow } from "@/lib/server/reports/report-schedules";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "reports:export", allow: ["session"] } }, async ({ actor, params, now }) =>
  Response.json(await runReportScheduleNow({ actor: actor!, id: params.id ?? "", now }), { status: 202 }),
);

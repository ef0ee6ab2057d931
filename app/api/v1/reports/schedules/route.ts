// GET /api/v1/reports/schedules - scheduled reports and the channels they may use; POST - schedule one
import { withApi } from "@/lib/api/with-api";
import { createReportSchedule, listReportSchedules } from "@/lib/server/reports/report-schedules";
import { ZCreateSchedule } from "@/lib/server/reports/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "reports:export" } }, () => listReportSchedules());

export const POST = withApi(
  { auth: { permission: "reports:export", allow: ["session"] }, body: ZCreateSchedule, maxBodyBytes: 16 * 1024 },
  async ({ actor, body, now }) => Response.json(await createReportSchedule({ actor: actor!, input: body, now }), { status: 201 }),
);

// PATCH /api/v1/reports/schedules/{id} - pause, resume or change the channel; DELETE - remove the schedule (its exports stay)
import { withApi } from "@/lib/api/with-api";
import { deleteReportSchedule, updateReportSchedule } from "@/lib/server/reports/report-schedules";
import { ZUpdateSchedule } from "@/lib/server/reports/schemas";

export const dynamic = "force-dynamic";

export const PATCH = withApi(
  { auth: { permission: "reports:export", allow: ["session"] }, body: ZUpdateSchedule, maxBodyBytes: 16 * 1024 },
  ({ actor, body, params, now }) => updateReportSchedule({ actor: actor!, id: params.id ?? "", input: body, now }),
);

export const DELETE = withApi({ auth: { permission: "reports:export", allow: ["session"] } }, ({ actor, params, now }) =>
  deleteReportSchedule({ actor: actor!, id: params.id ?? "", now }),
);

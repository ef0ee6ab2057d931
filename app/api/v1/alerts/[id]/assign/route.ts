// POST /api/v1/alerts/{id}/assign - assign to an active user ({ "assigneeId": id | null, "note"? })
import { alertIdParam } from "@/lib/api/alert-params";
import { withApi } from "@/lib/api/with-api";
import { triageAlert, ZAssignAlert } from "@/lib/server/alerts/triage-alert";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "alerts:triage" }, body: ZAssignAlert }, async ({ body, actor, params, now }) =>
  triageAlert({ actor: actor!, id: alertIdParam(params), action: "assign", input: body, now }),
);

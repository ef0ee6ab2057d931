// POST /api/v1/alerts/{id}/suppress - silence the alert until a time at most 90 days away ({ "justification", "until" })
import { alertIdParam } from "@/lib/api/alert-params";
import { withApi } from "@/lib/api/with-api";
import { triageAlert, ZSuppressAlert } from "@/lib/server/alerts/triage-alert";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "alerts:triage" }, body: ZSuppressAlert }, async ({ body, actor, params, now }) =>
  triageAlert({ actor: actor!, id: alertIdParam(params), action: "suppress", input: body, now }),
);

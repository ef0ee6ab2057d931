// POST /api/v1/alerts/{id}/comment - add a note to the timeline ({ "note" })
import { alertIdParam } from "@/lib/api/alert-params";
import { withApi } from "@/lib/api/with-api";
import { triageAlert, ZCommentAlert } from "@/lib/server/alerts/triage-alert";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "alerts:triage" }, body: ZCommentAlert }, async ({ body, actor, params, now }) =>
  triageAlert({ actor: actor!, id: alertIdParam(params), action: "comment", input: body, now }),
);

// POST /api/v1/alerts/{id}/resolve - close the alert with a note ({ "note" }); it reopens if its condition returns
import { alertIdParam } from "@/lib/api/alert-params";
import { withApi } from "@/lib/api/with-api";
import { triageAlert, ZResolveAlert } from "@/lib/server/alerts/triage-alert";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "alerts:triage" }, body: ZResolveAlert }, async ({ body, actor, params, now }) =>
  triageAlert({ actor: actor!, id: alertIdParam(params), action: "resolve", input: body, now }),
);

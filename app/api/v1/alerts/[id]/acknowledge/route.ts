// POST /api/v1/alerts/{id}/acknowledge - someone is on it; the body ({ "note" }) is optional
import { alertIdParam, optionalJsonBody } from "@/lib/api/alert-params";
import { withApi } from "@/lib/api/with-api";
import { triageAlert } from "@/lib/server/alerts/triage-alert";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "alerts:triage" }, rawBody: true }, async ({ req, rawBody, actor, params, now }) =>
  triageAlert({ actor: actor!, id: alertIdParam(params), action: "acknowledge", input: optionalJsonBody(req, rawBody), now }),
);

// GET /api/v1/alerts/{id} - one alert with its evidence, subject link and timeline
import { alertIdParam } from "@/lib/api/alert-params";
import { AppError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/with-api";
import { actorCan } from "@/lib/auth/actor";
import { getAlert } from "@/lib/server/alerts/get-alert";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async ({ params, actor }) => {
  const id = alertIdParam(params);
  const alert = await getAlert({ id, canReadLedger: actorCan(actor!, "ledger:read") });
  if (!alert) throw new AppError("not_found", `No alert with id ${id}`);
  return alert;
});

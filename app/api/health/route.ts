// GET /api/health - liveness with a database check (public: load balancers call it)
import { withApi } from "@/lib/api/with-api";
import { checkHealth } from "@/lib/server/health/check-health";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: "public" }, async () => {
  const health = await checkHealth();
  return Response.json({ status: health.ok ? "ok" : "degraded", ...health }, { status: health.ok ? 200 : 503 });
});

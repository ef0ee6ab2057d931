// GET /api/v1/compliance - an environment's compliance over a window: the six counts, policy failures, violations, exceptions, trend
import { withApi } from "@/lib/api/with-api";
import { getCompliance } from "@/lib/server/compliance/get-compliance";
import { complianceWindowOrThrow, ZComplianceQuery } from "@/lib/server/compliance/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" }, query: ZComplianceQuery }, async ({ query, now }) =>
  getCompliance({ environment: query.environment, window: complianceWindowOrThrow(query, now), now }),
);

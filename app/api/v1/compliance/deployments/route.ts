// GET /api/v1/compliance/deployments - the deployments behind one number of the compliance view, a page at a time
import { withApi } from "@/lib/api/with-api";
import { listComplianceDeployments } from "@/lib/server/compliance/list-compliance-deployments";
import { complianceWindowOrThrow, ZComplianceDeploymentsQuery } from "@/lib/server/compliance/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" }, query: ZComplianceDeploymentsQuery }, async ({ query, now }) =>
  listComplianceDeployments({
    environment: query.environment,
    window: complianceWindowOrThrow(query, now),
    measure: query.measure,
    value: query.value,
    requirement: query.requirement,
    cursor: query.cursor,
    limit: query.limit,
  }),
);

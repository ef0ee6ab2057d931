// GET /api/v1/lineage/{digest}?depth= - an artefact's lineage graph, from source commits to deployments
import { withApi } from "@/lib/api/with-api";
import { getLineage, ZLineageQuery } from "@/lib/server/lineage/get-lineage";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" }, query: ZLineageQuery }, async ({ params, query, now }) =>
  getLineage({ digest: params.digest ?? "", depth: query.depth, now }),
);

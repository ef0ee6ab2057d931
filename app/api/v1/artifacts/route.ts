// GET /api/v1/artifacts - page of artefacts; q matches digest prefix, name or tag
import { withApi } from "@/lib/api/with-api";
import { listArtifacts, ZListArtifactsQuery } from "@/lib/server/artifacts/list-artifacts";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" }, query: ZListArtifactsQuery }, async ({ query }) => listArtifacts(query));

// GET /api/v1/blast-radius?key=|identity=|commit=|builder= - what depends on a key, identity, commit or builder (JSON or CSV)
import { withApi } from "@/lib/api/with-api";
import { exportBlastRadiusCsv, getBlastRadius, ZBlastRadiusQuery } from "@/lib/server/lineage/blast-radius";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" }, query: ZBlastRadiusQuery }, async ({ query }) => {
  if (query.format !== "csv") return getBlastRadius({ query });
  const { filename, stream } = await exportBlastRadiusCsv({ query });
  return new Response(stream, {
    status: 200,
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"` },
  });
});

// GET /api/v1/reports/exports - the report history, newest first; POST - queue an export (the Reports page polls its progress)
import { withApi } from "@/lib/api/with-api";
import { createReportExport, listReportExports } from "@/lib/server/reports/report-exports";
import { ZListReportsQuery, ZReportRequest } from "@/lib/server/reports/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "reports:export" }, query: ZListReportsQuery }, ({ query }) =>
  listReportExports({ cursor: query.cursor, limit: query.limit }),
);

export const POST = withApi(
  { auth: { permission: "reports:export" }, body: ZReportRequest, maxBodyBytes: 16 * 1024 },
  async ({ actor, body, now }) =>
    Response.json(await createReportExport({ actor: actor!, input: body, now, queue: true }), { status: 202 }),
);

// GET /api/v1/reports/exports/{id}/download - the exported file, with its Vitrine-Signature header
import { withApi } from "@/lib/api/with-api";
import { getReportExportOrThrow } from "@/lib/server/reports/report-exports";
import { reportDownloadResponse } from "@/lib/server/reports/report-response";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "reports:export" } }, async ({ params }) =>
  reportDownloadResponse(await getReportExportOrThrow(params.id ?? "")),
);

// GET /api/v1/reports/exports/{id}/signature - the detached .sig: the Vitrine-Signature value, one line
import { withApi } from "@/lib/api/with-api";
import { getReportExportOrThrow } from "@/lib/server/reports/report-exports";
import { reportSignatureResponse } from "@/lib/server/reports/report-response";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "reports:export" } }, async ({ params }) =>
  reportSignatureResponse(await getReportExportOrThrow(params.id ?? "")),
);

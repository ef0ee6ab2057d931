// GET /api/v1/reports/exports/{id} - one export: status, progress (rows done of total), hash, signature
import { withApi } from "@/lib/api/with-api";
import { getReportExportOrThrow } from "@/lib/server/reports/report-exports";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "reports:export" } }, ({ params }) => getReportExportOrThrow(params.id ?? ""));

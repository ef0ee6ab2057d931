// GET /api/v1/reports/compliance?environment=&from=&to=&format=csv|json|pdf - a signed compliance report, produced now
import { withApi } from "@/lib/api/with-api";
import { exportReportNow } from "@/lib/server/reports/export-report-now";
import { reportDownloadResponse } from "@/lib/server/reports/report-response";
import { ZReportRequest } from "@/lib/server/reports/schemas";

export const dynamic = "force-dynamic";
// A large export takes seconds: the bytes are stored while they are produced, then streamed from the store.
export const maxDuration = 300;

export const GET = withApi({ auth: { permission: "reports:export" }, query: ZReportRequest }, async ({ actor, query, now }) =>
  reportDownloadResponse(await exportReportNow({ actor: actor!, input: query, now })),
);

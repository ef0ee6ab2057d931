import "server-only";
import type { Actor } from "@/lib/auth/actor";
import { generateReport } from "./generate-report";
import { createReportExport, getReportExportOrThrow, type ReportExportView } from "./report-exports";
import type { TReportRequest } from "./schemas";

/** GET /api/v1/reports/compliance: records the export and produces it within the request. */
export async function exportReportNow(options: { actor: Actor; input: TReportRequest; now: Date }): Promise<ReportExportView> {
  const created = await createReportExport({ ...options, queue: false });
  await generateReport({ id: created.id, now: options.now });
  return getReportExportOrThrow(created.id);
}

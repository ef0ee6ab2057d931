import "server-only";
import type { Sql } from "@/lib/db/sql";
import type { Job } from "@/lib/server/jobs/queue";
import { deliverReport } from "./deliver-report";
import { generateReport } from "./generate-report";
import { runDueReportSchedules } from "./report-schedules";

// Job handlers (lib/server/jobs/worker.ts): reports.export generates one export (and delivers a
// scheduled one); reports.scheduled queues the schedules that are due.

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

export async function handleReportExportJob(_sql: Sql, job: Job, now: Date) {
  const reportId = str(job.payload.reportId);
  if (!reportId) throw new Error("reports.export needs a reportId");
  // On a retry a finished export is not generated again: only its delivery is retried.
  const report = await generateReport({ id: reportId, now });
  const channelId = str(job.payload.deliverTo);
  if (!channelId) return { reportId, rows: report.rows, bytes: report.size };
  const delivery = await deliverReport({ reportId, channelId, scheduleId: str(job.payload.scheduleId), now: new Date() });
  return { reportId, rows: report.rows, bytes: report.size, delivered: delivery.statusCode ?? true };
}

export function handleScheduledReportsJob(sql: Sql, _job: Job, now: Date) {
  return runDueReportSchedules(sql, { now });
}

// React Query keys and helpers of the Reports page (one key factory for the feature).
import type { ReportExportView } from "@/lib/server/reports/report-exports";

export const reportKeys = {
  all: ["reports"] as const,
  history: () => [...reportKeys.all, "history"] as const,
  export: (id: string) => [...reportKeys.all, "export", id] as const,
  schedules: () => [...reportKeys.all, "schedules"] as const,
};

export type ReportHistoryPage = { items: ReportExportView[]; nextCursor: string | null };

export const isUnfinished = (r: Pick<ReportExportView, "status">) => r.status === "pending" || r.status === "running";

export function formatBytes(n: number | null): string {
  if (n === null) return "-";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** rows done of total as a percentage (null while the total is not known). */
export function progressPercent(r: Pick<ReportExportView, "rowsDone" | "rowsTotal" | "status">): number | null {
  if (r.status === "done") return 100;
  if (r.rowsTotal === null) return null;
  if (r.rowsTotal === 0) return 99;
  return Math.min(99, Math.floor((r.rowsDone / r.rowsTotal) * 100));
}

export const day = (iso: string) => iso.slice(0, 10);

/** A period [from, to) as people read it: the last day shown is the day before `to` when `to` is midnight. */
export function periodText(from: string, to: string): string {
  const end = to.endsWith("T00:00:00.000Z") ? new Date(new Date(to).getTime() - 86_400_000).toISOString() : to;
  return `${day(from)} to ${day(end)}`;
}

import type { ReportExportView } from "@/lib/server/reports/report-exports";
import { progressPercent } from "./report-keys";
import styles from "./reports.module.css";

/** A progress bar with "rows done of total" (indeterminate until the total is known). */
export function ExportProgress({ report, compact = false }: { report: ReportExportView; compact?: boolean }) {
  const percent = progressPercent(report);
  const label =
    report.rowsTotal === null
      ? "Preparing…"
      : `${report.rowsDone.toLocaleString("en")} of ${report.rowsTotal.toLocaleString("en")} deployments${percent !== null ? ` (${percent}%)` : ""}`;
  return (
    <div className={styles.progress}>
      <div
        className={`${styles.bar}${compact ? ` ${styles.mini}` : ""}`}
        role="progressbar"
        aria-label="Export progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={label}
      >
        <div
          className={percent === null ? `${styles.barFill} ${styles.barIndeterminate}` : styles.barFill}
          style={percent === null ? undefined : { width: `${percent}%` }}
        />
      </div>
      <span className="muted small">{label}</span>
    </div>
  );
}

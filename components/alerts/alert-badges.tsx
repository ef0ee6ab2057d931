// Severity and status as badges whose text says it; colour and the glyph are second cues, never the only one.
import styles from "./alerts.module.css";

const SEVERITY_CLASS: Record<string, string | undefined> = {
  critical: styles.sevCritical,
  high: styles.sevHigh,
  medium: styles.sevMedium,
  low: styles.sevLow,
};

const STATUS_CLASS: Record<string, string | undefined> = {
  open: styles.stOpen,
  acknowledged: styles.stAcknowledged,
  suppressed: styles.stSuppressed,
  resolved: styles.stResolved,
};

const STATUS_GLYPH: Record<string, string> = { open: "●", acknowledged: "◐", suppressed: "◌", resolved: "✓" };

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span className={`${styles.badge} ${SEVERITY_CLASS[severity] ?? ""}`} data-severity={severity}>
      <span className={styles.srOnly}>Severity: </span>
      {severity}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`${styles.badge} ${styles.statusBadge} ${STATUS_CLASS[status] ?? ""}`} data-status={status}>
      <span aria-hidden="true">{STATUS_GLYPH[status] ?? "○"}</span>
      <span className={styles.srOnly}>Status: </span>
      {status}
    </span>
  );
}

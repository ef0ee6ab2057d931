// A status as a badge: a symbol and the status in words, toned by colour as a second cue only.
import type { LineageStatus } from "@/lib/domain/lineage";
import { statusMeta } from "./graph-model";
import styles from "./lineage.module.css";

const TONE_CLASS = { bad: styles.toneBad, warn: styles.toneWarn, ok: styles.toneOk, none: styles.toneNone } as const;

export function StatusBadge({ status, className }: { status: LineageStatus | null; className?: string }) {
  const meta = statusMeta(status);
  return (
    <span className={`${styles.status} ${TONE_CLASS[meta.tone]}${className ? ` ${className}` : ""}`} data-status={status ?? "none"}>
      <span aria-hidden="true" className={styles.statusSymbol}>
        {meta.symbol}
      </span>
      {meta.label}
    </span>
  );
}

export function toneClass(status: LineageStatus | null): string {
  return TONE_CLASS[statusMeta(status).tone] ?? "";
}

import { VerdictBadge } from "@/components/ui/verdict-badge";
import styles from "./nouns.module.css";

/** Signature verdicts of an artefact as counted badges ("2 × verified"); none at all says so. */
export function VerdictSummary({ verdicts }: { verdicts: Array<{ verdict: string | null; count: number }> }) {
  if (verdicts.length === 0) return <span className="badge badge-warn">no signature</span>;
  return (
    <span className={styles.badges}>
      {verdicts.map((v) => (
        <span key={v.verdict ?? "pending"} className="nowrap">
          {v.count > 1 ? <span className="small">{v.count} × </span> : null}
          <VerdictBadge verdict={v.verdict} />
        </span>
      ))}
    </span>
  );
}

import Link from "next/link";
import { environmentHref } from "./hrefs";
import styles from "./nouns.module.css";

type Running = { environment: string; workload: string; namespace: string | null; cluster: string | null };

/** Where an artefact runs now: environment (linked) / workload, with cluster and namespace. */
export function RunningIn({ deployments, total }: { deployments: Running[]; total?: number }) {
  if (deployments.length === 0) return <span className="muted">not running</span>;
  const more = (total ?? deployments.length) - deployments.length;
  return (
    <ul className={styles.plain}>
      {deployments.map((d) => (
        <li key={`${d.environment}-${d.cluster}-${d.namespace}-${d.workload}`} className="wrap-anywhere">
          <Link href={environmentHref(d.environment)}>{d.environment}</Link> · {d.workload}
          {d.namespace || d.cluster ? <span className="muted small"> ({[d.cluster, d.namespace].filter(Boolean).join(" / ")})</span> : null}
        </li>
      ))}
      {more > 0 ? <li className="muted small">and {more} more</li> : null}
    </ul>
  );
}

// What the graph's badges, shapes and lines mean. Every status is a word and a symbol, never a colour alone.
import { LINEAGE_NODE_KINDS, LINEAGE_STATUSES } from "@/lib/domain/lineage";
import { KIND_META, STATUS_META } from "./graph-model";
import { KindIcon } from "./kind-icon";
import styles from "./lineage.module.css";
import { StatusBadge } from "./status-badge";

export function LineageLegend() {
  return (
    <section className={`card ${styles.legend}`} aria-labelledby="lineage-legend-title" data-testid="lineage-legend">
      <h2 id="lineage-legend-title">Legend</h2>
      <div className={styles.legendGrid}>
        <div>
          <h3>Status</h3>
          <ul className={styles.legendList}>
            {LINEAGE_STATUSES.map((s) => (
              <li key={s}>
                <StatusBadge status={s} />
                <span>{STATUS_META[s].meaning}</span>
              </li>
            ))}
            <li>
              <StatusBadge status={null} />
              <span>Nothing to judge, or not evaluated yet</span>
            </li>
          </ul>
        </div>
        <div>
          <h3>Kinds</h3>
          <ul className={styles.legendList}>
            {LINEAGE_NODE_KINDS.map((k) => (
              <li key={k}>
                <KindIcon kind={k} />
                <span>
                  <strong>{KIND_META[k].label}</strong>: {KIND_META[k].description}
                </span>
              </li>
            ))}
          </ul>
          <h3 style={{ marginTop: "1rem" }}>Lines</h3>
          <ul className={styles.legendList}>
            <li>
              <span className={`${styles.swatch} ${styles.swatchPath}`} aria-hidden="true" />
              <span>
                <strong>Thick blue</strong>: the path from this artefact to a deployment
              </span>
            </li>
            <li>
              <span className={`${styles.swatch} ${styles.swatchFlow}`} aria-hidden="true" />
              <span>
                <strong>Solid grey</strong>: built from, produced, platform image of an index, tagged, deployed
              </span>
            </li>
            <li>
              <span className={`${styles.swatch} ${styles.swatchLeaf}`} aria-hidden="true" />
              <span>
                <strong>Dashed</strong>: evidence (signatures, attestations and their signers)
              </span>
            </li>
          </ul>
        </div>
      </div>
      <p className="muted small" style={{ marginTop: "0.75rem", marginBottom: 0 }}>
        Sources and builds are on the left, this artefact (outlined in blue) in the middle, tags, deployments and evidence on the right. A
        coloured bar on each node repeats its status.
      </p>
    </section>
  );
}

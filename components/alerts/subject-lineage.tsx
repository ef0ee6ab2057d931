// A small lineage of an alert's artefact, drawn on the server as three columns (where it came
// from, the artefact and its signatures, where it is tagged and running), with a link to the full
// interactive graph. Plain HTML: readable by screen readers, printable, and no layout in the browser.
import Link from "next/link";
import type { LineageGraph, LineageNode, LineageStatus } from "@/lib/domain/lineage";
import styles from "./alerts.module.css";

const BAD = new Set<LineageStatus>(["invalid", "subject-mismatch", "revoked", "expired", "fail"]);
const WARN = new Set<LineageStatus>(["untrusted", "unverifiable", "unsigned", "moved"]);
const MAX_PER_COLUMN = 4;

function toneOf(status: LineageStatus | null): string {
  if (!status) return "";
  if (BAD.has(status)) return styles.stripBad ?? "";
  if (WARN.has(status)) return styles.stripWarn ?? "";
  return styles.stripOk ?? "";
}

const KIND_WORD: Record<string, string> = {
  source: "commit",
  build: "build",
  artifact: "artefact",
  tag: "tag",
  deployment: "deployment",
};

function nodeHref(n: LineageNode): string | null {
  if (n.kind === "artifact" && n.digest) return `/artifacts/${encodeURIComponent(n.digest)}`;
  if (n.kind === "tag" && n.reference) return `/tags/${encodeURI(n.reference)}`;
  if (n.kind === "deployment" && n.environment) return `/environments/${encodeURIComponent(n.environment)}`;
  return null;
}

function detailOf(n: LineageNode): string {
  if (n.kind === "deployment")
    return `${n.environment ?? "?"}${n.namespace ? ` / ${n.namespace}` : ""}${n.endedAt ? " · ended" : " · running"}`;
  if (n.kind === "build") return n.outcome ?? "build";
  if (n.kind === "source") return n.repository ?? "source";
  return KIND_WORD[n.kind] ?? n.kind;
}

function Node({ node, root = false }: { node: LineageNode; root?: boolean }) {
  const href = nodeHref(node);
  const label = <span className="wrap-anywhere">{node.label}</span>;
  return (
    <li className={`${styles.stripNode} ${root ? styles.stripRoot : ""} ${toneOf(node.status)}`}>
      {href && !root ? <Link href={href}>{label}</Link> : <strong>{label}</strong>}
      <small>
        {detailOf(node)}
        {node.status ? ` · ${node.status}` : ""}
      </small>
    </li>
  );
}

function Column({ title, nodes, more }: { title: string; nodes: LineageNode[]; more: number }) {
  return (
    <div className={styles.stripCol}>
      <h3>{title}</h3>
      {nodes.length ? (
        <ul className={styles.stripCol} style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {nodes.map((n) => (
            <Node key={n.id} node={n} />
          ))}
        </ul>
      ) : (
        <p className="muted small" style={{ margin: 0 }}>
          none recorded
        </p>
      )}
      {more > 0 ? <span className="muted small">and {more} more</span> : null}
    </div>
  );
}

export function SubjectLineage({ graph, digest }: { graph: LineageGraph; digest: string }) {
  const root = graph.nodes.find((n) => n.id === graph.root);
  const up = graph.nodes.filter((n) => n.direction === "upstream" && (n.kind === "source" || n.kind === "build" || n.kind === "artifact"));
  const down = graph.nodes
    .filter((n) => n.direction === "downstream" && (n.kind === "tag" || n.kind === "deployment"))
    // Running deployments and current tags first: that is where the risk is now.
    .sort((a, b) => Number(Boolean(a.endedAt)) - Number(Boolean(b.endedAt)) || a.kind.localeCompare(b.kind));
  const signatures = graph.nodes.filter((n) => n.kind === "signature" && n.direction === "leaf");
  const verified = signatures.filter((s) => s.status === "verified").length;
  return (
    <section className="card" aria-labelledby="lineage-heading" data-testid="alert-lineage">
      <div className={styles.sectionHead}>
        <h2 id="lineage-heading">Lineage of the artefact</h2>
        <Link href={`/lineage?digest=${encodeURIComponent(digest)}`}>Open the full graph</Link>
      </div>
      <div className={styles.strip}>
        <Column title="Built from" nodes={up.slice(0, MAX_PER_COLUMN)} more={up.length - MAX_PER_COLUMN} />
        <div className={styles.stripCol}>
          <h3>Artefact</h3>
          <ul className={styles.stripCol} style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {root ? <Node node={root} root /> : null}
          </ul>
          <span className="muted small">
            {signatures.length === 0
              ? "no signatures"
              : `${signatures.length} signature${signatures.length === 1 ? "" : "s"}, ${verified} verified`}
          </span>
        </div>
        <Column title="Tagged and deployed" nodes={down.slice(0, MAX_PER_COLUMN)} more={down.length - MAX_PER_COLUMN} />
      </div>
    </section>
  );
}

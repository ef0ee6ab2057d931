"use client";

// The side panel: the selected node's details, a link to its page, expansion buttons, and its
// connections (each a button that selects that node, so the graph can be walked by keyboard).
import Link from "next/link";
import type { ReactNode } from "react";
import { Time } from "@/components/ui/time";
import { LINEAGE_STATUSES, type LineageEdge, type LineageNode, type LineageStatus } from "@/lib/domain/lineage";
import { artifactKindLabel, EDGE_WORDS, type ExpandDirection, KIND_META, nodeLink, statusMeta } from "./graph-model";
import { KindIcon } from "./kind-icon";
import styles from "./lineage.module.css";
import { StatusBadge } from "./status-badge";

export type ExpandState = { status: "pending" } | { status: "error"; message: string } | { status: "done"; added: number };

type Props = {
  node: LineageNode;
  isRoot: boolean;
  nodes: ReadonlyMap<string, LineageNode>;
  edges: readonly LineageEdge[];
  depth: number;
  maxDepth: number;
  expand: Partial<Record<ExpandDirection, ExpandState>>;
  onExpand: (node: LineageNode, direction: ExpandDirection) => void;
  onDeeper: () => void;
  onSelect: (id: string) => void;
  onClose: () => void;
};

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Mono({ children }: { children: ReactNode }) {
  return <span className={styles.mono}>{children}</span>;
}

function Facts({ node }: { node: LineageNode }) {
  switch (node.kind) {
    case "artifact":
      return (
        <>
          <Row term="Digest">
            <Mono>{node.digest}</Mono>
          </Row>
          <Row term="Kind">{artifactKindLabel(node.artifactKind)}</Row>
          {node.names?.length ? <Row term="Names">{node.names.join(", ")}</Row> : null}
        </>
      );
    case "build":
      return (
        <>
          <Row term="Run">
            <Mono>{node.invocationId}</Mono>
          </Row>
          <Row term="Builder">{node.builderId}</Row>
          {node.buildType ? <Row term="Build type">{node.buildType}</Row> : null}
          <Row term="Outcome">{node.outcome ?? "unknown"}</Row>
          {node.finishedAt ? (
            <Row term="Finished">
              <Time iso={node.finishedAt} />
            </Row>
          ) : null}
        </>
      );
    case "source":
      return (
        <>
          <Row term="Repository">{node.repository}</Row>
          <Row term="Commit">{node.commit ? <Mono>{node.commit}</Mono> : "unknown"}</Row>
        </>
      );
    case "tag":
      return (
        <>
          <Row term="Reference">{node.reference ?? node.label}</Row>
          <Row term="Points at">{node.currentDigest ? <Mono>{node.currentDigest}</Mono> : "nothing now"}</Row>
          {node.history?.length ? (
            <Row term="History">
              <ol className={styles.history}>
                {node.history.map((h) => (
                  <li key={`${h.digest}-${h.validFrom}`}>
                    <Mono>{h.digest.slice(0, 19)}…</Mono> from <Time iso={h.validFrom} />
                    {h.validTo ? (
                      <>
                        {" "}
                        until <Time iso={h.validTo} />
                      </>
                    ) : (
                      " (current)"
                    )}
                  </li>
                ))}
              </ol>
            </Row>
          ) : null}
        </>
      );
    case "deployment":
      return (
        <>
          <Row term="Environment">{node.environment}</Row>
          {node.cluster ? <Row term="Cluster">{node.cluster}</Row> : null}
          {node.namespace ? <Row term="Namespace">{node.namespace}</Row> : null}
          <Row term="Workload">{node.workload}</Row>
          <Row term="Reference">{node.pinned ? "pinned by digest" : "by tag (not pinned)"}</Row>
          {node.startedAt ? (
            <Row term="Since">
              <Time iso={node.startedAt} />
            </Row>
          ) : null}
          <Row term="Until">{node.endedAt ? <Time iso={node.endedAt} /> : "running now"}</Row>
        </>
      );
    case "signature":
      return (
        <>
          <Row term="Format">{node.format}</Row>
          <Row term="Why">{node.reason ?? "not verified yet"}</Row>
        </>
      );
    case "attestation":
      return (
        <>
          <Row term="Predicate">{node.predicateType}</Row>
          <Row term="Why">{node.reason ?? "not verified yet"}</Row>
        </>
      );
    case "key":
      return (
        <>
          <Row term="Trust">
            {node.trustKind === "keys"
              ? "trusted key"
              : node.trustKind === "identities"
                ? "trusted identity"
                : node.trustKind === "x509-roots"
                  ? "X.509 root"
                  : "not in the trust store"}
          </Row>
          {node.fingerprint ? (
            <Row term="Fingerprint">
              <Mono>{node.fingerprint}</Mono>
            </Row>
          ) : null}
          {node.identity ? <Row term="Identity">{node.identity}</Row> : null}
        </>
      );
  }
}

function ExpandButton(props: { label: string; state?: ExpandState; disabled?: boolean; onClick: () => void }) {
  const pending = props.state?.status === "pending";
  return (
    <button type="button" className="btn btn-small" onClick={props.onClick} disabled={pending || props.disabled} aria-busy={pending}>
      {pending ? "Loading…" : props.label}
    </button>
  );
}

export function LineageDetails(props: Props) {
  const { node, isRoot, nodes, edges } = props;
  const link = nodeLink(node, nodes, edges);
  const meta = statusMeta(node.status);
  const connections = edges
    .filter((e) => e.from === node.id || e.to === node.id)
    .map((e) => {
      const outgoing = e.from === node.id;
      const other = nodes.get(outgoing ? e.to : e.from);
      return other ? { key: `${e.from}>${e.kind}>${e.to}`, words: outgoing ? EDGE_WORDS[e.kind].out : EDGE_WORDS[e.kind].in, other } : null;
    })
    .filter((c): c is NonNullable<typeof c> => c !== null);
  const canExpandArtifact = node.kind === "artifact" && !isRoot && Boolean(node.digest);
  const canGoDeeper = props.depth < props.maxDepth;
  const states = Object.entries(props.expand);
  return (
    <>
      <div className={styles.panelHead}>
        <p className={styles.panelKind}>
          <KindIcon kind={node.kind} /> {KIND_META[node.kind].label}
          {isRoot ? " · this artefact" : ""}
        </p>
        <button type="button" className="btn btn-small" onClick={props.onClose} aria-label="Close the details">
          Close
        </button>
      </div>
      <h2 id="lineage-details-title" className={styles.panelTitle} tabIndex={-1}>
        {node.label}
      </h2>
      <p className={styles.panelStatus}>
        <StatusBadge status={node.status} /> <span className="muted small">{meta.meaning}.</span>
      </p>
      {link ? (
        <p>
          <Link href={link.href} className="btn btn-primary btn-small" data-testid="lineage-node-link">
            {link.text}
          </Link>
        </p>
      ) : (
        <p className="muted small">Vitrine has no page for this {KIND_META[node.kind].label.toLowerCase()}.</p>
      )}
      <dl className={styles.facts}>
        <Facts node={node} />
      </dl>
      <fieldset className={styles.expand}>
        <legend className={styles.srOnly}>Expand the graph</legend>
        {canExpandArtifact ? (
          <>
            <ExpandButton label="Expand upstream" state={props.expand.upstream} onClick={() => props.onExpand(node, "upstream")} />
            <ExpandButton label="Expand downstream" state={props.expand.downstream} onClick={() => props.onExpand(node, "downstream")} />
          </>
        ) : (
          <ExpandButton
            label={canGoDeeper ? `Show one more level (depth ${props.depth + 1})` : `Deepest level shown (${props.maxDepth})`}
            disabled={!canGoDeeper}
            onClick={props.onDeeper}
          />
        )}
      </fieldset>
      <div aria-live="polite" className="small">
        {states.map(([direction, s]) =>
          s?.status === "error" ? (
            <p key={direction} className={styles.expandError} role="alert">
              Could not expand: {s.message}
            </p>
          ) : s?.status === "done" ? (
            <p key={direction} className="muted">
              {s.added === 0 ? "Nothing new on that side." : `${s.added} node${s.added === 1 ? "" : "s"} added.`}
            </p>
          ) : null,
        )}
      </div>
      {connections.length ? (
        <>
          <h3 className={styles.panelSub}>Connections</h3>
          <ul className={styles.connections}>
            {connections.map((c) => (
              <li key={c.key}>
                <span className="muted">{c.words}</span>{" "}
                <button type="button" className={styles.linkButton} onClick={() => props.onSelect(c.other.id)}>
                  {KIND_META[c.other.kind].label.toLowerCase()} {c.other.label}
                </button>{" "}
                <StatusBadge status={c.other.status} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

/** Statuses in the graph that deserve attention (anything not verified, trusted or passing), with counts. */
export function LineageAttention({ nodes }: { nodes: readonly LineageNode[] }) {
  const counts = new Map<LineageStatus, number>();
  for (const n of nodes) if (n.status && statusMeta(n.status).tone !== "ok") counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  const statuses = LINEAGE_STATUSES.filter((s) => counts.has(s));
  if (!statuses.length) return <span>Nothing here is unsigned, untrusted, failing or moved.</span>;
  return (
    <span className={styles.attention} data-testid="lineage-attention">
      Worth a look:
      {statuses.map((s) => (
        <span key={s}>
          <StatusBadge status={s} /> ×{counts.get(s)}
        </span>
      ))}
    </span>
  );
}

"use client";

// One node of the lineage graph. Memoised: React Flow re-renders a node only when its own node
// object changes (selecting one node replaces just that node and the one it replaced).
import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { memo } from "react";
import { shortDigest } from "@/lib/domain/digest";
import type { LineageNode, LineageNodeKind } from "@/lib/domain/lineage";
import { artifactKindLabel, displayLabel, KIND_META, statusMeta } from "./graph-model";
import { KindIcon } from "./kind-icon";
import styles from "./lineage.module.css";
import { StatusBadge, toneClass } from "./status-badge";

export type LineageNodeData = { node: LineageNode; isRoot: boolean; onPath: boolean };
export type LineageFlowNode = Node<LineageNodeData, "lineage">;

/** Leaves (signatures, attestations, signers) are drawn smaller than the chain they hang off. */
export function nodeSize(kind: LineageNodeKind): { width: number; height: number } {
  return kind === "signature" || kind === "attestation" || kind === "key" ? { width: 192, height: 64 } : { width: 214, height: 76 };
}

const KIND_CLASS: Record<LineageNodeKind, string | undefined> = {
  source: styles.kindSource,
  build: styles.kindBuild,
  artifact: styles.kindArtifact,
  tag: styles.kindTag,
  deployment: styles.kindDeployment,
  signature: styles.kindLeaf,
  attestation: styles.kindLeaf,
  key: styles.kindKey,
};

function hostAndPath(uri: string): string {
  return uri.replace(/^[a-z+]+:\/\//i, "");
}

/** The line under a node's label: what kind of thing it is and what tells it apart. */
export function nodeDetail(node: LineageNode): string {
  switch (node.kind) {
    case "artifact":
      return `${artifactKindLabel(node.artifactKind)}${node.digest ? ` · ${shortDigest(node.digest, 8)}` : ""}`;
    case "build":
      return node.builderId ? hostAndPath(node.builderId) : (node.outcome ?? "");
    case "source":
      return node.repository ? hostAndPath(node.repository) : "";
    case "tag":
      return node.currentDigest ? `now ${shortDigest(node.currentDigest, 8)}` : "points nowhere now";
    case "deployment":
      return `${node.namespace ? `${node.namespace}/` : ""}${node.workload ?? ""}${node.pinned === false ? " · by tag" : ""}${node.endedAt ? " · ended" : ""}`;
    case "signature":
      return node.format ?? "";
    case "attestation":
      return node.predicateType ? hostAndPath(node.predicateType) : "";
    case "key":
      return node.trustKind === "keys"
        ? "trusted key"
        : node.trustKind === "identities"
          ? "trusted identity"
          : node.trustKind === "x509-roots"
            ? "X.509 root"
            : "not in the trust store";
  }
}

/** What a screen reader says for a node: its kind, label, status and, for the root, that it is the root. */
export function nodeAriaLabel(node: LineageNode, isRoot: boolean): string {
  return `${KIND_META[node.kind].label}${isRoot ? " (this artefact)" : ""}: ${node.label}. Status: ${statusMeta(node.status).label}.`;
}

function LineageNodeViewImpl({ data, selected }: NodeProps<LineageFlowNode>) {
  const { node, isRoot, onPath } = data;
  const detail = nodeDetail(node);
  return (
    <div
      className={[
        styles.node,
        KIND_CLASS[node.kind],
        toneClass(node.status),
        isRoot ? styles.root : "",
        onPath ? styles.nodeOnPath : "",
        selected ? styles.selected : "",
      ]
        .filter(Boolean)
        .join(" ")}
      data-kind={node.kind}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className={styles.handle} />
      <div className={styles.nodeHead}>
        <KindIcon kind={node.kind} className={styles.kindIcon} />
        <span className={styles.kindName}>{KIND_META[node.kind].label}</span>
        {isRoot ? <span className={styles.rootMark}>this artefact</span> : null}
      </div>
      <div className={styles.nodeLabel} title={node.label}>
        {displayLabel(node)}
      </div>
      <div className={styles.nodeFoot}>
        <StatusBadge status={node.status} />
        {detail ? (
          <span className={styles.nodeDetail} title={detail}>
            {detail}
          </span>
        ) : null}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} className={styles.handle} />
    </div>
  );
}

export const LineageNodeView = memo(LineageNodeViewImpl);

// Pure helpers for the lineage graph view: what each status and kind looks like, where a node's page
// is, merging expansions into the graph, and the edges on a path from the root to a deployment.
import { shortDigest } from "@/lib/domain/digest";
import type { LineageEdge, LineageGraph, LineageNode, LineageNodeKind, LineageStatus } from "@/lib/domain/lineage";

export type StatusTone = "bad" | "warn" | "ok" | "none";

export type StatusMeta = { label: string; tone: StatusTone; symbol: string; meaning: string };

/** Every status in words, with a tone (colour) and a symbol: the text carries the meaning, colour only repeats it. */
export const STATUS_META: Record<LineageStatus, StatusMeta> = {
  invalid: { label: "invalid", tone: "bad", symbol: "✕", meaning: "A signature or attestation fails verification" },
  "subject-mismatch": { label: "subject mismatch", tone: "bad", symbol: "✕", meaning: "Signed, but for another artefact" },
  revoked: { label: "revoked", tone: "bad", symbol: "✕", meaning: "Signed by a key or identity revoked before signing" },
  expired: { label: "expired", tone: "bad", symbol: "✕", meaning: "The signer's validity has ended" },
  fail: { label: "policy fail", tone: "bad", symbol: "✕", meaning: "The deployment breaks its environment's trust policy" },
  untrusted: { label: "untrusted", tone: "warn", symbol: "!", meaning: "Valid, but the signer is not trusted" },
  unverifiable: { label: "unverifiable", tone: "warn", symbol: "?", meaning: "Material is missing to verify it" },
  unsigned: { label: "unsigned", tone: "warn", symbol: "!", meaning: "No signature at all" },
  moved: { label: "tag moved", tone: "warn", symbol: "↔", meaning: "The tag has pointed at more than one digest" },
  pass: { label: "policy pass", tone: "ok", symbol: "✓", meaning: "The deployment meets its environment's trust policy" },
  trusted: { label: "trusted", tone: "ok", symbol: "✓", meaning: "In the trust store and valid now" },
  verified: { label: "verified", tone: "ok", symbol: "✓", meaning: "Verified by Vitrine against a trusted signer" },
};

export const NO_STATUS: StatusMeta = { label: "no verdict", tone: "none", symbol: "–", meaning: "Nothing to judge, or not evaluated yet" };

export function statusMeta(status: LineageStatus | null): StatusMeta {
  return status ? STATUS_META[status] : NO_STATUS;
}

export type KindMeta = { label: string; plural: string; description: string };

export const KIND_META: Record<LineageNodeKind, KindMeta> = {
  source: { label: "Commit", plural: "Commits", description: "A source repository at a commit" },
  build: { label: "Build", plural: "Builds", description: "One pipeline run" },
  artifact: { label: "Artefact", plural: "Artefacts", description: "An image, index, package or file, by digest" },
  tag: { label: "Tag", plural: "Tags", description: "A registry tag that points (or pointed) at an artefact" },
  deployment: { label: "Deployment", plural: "Deployments", description: "An artefact running in an environment" },
  signature: { label: "Signature", plural: "Signatures", description: "A signature over an artefact" },
  attestation: { label: "Attestation", plural: "Attestations", description: "An in-toto statement, e.g. SLSA provenance" },
  key: { label: "Signer", plural: "Signers", description: "A trusted key or identity, or an unknown signer" },
};

const ARTIFACT_KIND_LABEL: Record<string, string> = {
  oci_index: "image index",
  oci_image: "image",
  package: "package",
  file: "file",
  unknown: "artefact",
};

/** "image index" for oci_index, and so on. */
export function artifactKindLabel(kind: string | undefined): string {
  return (kind && ARTIFACT_KIND_LABEL[kind]) || "artefact";
}

const lastSegment = (path: string) => path.replace(/\/+$/, "").split("/").pop() || path;

/** A run id from a CI URL (".../runs/123/attempts/2" -> "run 123 #2"), else the invocation's last path segment. */
function runLabel(invocationId: string): string {
  const m = /\/runs\/([^/]+)(?:\/attempts\/(\d+))?\/?$/.exec(invocationId);
  if (m) return `run ${m[1]}${m[2] ? ` #${m[2]}` : ""}`;
  return /^[a-z+]+:\/\//i.test(invocationId) ? lastSegment(invocationId) : invocationId;
}

/**
 * The short label drawn on a node; the API's full label stays in its tooltip, its accessible name
 * and the details panel. Short labels keep what tells nodes apart (a digest, a run, an environment).
 */
export function displayLabel(node: LineageNode): string {
  switch (node.kind) {
    case "artifact": {
      const name = node.names?.[0];
      return name ? lastSegment(name) : node.digest ? shortDigest(node.digest, 12) : node.label;
    }
    case "build":
      return node.invocationId ? runLabel(node.invocationId) : node.label;
    case "source":
      return node.repository && node.commit ? `${lastSegment(node.repository)} @ ${node.commit.slice(0, 7)}` : node.label;
    case "tag": {
      const reference = node.reference ?? node.label;
      const colon = reference.lastIndexOf(":");
      const slash = reference.lastIndexOf("/");
      return colon > slash ? `${lastSegment(reference.slice(0, colon))}:${reference.slice(colon + 1)}` : lastSegment(reference);
    }
    case "deployment":
      return node.environment ?? node.label;
    case "signature": {
      const [, ...signer] = node.label.split(" · ");
      return signer.length ? `by ${signer.join(" · ")}` : node.label;
    }
    default:
      return node.label;
  }
}

export const edgeId = (e: Pick<LineageEdge, "from" | "to" | "kind">) => `${e.from}>${e.kind}>${e.to}`;

/** The part of a node id after its kind: `build:<uuid>` -> `<uuid>`. */
function rowIdOf(node: LineageNode): string {
  return node.id.slice(node.kind.length + 1);
}

/** The artefact a signature or attestation belongs to (the first artefact with an edge to it). */
export function ownerArtifact(
  node: LineageNode,
  nodes: ReadonlyMap<string, LineageNode>,
  edges: readonly LineageEdge[],
): LineageNode | null {
  for (const e of edges) {
    if (e.to !== node.id) continue;
    const from = nodes.get(e.from);
    if (from?.kind === "artifact") return from;
  }
  return null;
}

export type NodeLink = { href: string; text: string };

/** Where a node's own page is, and how to say it; signatures and attestations open their artefact's page. */
export function nodeLink(node: LineageNode, nodes: ReadonlyMap<string, LineageNode>, edges: readonly LineageEdge[]): NodeLink | null {
  switch (node.kind) {
    case "artifact": {
      const digest = node.digest ?? rowIdOf(node);
      return { href: node.href ?? `/artifacts/${encodeURIComponent(digest)}`, text: "Open the artefact's page" };
    }
    case "build":
      return { href: `/builds/${encodeURIComponent(rowIdOf(node))}`, text: "Open the build's page" };
    case "source":
      return node.commit ? { href: `/commits/${encodeURIComponent(node.commit)}`, text: "Open the commit's page" } : null;
    case "deployment":
      return node.environment
        ? { href: `/environments/${encodeURIComponent(node.environment)}`, text: `Open the ${node.environment} environment` }
        : null;
    case "tag": {
      const reference = node.reference ?? rowIdOf(node);
      return { href: `/tags/${encodeURIComponent(reference)}`, text: "Open the tag's history" };
    }
    case "key":
      if (node.trustKind === "keys" && node.trustId)
        return { href: `/trust/keys/${encodeURIComponent(node.trustId)}`, text: "Open the key's page" };
      if (node.trustKind === "identities" && node.trustId) {
        return { href: `/trust/identities/${encodeURIComponent(node.trustId)}`, text: "Open the identity's page" };
      }
      return null;
    case "signature":
    case "attestation": {
      const owner = ownerArtifact(node, nodes, edges);
      if (!owner) return null;
      return {
        href: owner.href ?? `/artifacts/${encodeURIComponent(owner.digest ?? rowIdOf(owner))}`,
        text: `Open the artefact's page (${node.kind === "signature" ? "signatures" : "attestations"})`,
      };
    }
  }
}

export type ViewGraph = { nodes: LineageNode[]; edges: LineageEdge[]; truncated: boolean };

/** The base graph with expansions merged in: a node or edge already there keeps its first version. */
export function mergeGraphs(base: LineageGraph, expansions: readonly ViewGraph[]): ViewGraph {
  if (!expansions.length) return { nodes: base.nodes, edges: base.edges, truncated: base.truncated };
  const nodes = new Map(base.nodes.map((n) => [n.id, n]));
  const edges = new Map(base.edges.map((e) => [edgeId(e), e]));
  let truncated = base.truncated;
  for (const g of expansions) {
    truncated ||= g.truncated;
    for (const n of g.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const e of g.edges) if (!edges.has(edgeId(e))) edges.set(edgeId(e), e);
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()].filter((e) => nodes.has(e.from) && nodes.has(e.to)), truncated };
}

export type ExpandDirection = "upstream" | "downstream";

const LEAF_EDGES = new Set<string>(["signature", "attestation", "signed-by"]);

/**
 * One direction of another artefact's lineage: its root, the nodes on that side, the leaves
 * (signatures, attestations, signers) of those, and the edges between what is kept.
 */
export function expansionSubgraph(graph: LineageGraph, direction: ExpandDirection): ViewGraph {
  const kept = new Set(graph.nodes.filter((n) => n.direction === "root" || n.direction === direction).map((n) => n.id));
  // Leaves hang off kept artefacts (signature, attestation), then off those leaves (signed-by).
  for (let round = 0; round < 2; round++) {
    for (const e of graph.edges) if (LEAF_EDGES.has(e.kind) && kept.has(e.from)) kept.add(e.to);
  }
  return {
    nodes: graph.nodes.filter((n) => kept.has(n.id)),
    edges: graph.edges.filter((e) => kept.has(e.from) && kept.has(e.to)),
    truncated: graph.truncated,
  };
}

/** Edges that carry an artefact towards where it runs; leaves and provenance links are not part of a path. */
const FLOW_EDGES = new Set<string>(["source", "input", "output", "manifest", "deployed"]);

/**
 * Edge ids on a path from the root to a deployment: edges whose start is reachable from the root
 * and whose end reaches a deployment, along flow edges only.
 */
export function deploymentPathEdges(nodes: readonly LineageNode[], edges: readonly LineageEdge[], rootId: string): Set<string> {
  const flow = edges.filter((e) => FLOW_EDGES.has(e.kind));
  const out = new Map<string, LineageEdge[]>();
  const into = new Map<string, LineageEdge[]>();
  for (const e of flow) {
    out.set(e.from, [...(out.get(e.from) ?? []), e]);
    into.set(e.to, [...(into.get(e.to) ?? []), e]);
  }
  const walk = (starts: string[], next: (id: string) => string[]): Set<string> => {
    const seen = new Set(starts);
    const stack = [...starts];
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      for (const n of next(id)) {
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return seen;
  };
  const fromRoot = walk([rootId], (id) => (out.get(id) ?? []).map((e) => e.to));
  const deployments = nodes.filter((n) => n.kind === "deployment" && fromRoot.has(n.id)).map((n) => n.id);
  const toDeployment = walk(deployments, (id) => (into.get(id) ?? []).map((e) => e.from));
  return new Set(flow.filter((e) => fromRoot.has(e.from) && toDeployment.has(e.to) && toDeployment.has(e.from)).map(edgeId));
}

/** How the view lays edges out: provenance links point back at a build upstream and would tangle the layers. */
export function isLayoutEdge(e: LineageEdge): boolean {
  return e.kind !== "provenance";
}

/** How a connection reads from either end, for the side panel: "<node> <out> <other>" / "<node> <in> <other>". */
export const EDGE_WORDS: Record<LineageEdge["kind"], { out: string; in: string }> = {
  source: { out: "built in", in: "built from" },
  input: { out: "input to", in: "took as input" },
  output: { out: "produced", in: "produced by" },
  manifest: { out: "contains", in: "in index" },
  tagged: { out: "tagged", in: "points at" },
  "was-tagged": { out: "was tagged", in: "pointed at" },
  deployed: { out: "deployed as", in: "runs" },
  signature: { out: "signed by", in: "signs" },
  attestation: { out: "attested by", in: "attests" },
  "signed-by": { out: "signer", in: "signed" },
  provenance: { out: "describes", in: "described by" },
};

// Layered left-to-right layout with ELK (elkjs' browser bundle, loaded on first use so the server
// render and the first paint do not pay for it). Positions depend on the graph only, never on
// the selection, so selecting a node never lays the graph out again.
import type { ELK, ElkNode } from "elkjs/lib/elk-api";

let elk: Promise<ELK> | null = null;

function getElk(): Promise<ELK> {
  elk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return elk;
}

export type LayoutInput = {
  nodes: Array<{ id: string; width: number; height: number }>;
  edges: Array<{ id: string; source: string; target: string }>;
};

// Measured on 500 nodes: model-order and orthogonal routing cost several times more, and the
// edges are drawn by React Flow anyway, so ELK only places nodes (polyline routing is the cheapest).
const LAYOUT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "POLYLINE",
  "elk.layered.thoroughness": "2",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.spacing.nodeNodeBetweenLayers": "52",
  "elk.spacing.nodeNode": "20",
  "elk.spacing.componentComponent": "40",
};

/** Big graphs trade a little crossing minimisation for speed (measured: 600 nodes about four times faster). */
const LARGE_GRAPH = 150;
const LARGE_GRAPH_OPTIONS = {
  "elk.layered.thoroughness": "1",
  "elk.layered.crossingMinimization.greedySwitch.type": "OFF",
};

/** Loads and starts ELK ahead of the first layout (it takes a moment to initialise), e.g. while the graph is fetched. */
export function warmUpLayout(): void {
  void getElk().catch(() => {
    elk = null;
  });
}

/** Top-left position of every node. */
export async function layoutGraph(input: LayoutInput): Promise<Map<string, { x: number; y: number }>> {
  const engine = await getElk();
  const graph: ElkNode = {
    id: "lineage",
    layoutOptions: input.nodes.length > LARGE_GRAPH ? { ...LAYOUT_OPTIONS, ...LARGE_GRAPH_OPTIONS } : LAYOUT_OPTIONS,
    children: input.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: input.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const laid = await engine.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of laid.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}

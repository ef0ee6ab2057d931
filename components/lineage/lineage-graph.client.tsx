"use client";

// The lineage page's interactive graph: GET /api/v1/lineage/{digest}?depth= drawn with React Flow,
// laid out left to right by ELK. Positions are computed once per graph (and again only when an
// expansion adds nodes); selecting a node changes that node alone and opens the details panel.
import "@xyflow/react/dist/style.css";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Background,
  Controls,
  type Edge,
  MarkerType,
  MiniMap,
  type OnSelectionChangeParams,
  ReactFlow,
  ReactFlowProvider,
  useNodesState,
  useReactFlow,
} from "@xyflow/react";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import type { LineageEdge, LineageGraph as LineageGraphAnswer, LineageNode } from "@/lib/domain/lineage";
import {
  deploymentPathEdges,
  EDGE_WORDS,
  type ExpandDirection,
  edgeId,
  expansionSubgraph,
  isLayoutEdge,
  KIND_META,
  mergeGraphs,
  statusMeta,
  type ViewGraph,
} from "./graph-model";
import { layoutGraph, warmUpLayout } from "./layout.client";
import styles from "./lineage.module.css";
import { type ExpandState, LineageAttention, LineageDetails } from "./lineage-details.client";
import { type LineageFlowNode, LineageNodeView, nodeAriaLabel, nodeSize } from "./lineage-node.client";

export const LINEAGE_MAX_DEPTH = 5;

export const lineageKeys = {
  all: ["lineage"] as const,
  graph: (digest: string, depth: number) => [...lineageKeys.all, digest, depth] as const,
};

const lineageUrl = (digest: string, depth: number) => `/api/v1/lineage/${encodeURIComponent(digest)}?depth=${depth}`;
const fetchLineage = (digest: string, depth: number) => fetchJson<LineageGraphAnswer>(lineageUrl(digest, depth));

const nodeTypes = { lineage: LineageNodeView };

/** Below this zoom a fitted graph is unreadable: the first view centres on this artefact at ROOT_ZOOM instead. */
const MIN_READABLE_ZOOM = 0.5;
const ROOT_ZOOM = 0.8;
/** A minimap helps only when the graph is too big to read whole; on small graphs it would cover nodes. */
const MINIMAP_FROM = 40;
/** Room kept free on the right for the floating details panel (its width and margins). */
const PANEL_ROOM = 350;
/** The details panel floats over the graph on wide screens (lineage.module.css); elsewhere it sits below. */
const panelFloats = () => typeof window !== "undefined" && window.matchMedia("(min-width: 1101px)").matches;

const ARIA_LABELS = {
  "node.a11yDescription.default": "Press Enter or Space to select this node and show its details beside the graph.",
  "node.a11yDescription.keyboardDisabled": "Press Enter or Space to select this node and show its details beside the graph.",
  "controls.ariaLabel": "Zoom controls",
  "minimap.ariaLabel": "Overview of the whole graph",
};

const TONE_FILL = { bad: "#d9534f", warn: "#d9a21b", ok: "#3a9a5b", none: "#a9b1bd" } as const;
const minimapColor = (n: LineageFlowNode) => TONE_FILL[statusMeta(n.data.node.status).tone];

const PATH_MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16, color: "#1f5fbf" } as const;
const FLOW_MARKER = { type: MarkerType.ArrowClosed, width: 14, height: 14, color: "#8a94a3" } as const;
const LEAF_MARKER = { type: MarkerType.ArrowClosed, width: 12, height: 12, color: "#b4bcc8" } as const;
const LEAF_KINDS = new Set(["signature", "attestation", "signed-by", "provenance"]);

type Expansion = { key: string; graph: ViewGraph };

function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function LineageGraph(props: { digest: string; depth: number }) {
  return (
    <ReactFlowProvider>
      <LineageGraphView {...props} />
    </ReactFlowProvider>
  );
}

function LineageGraphView({ digest, depth }: { digest: string; depth: number }) {
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const { fitView, setCenter, getZoom, getViewport, setViewport, getInternalNode } = useReactFlow<LineageFlowNode>();
  const canvasRef = useRef<HTMLDivElement>(null);
  const query = useQuery({
    queryKey: lineageKeys.graph(digest, depth),
    queryFn: () => fetchLineage(digest, depth),
    placeholderData: keepPreviousData,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 1,
  });

  useEffect(warmUpLayout, []);

  const [expansions, setExpansions] = useState<Expansion[]>([]);
  const [expandStates, setExpandStates] = useState<Record<string, ExpandState>>({});
  const base = query.data;
  const view = useMemo(
    () =>
      base
        ? mergeGraphs(
            base,
            expansions.map((x) => x.graph),
          )
        : null,
    [base, expansions],
  );
  const rootId = base?.root ?? `artifact:${digest}`;
  const byId = useMemo(() => new Map((view?.nodes ?? []).map((n) => [n.id, n])), [view]);

  const [nodes, setNodes, onNodesChange] = useNodesState<LineageFlowNode>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [layout, setLayout] = useState<{ status: "idle" | "running" | "done" } | { status: "error"; message: string }>({ status: "idle" });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
  const [announcement, setAnnouncement] = useState("");
  const laidOutOnce = useRef(false);

  /** Fits every node, leaving room for the details panel where it floats over the graph. */
  const fitAll = useCallback(
    (duration = 250) => {
      const covered = selectedRef.current !== null && panelFloats();
      return fitView({
        padding: { top: "24px", bottom: "24px", left: "24px", right: covered ? `${PANEL_ROOM}px` : "24px" },
        duration,
        maxZoom: 1.1,
      });
    },
    [fitView],
  );

  // A node selected under the floating panel slides left into sight; the layout does not change.
  useEffect(() => {
    if (!selectedId || !panelFloats()) return;
    const node = getInternalNode(selectedId);
    const width = canvasRef.current?.clientWidth ?? 0;
    if (!node || !width) return;
    const { x, y, zoom } = getViewport();
    const right = (node.internals.positionAbsolute.x + (node.measured.width ?? nodeSize(node.data.node.kind).width)) * zoom + x;
    const limit = width - PANEL_ROOM;
    if (right > limit) void setViewport({ x: x - (right - limit), y, zoom }, { duration: 200 });
  }, [selectedId, getInternalNode, getViewport, setViewport]);

  // Lay out whenever the graph itself changes (a new answer or an expansion), never on selection.
  useEffect(() => {
    if (!view) return;
    let cancelled = false;
    const onPath = deploymentPathEdges(view.nodes, view.edges, rootId);
    const pathNodes = new Set<string>();
    for (const e of view.edges) {
      if (onPath.has(edgeId(e))) {
        pathNodes.add(e.from);
        pathNodes.add(e.to);
      }
    }
    const index = new Map(view.nodes.map((n) => [n.id, n]));
    const edgeLabel = (from: string, kind: LineageEdge["kind"], to: string) => {
      const a = index.get(from);
      const b = index.get(to);
      return a && b
        ? `${KIND_META[a.kind].label} ${a.label} ${EDGE_WORDS[kind].out} ${KIND_META[b.kind].label.toLowerCase()} ${b.label}`
        : "";
    };
    setLayout({ status: "running" });
    layoutGraph({
      nodes: view.nodes.map((n) => ({ id: n.id, ...nodeSize(n.kind) })),
      edges: view.edges.filter(isLayoutEdge).map((e) => ({ id: edgeId(e), source: e.from, target: e.to })),
    })
      .then((positions) => {
        if (cancelled) return;
        const selected = selectedRef.current;
        setNodes(
          view.nodes.map((n) => ({
            id: n.id,
            type: "lineage" as const,
            position: positions.get(n.id) ?? { x: 0, y: 0 },
            data: { node: n, isRoot: n.id === rootId, onPath: pathNodes.has(n.id) },
            ...nodeSize(n.kind),
            selected: n.id === selected,
            draggable: false,
            connectable: false,
            ariaLabel: nodeAriaLabel(n, n.id === rootId),
            domAttributes: { "data-kind": n.kind, "data-status": n.status ?? "none" } as Record<string, string>,
          })),
        );
        setEdges(
          view.edges.map((e): Edge => {
            const id = edgeId(e);
            const path = onPath.has(id);
            const leaf = LEAF_KINDS.has(e.kind);
            return {
              id,
              source: e.from,
              target: e.to,
              className: path ? styles.edgePath : leaf ? styles.edgeLeaf : styles.edgeFlow,
              markerEnd: path ? PATH_MARKER : leaf ? LEAF_MARKER : FLOW_MARKER,
              zIndex: path ? 2 : leaf ? 0 : 1,
              selectable: false,
              focusable: false,
              ariaLabel: edgeLabel(e.from, e.kind, e.to),
              domAttributes: { "data-kind": e.kind, "data-path": path ? "deployment" : undefined } as Record<string, string>,
            };
          }),
        );
        setLayout({ status: "done" });
        // Fit the first layout; after an expansion, fit too so the new nodes are in sight. A graph
        // too big to read when fitted (or a phone) opens on this artefact instead.
        const first = !laidOutOnce.current;
        laidOutOnce.current = true;
        void fitAll(first ? 0 : 250).then(() => {
          if (!first || getZoom() >= MIN_READABLE_ZOOM) return;
          const root = view.nodes.find((n) => n.id === rootId);
          const at = positions.get(rootId);
          if (!root || !at) return;
          const size = nodeSize(root.kind);
          void setCenter(at.x + size.width / 2, at.y + size.height / 2, { zoom: ROOT_ZOOM, duration: 0 });
        });
      })
      .catch((error: unknown) => {
        if (!cancelled) setLayout({ status: "error", message: problemText(error) });
      });
    return () => {
      cancelled = true;
    };
  }, [view, rootId, setNodes, fitAll, getZoom, setCenter]);

  const onSelectionChange = useCallback(({ nodes: chosen }: OnSelectionChangeParams<LineageFlowNode>) => {
    const next = chosen[0]?.id ?? null;
    setSelectedId(next);
    const node = chosen[0]?.data.node;
    setAnnouncement(node ? `Selected ${KIND_META[node.kind].label.toLowerCase()} ${node.label}. Details are beside the graph.` : "");
  }, []);

  const selectNode = useCallback(
    (id: string) => {
      let target: LineageFlowNode | undefined;
      setNodes((all) =>
        all.map((n) => {
          const selected = n.id === id;
          if (selected) target = n;
          return (n.selected ?? false) === selected ? n : { ...n, selected };
        }),
      );
      setSelectedId(id);
      // The node may be off screen: bring it to the middle.
      queueMicrotask(() => {
        if (!target) return;
        const size = nodeSize(target.data.node.kind);
        void setCenter(target.position.x + size.width / 2, target.position.y + size.height / 2, {
          zoom: Math.max(getZoom(), 0.8),
          duration: 250,
        });
      });
    },
    [setNodes, setCenter, getZoom],
  );

  const closeDetails = useCallback(() => {
    const id = selectedRef.current;
    setNodes((all) => all.map((n) => (n.selected ? { ...n, selected: false } : n)));
    setSelectedId(null);
    // Back to the node the panel described, for keyboard users.
    if (id) requestAnimationFrame(() => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`)?.focus());
  }, [setNodes]);

  const setDepth = useCallback(
    (next: number) => {
      const params = new URLSearchParams({ digest, depth: String(next) });
      router.push(`${pathname}?${params.toString()}`, { scroll: false });
    },
    [router, pathname, digest],
  );

  const expand = useCallback(
    async (node: LineageNode, direction: ExpandDirection) => {
      if (!node.digest) return;
      const key = `${node.id}|${direction}`;
      setExpandStates((s) => ({ ...s, [key]: { status: "pending" } }));
      try {
        const graph = await queryClient.fetchQuery({
          queryKey: lineageKeys.graph(node.digest, depth),
          queryFn: () => fetchLineage(node.digest as string, depth),
        });
        const sub = expansionSubgraph(graph, direction);
        const known = new Set(view?.nodes.map((n) => n.id));
        const added = sub.nodes.filter((n) => !known.has(n.id)).length;
        setExpansions((list) => (list.some((x) => x.key === key) ? list : [...list, { key, graph: sub }]));
        setExpandStates((s) => ({ ...s, [key]: { status: "done", added } }));
      } catch (error) {
        setExpandStates((s) => ({ ...s, [key]: { status: "error", message: problemText(error) } }));
      }
    },
    [queryClient, depth, view],
  );

  const selected = selectedId ? byId.get(selectedId) : undefined;
  const selectedExpand = useMemo(() => {
    if (!selectedId) return {};
    const up = expandStates[`${selectedId}|upstream`];
    const down = expandStates[`${selectedId}|downstream`];
    return { ...(up ? { upstream: up } : {}), ...(down ? { downstream: down } : {}) };
  }, [selectedId, expandStates]);

  const nodeCount = view?.nodes.length ?? 0;
  const edgeCount = view?.edges.length ?? 0;
  const alone = nodeCount <= 1;
  const loadingDepth = query.isFetching && query.isPlaceholderData;
  const notFound = query.error instanceof ApiError && query.error.status === 404;

  return (
    <section className={styles.graphSection} aria-labelledby="lineage-graph-title">
      <h2 id="lineage-graph-title" className={styles.srOnly}>
        Lineage graph
      </h2>
      <div className={styles.toolbar}>
        <label className={styles.depth}>
          Depth{" "}
          <select value={depth} onChange={(e) => setDepth(Number(e.target.value))} aria-describedby="lineage-depth-hint">
            {Array.from({ length: LINEAGE_MAX_DEPTH }, (_, i) => i + 1).map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <span id="lineage-depth-hint" className={styles.srOnly}>
          How many hops from this artefact to show, from 1 to {LINEAGE_MAX_DEPTH}.
        </span>
        <button type="button" className="btn btn-small" onClick={() => void fitAll()} disabled={!view}>
          Fit view
        </button>
        {expansions.length ? (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setExpansions([]);
              setExpandStates({});
            }}
          >
            Undo expansions
          </button>
        ) : null}
        <span className={`muted small ${styles.counts}`} data-testid="lineage-counts">
          {view ? `${nodeCount} node${nodeCount === 1 ? "" : "s"} · ${edgeCount} connection${edgeCount === 1 ? "" : "s"}` : null}
        </span>
        <span role="status" aria-live="polite" className="small">
          {loadingDepth ? "Loading…" : layout.status === "running" ? "Laying out…" : ""}
        </span>
      </div>
      {query.isPending ? (
        <div className={`card ${styles.stateCard}`} role="status" aria-live="polite">
          <div className={`skeleton ${styles.skeleton}`} aria-hidden="true" />
          <p className="muted">Loading the lineage of this artefact…</p>
        </div>
      ) : query.isError && !base ? (
        <div className={`card ${styles.stateCard}`} role="alert" data-testid="lineage-error">
          <h3>{notFound ? "Unknown artefact" : "The lineage could not be loaded"}</h3>
          <p>{problemText(query.error)}</p>
          {notFound ? null : (
            <button type="button" className="btn" onClick={() => void query.refetch()}>
              Try again
            </button>
          )}
        </div>
      ) : (
        <>
          {view?.truncated ? (
            <div className="alert alert-warn small" role="note">
              This graph is cut short: Vitrine shows at most a few thousand nodes and 50 deployments, signatures or attestations per
              artefact. Lower the depth, or open a node&apos;s own lineage.
            </div>
          ) : null}
          {query.isError ? (
            <div className="alert alert-bad small" role="alert">
              The new depth could not be loaded: {problemText(query.error)}
            </div>
          ) : null}
          {layout.status === "error" ? (
            <div className="alert alert-bad small" role="alert">
              The graph could not be laid out: {layout.message}
            </div>
          ) : null}
          {alone ? (
            <div className="alert alert-info small" data-testid="lineage-empty">
              Vitrine knows nothing connected to this artefact yet: no build, tag, deployment, signature or attestation names it.
            </div>
          ) : null}
          {selected ? (
            <a className={styles.skip} href="#lineage-panel">
              Skip to the selected node&apos;s details
            </a>
          ) : null}
          <div className={styles.stage}>
            <div ref={canvasRef} className={styles.canvas} data-testid="lineage-canvas" aria-busy={layout.status === "running"}>
              {layout.status === "running" && !nodes.length ? (
                <div className={styles.canvasNote} aria-hidden="true">
                  Laying out the graph…
                </div>
              ) : null}
              <ReactFlow<LineageFlowNode>
                nodes={nodes}
                edges={edges}
                nodeTypes={nodeTypes}
                onNodesChange={onNodesChange}
                onSelectionChange={onSelectionChange}
                nodesDraggable={false}
                nodesConnectable={false}
                nodesFocusable
                edgesFocusable={false}
                elementsSelectable
                deleteKeyCode={null}
                selectionKeyCode={null}
                multiSelectionKeyCode={null}
                minZoom={0.05}
                maxZoom={2}
                onlyRenderVisibleElements={nodeCount > 150}
                ariaLabelConfig={ARIA_LABELS}
                aria-label="Lineage graph: sources and builds on the left, this artefact, then tags, deployments and evidence on the right"
              >
                <Background gap={24} size={1} color="#dfe3e9" />
                <Controls showInteractive={false} showFitView={false} position="bottom-left" />
                {nodeCount > MINIMAP_FROM ? (
                  <MiniMap<LineageFlowNode>
                    className={styles.minimap}
                    nodeColor={minimapColor}
                    nodeStrokeWidth={0}
                    pannable
                    zoomable
                    position="bottom-right"
                  />
                ) : null}
              </ReactFlow>
            </div>
            {selected ? (
              <aside
                id="lineage-panel"
                className={styles.panel}
                aria-labelledby="lineage-details-title"
                tabIndex={-1}
                data-testid="lineage-details"
              >
                <LineageDetails
                  node={selected}
                  isRoot={selected.id === rootId}
                  nodes={byId}
                  edges={view?.edges ?? []}
                  depth={depth}
                  maxDepth={LINEAGE_MAX_DEPTH}
                  expand={selectedExpand}
                  onExpand={(n, d) => void expand(n, d)}
                  onDeeper={() => setDepth(Math.min(LINEAGE_MAX_DEPTH, depth + 1))}
                  onSelect={selectNode}
                  onClose={closeDetails}
                />
              </aside>
            ) : null}
          </div>
          {selected ? null : (
            <p className={`small muted ${styles.hint}`}>
              Select a node (click it, or Tab to it and press Enter) for its details, its page and to expand the graph from it.{" "}
              <LineageAttention nodes={view?.nodes ?? []} />
            </p>
          )}
        </>
      )}
      <p className={styles.srOnly} aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}

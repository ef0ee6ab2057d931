// One small glyph per node kind, so kinds differ by shape as well as by their written name.
import type { LineageNodeKind } from "@/lib/domain/lineage";

const PATHS: Record<LineageNodeKind, string> = {
  // a commit: a dot on a line
  source: "M1 8h4.2M10.8 8H15M8 5.2a2.8 2.8 0 1 1 0 5.6a2.8 2.8 0 1 1 0-5.6z",
  // a build: a gear-like hexagon with a hub
  build: "M8 1.5l5.6 3.25v6.5L8 14.5l-5.6-3.25v-6.5zM8 6a2 2 0 1 1 0 4a2 2 0 1 1 0-4z",
  // an artefact: a box
  artifact: "M8 1.5l6 3v7l-6 3l-6-3v-7zM2 4.5l6 3l6-3M8 7.5v7",
  // a tag
  tag: "M1.5 2.5h6l7 7l-5 5l-7-7zM5 5.2a.8.8 0 1 1 0 .1z",
  // a deployment: a stack of servers
  deployment: "M2 2.5h12v4H2zM2 9.5h12v4H2zM4.5 4.5h.1M4.5 11.5h.1",
  // a signature: a pen nib
  signature: "M2 14l1.2-4.2L11 2l3 3l-7.8 7.8zM9.5 3.5l3 3M2 14h12",
  // an attestation: a document with lines
  attestation: "M3.5 1.5h6l3 3v10h-9zM9.5 1.5v3h3M5.5 8h5M5.5 10.5h5M5.5 5.5h2",
  // a signer: a key
  key: "M5.5 6.5a3.5 3.5 0 1 1 0 .1zM8.6 8.2L14.5 14M11.5 11l1.5-1.5M13 12.5l1.2-1.2",
};

export function KindIcon({ kind, className }: { kind: LineageNodeKind; className?: string }) {
  return (
    <svg className={className} viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d={PATHS[kind]} fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

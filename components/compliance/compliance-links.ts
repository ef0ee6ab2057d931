// The compliance view's addresses and words, shared by the page, its drill-down and the filters.
// Pure: the filters live in the URL (environment, window, and from/to for a custom window).
import { type PageWindow, pageWindow, type WindowPreset } from "@/lib/domain/compliance-window";

export const MEASURE_KEYS = ["total", "pinned", "verifiedSignature", "verifiedProvenance", "admitted", "compliant"] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

export const REQUIREMENT_KEYS = ["digest-pinning", "signatures", "attestations", "registry"] as const;
export type RequirementKey = (typeof REQUIREMENT_KEYS)[number];

/** What each measure means, said for one deployment that meets it (label) and one that misses it. */
export const MEASURES: Record<MeasureKey, { label: string; short: string; missing: string; help: string }> = {
  total: { label: "Deployments", short: "Deployments", missing: "", help: "running at any time in the window" },
  pinned: { label: "Digest-pinned", short: "Pinned", missing: "Not digest-pinned", help: "named by digest, not by a tag" },
  verifiedSignature: {
    label: "Verified signature",
    short: "Signed",
    missing: "Without a verified signature",
    help: "signed by a trusted key or identity, checked by Vitrine",
  },
  verifiedProvenance: {
    label: "Verified provenance",
    short: "Provenance",
    missing: "Without verified provenance",
    help: "a verified SLSA provenance attestation names the artefact",
  },
  admitted: {
    label: "Admitted",
    short: "Admitted",
    missing: "Not admitted",
    help: "passed by an external verifier or allowed by Vitrine's admission gate",
  },
  compliant: {
    label: "Pass the policy",
    short: "Compliant",
    missing: "Fail the policy",
    help: "meet every requirement of the environment's trust policy",
  },
};

export const REQUIREMENTS: Record<RequirementKey, string> = {
  "digest-pinning": "Digest pinning",
  signatures: "Signatures",
  attestations: "Attestations",
  registry: "Allowed registries",
};

export type ComplianceFilters = { environment: string; window: WindowPreset; from?: string; to?: string };

function query(f: ComplianceFilters, extra: Record<string, string | undefined> = {}): string {
  const p = new URLSearchParams();
  p.set("environment", f.environment);
  if (f.window !== "30d") p.set("window", f.window);
  if (f.window === "custom") {
    if (f.from) p.set("from", f.from);
    if (f.to) p.set("to", f.to);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) p.set(k, v);
  return p.toString();
}

export function complianceHref(f: ComplianceFilters): string {
  return `/compliance?${query(f)}`;
}

export function drillDownHref(
  f: ComplianceFilters,
  what: { measure: MeasureKey; value?: boolean; requirement?: RequirementKey; cursor?: string },
): string {
  return `/compliance/deployments?${query(f, {
    measure: what.measure,
    value: what.value === false ? "false" : undefined,
    requirement: what.requirement,
    cursor: what.cursor,
  })}`;
}

/** A share as people read it: never 100 % unless all, never 0 % unless none. */
export function percent(n: number, total: number): string {
  if (total === 0) return "–";
  if (n === total) return "100%";
  if (n === 0) return "0%";
  const p = Math.floor((n / total) * 100);
  return p === 0 ? "<1%" : `${p}%`;
}

type SearchParams = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

/** The filters and window of a compliance URL (the page and its drill-down read the same). */
export function readFilters(options: { sp: SearchParams; environment: string; now: Date }): {
  window: PageWindow;
  filters: ComplianceFilters;
} {
  const { sp, environment, now } = options;
  const window = pageWindow({ window: first(sp.window), from: first(sp.from), to: first(sp.to) }, now);
  const filters: ComplianceFilters =
    window.preset === "custom"
      ? { environment, window: "custom", from: window.fromDate, to: window.toDate }
      : { environment, window: window.preset };
  return { window, filters };
}

/** A build's outcome as a badge: success, failure/error/cancel, or unknown. */
export function BuildOutcome({ outcome }: { outcome: string }) {
  const tone = outcome === "success" ? "badge-ok" : outcome === "unknown" ? "" : "badge-bad";
  return <span className={`badge ${tone}`}>{outcome}</span>;
}

// A verdict as a badge whose text says it: colour is a second cue, never the only one.
const TONE: Record<string, string> = {
  verified: "badge-ok",
  untrusted: "badge-warn",
  expired: "badge-warn",
  unverifiable: "badge-warn",
  invalid: "badge-bad",
  "subject-mismatch": "badge-bad",
  revoked: "badge-bad",
};

export function VerdictBadge({ verdict }: { verdict: string | null }) {
  if (!verdict) return <span className="badge">pending</span>;
  return <span className={`badge ${TONE[verdict] ?? ""}`}>{verdict}</span>;
}

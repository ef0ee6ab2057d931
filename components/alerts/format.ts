// Words for the alert pages. Pure, and safe in client components.

const RULE_TITLES: Record<string, string> = {
  "unsigned-deployed": "Unsigned artefact deployed",
  "invalid-signature": "Invalid signature (possible tampering)",
  "untrusted-signer": "Only untrusted signers",
  "revoked-key-in-use": "Revoked key in use",
  "tag-mutated": "Tag moved to another digest",
  "mutable-reference-deployed": "Deployed by tag, not digest",
  "digest-drift": "Deployed digest differs from signed",
  "verification-failed": "External verification failed",
  "verifier-disagreement": "Verifier disagrees with Vitrine",
  "missing-provenance": "Provenance missing",
  "admission-denied": "Admission denied",
  "unsigned-published": "Published without a signature",
};

/** The DESIGN.md rules, for the rule filter (the engine may add more; those come from the alerts themselves). */
export const KNOWN_RULES = Object.keys(RULE_TITLES);

export function ruleTitle(rule: string): string {
  return RULE_TITLES[rule] ?? rule;
}

const EVENT_WORDS: Record<string, string> = {
  fired: "Fired",
  refired: "Fired again",
  reopened: "Reopened",
  "condition-cleared": "Condition cleared",
  "severity-raised": "Severity raised",
  acknowledged: "Acknowledged",
  assigned: "Assigned",
  commented: "Commented",
  resolved: "Resolved",
  suppressed: "Suppressed",
  unsuppressed: "Suppression expired: reopened",
  escalated: "Escalated",
  notified: "Notified",
};

export function eventTitle(kind: string): string {
  return EVENT_WORDS[kind] ?? kind;
}

/** 45 s, 12 min, 3.5 h, 2.1 d. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(seconds < 36_000 ? 1 : 0)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** "3 min ago", "2 h ago", "5 d ago" from `now`; the exact time goes in a title or <time>. */
export function timeAgo(iso: string, now: number): string {
  const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

// Alert triage (DESIGN.md "Alert", issue 6 item 2): the statuses and severities, which action each
// status allows, and the suppression window. Pure: no database, no clock (pass `now` in).

export const ALERT_STATUSES = ["open", "acknowledged", "resolved", "suppressed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Worst first: the order of the severity sort and of every severity list in the UI. */
export const ALERT_SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const TRIAGE_ACTIONS = ["acknowledge", "assign", "comment", "resolve", "suppress"] as const;
export type TriageAction = (typeof TRIAGE_ACTIONS)[number];

/** The timeline event and ledger kind each action writes (`alert.<event>`). */
export const TRIAGE_EVENT: Record<TriageAction, string> = {
  acknowledge: "acknowledged",
  assign: "assigned",
  comment: "commented",
  resolve: "resolved",
  suppress: "suppressed",
};

export const MAX_NOTE_LENGTH = 4000;
export const MAX_SUPPRESSION_DAYS = 90;
const DAY_MS = 86_400_000;

export function isAlertStatus(value: unknown): value is AlertStatus {
  return typeof value === "string" && (ALERT_STATUSES as readonly string[]).includes(value);
}

export function isAlertSeverity(value: unknown): value is AlertSeverity {
  return typeof value === "string" && (ALERT_SEVERITIES as readonly string[]).includes(value);
}

/** 0 for critical .. 3 for low; an unknown severity sorts last. */
export function severityRank(severity: string): number {
  const i = (ALERT_SEVERITIES as readonly string[]).indexOf(severity);
  return i === -1 ? ALERT_SEVERITIES.length : i;
}

/** The status an action leaves the alert in (comment and assign leave it as it is). */
export function statusAfter(action: TriageAction, from: AlertStatus): AlertStatus {
  if (action === "acknowledge") return "acknowledged";
  if (action === "resolve") return "resolved";
  if (action === "suppress") return "suppressed";
  return from;
}

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether `action` may be taken on an alert in `status`. Every accepted action changes something
 * and is recorded, so repeating one (acknowledging twice) is refused with the reason, not ignored.
 * Comments are always allowed: a resolved alert's post-mortem belongs on its timeline too.
 */
export function checkTransition(action: TriageAction, status: AlertStatus): TransitionCheck {
  switch (action) {
    case "comment":
      return { ok: true };
    case "acknowledge":
      if (status === "open") return { ok: true };
      if (status === "acknowledged") return { ok: false, reason: "This alert is already acknowledged" };
      if (status === "resolved")
        return { ok: false, reason: "A resolved alert cannot be acknowledged: it reopens by itself if its condition returns" };
      return { ok: false, reason: "A suppressed alert cannot be acknowledged: it reopens when its suppression expires" };
    case "assign":
      if (status === "resolved")
        return { ok: false, reason: "A resolved alert cannot be assigned: it reopens by itself if its condition returns" };
      return { ok: true };
    case "resolve":
      if (status === "resolved") return { ok: false, reason: "This alert is already resolved" };
      return { ok: true };
    case "suppress":
      // Suppressing a suppressed alert again moves its expiry and justification (both recorded).
      if (status === "resolved") return { ok: false, reason: "A resolved alert cannot be suppressed: there is nothing left to silence" };
      return { ok: true };
  }
}

/** The actions offered for an alert in `status` (the UI shows only these; the server checks again). */
export function allowedActions(status: AlertStatus): TriageAction[] {
  return TRIAGE_ACTIONS.filter((a) => checkTransition(a, status).ok);
}

/** A suppression must end in the future and at most MAX_SUPPRESSION_DAYS from now; null when it may. */
export function suppressionProblem(until: Date, now: Date): string | null {
  if (Number.isNaN(until.getTime())) return "must be a date and time";
  if (until.getTime() <= now.getTime()) return "must be in the future";
  if (until.getTime() - now.getTime() > MAX_SUPPRESSION_DAYS * DAY_MS) return `must be at most ${MAX_SUPPRESSION_DAYS} days from now`;
  return null;
}

/** Whether a suppression has run out at `now` (the alert then reopens). */
export function isSuppressionExpired(until: Date | null, now: Date): boolean {
  return until !== null && until.getTime() <= now.getTime();
}

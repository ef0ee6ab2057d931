import { describe, expect, it } from "vitest";
import {
  ALERT_STATUSES,
  allowedActions,
  checkTransition,
  isAlertSeverity,
  isAlertStatus,
  isSuppressionExpired,
  MAX_SUPPRESSION_DAYS,
  severityRank,
  statusAfter,
  suppressionProblem,
} from "./alert-triage";

const NOW = new Date("2026-11-26T10:00:00.000Z");
const inDays = (d: number) => new Date(NOW.getTime() + d * 86_400_000);

describe("alert transitions", () => {
  it("open alerts may be acknowledged, assigned, commented, resolved and suppressed", () => {
    expect(allowedActions("open")).toEqual(["acknowledge", "assign", "comment", "resolve", "suppress"]);
  });

  it("acknowledging twice, or a resolved or suppressed alert, is refused with a reason", () => {
    for (const status of ["acknowledged", "resolved", "suppressed"] as const) {
      const check = checkTransition("acknowledge", status);
      expect(check.ok).toBe(false);
      if (!check.ok) expect(check.reason).toMatch(/already acknowledged|resolved alert|suppressed alert/);
    }
  });

  it("a resolved alert takes comments only", () => {
    expect(allowedActions("resolved")).toEqual(["comment"]);
    const check = checkTransition("resolve", "resolved");
    expect(check).toEqual({ ok: false, reason: "This alert is already resolved" });
  });

  it("a suppressed alert may be re-suppressed, assigned, commented and resolved, not acknowledged", () => {
    expect(allowedActions("suppressed")).toEqual(["assign", "comment", "resolve", "suppress"]);
  });

  it("comments are accepted in every status", () => {
    for (const status of ALERT_STATUSES) expect(checkTransition("comment", status).ok).toBe(true);
  });

  it("the status after each action", () => {
    expect(statusAfter("acknowledge", "open")).toBe("acknowledged");
    expect(statusAfter("resolve", "suppressed")).toBe("resolved");
    expect(statusAfter("suppress", "acknowledged")).toBe("suppressed");
    expect(statusAfter("comment", "resolved")).toBe("resolved");
    expect(statusAfter("assign", "acknowledged")).toBe("acknowledged");
  });
});

describe("suppression window", () => {
  it("must end in the future and within the maximum", () => {
    expect(suppressionProblem(inDays(1), NOW)).toBeNull();
    expect(suppressionProblem(inDays(MAX_SUPPRESSION_DAYS), NOW)).toBeNull();
    expect(suppressionProblem(NOW, NOW)).toBe("must be in the future");
    expect(suppressionProblem(inDays(-1), NOW)).toBe("must be in the future");
    expect(suppressionProblem(new Date(inDays(MAX_SUPPRESSION_DAYS).getTime() + 1), NOW)).toMatch(/at most 90 days/);
    expect(suppressionProblem(new Date("nope"), NOW)).toBe("must be a date and time");
  });

  it("expires at its end, not before", () => {
    expect(isSuppressionExpired(null, NOW)).toBe(false);
    expect(isSuppressionExpired(new Date(NOW.getTime() + 1), NOW)).toBe(false);
    expect(isSuppressionExpired(NOW, NOW)).toBe(true);
  });
});

describe("vocabulary", () => {
  it("severities rank worst first; unknown last", () => {
    expect(["low", "critical", "bogus", "high", "medium"].sort((a, b) => severityRank(a) - severityRank(b))).toEqual([
      "critical",
      "high",
      "medium",
      "low",
      "bogus",
    ]);
    expect(isAlertSeverity("critical")).toBe(true);
    expect(isAlertSeverity("Critical")).toBe(false);
    expect(isAlertStatus("suppressed")).toBe(true);
    expect(isAlertStatus("closed")).toBe(false);
  });
});

import "server-only";
import { ALERT_SEVERITIES } from "@/lib/domain/alert-triage";

// One alert as lists and pages show it: the DESIGN.md contract `{ id, rule, severity, status,
// environment, subject: { kind, id }, summary, createdAt, updatedAt }`, extended (never renamed).

export type AlertAssignee = { id: string; name: string | null; email: string };

export type AlertListItem = {
  id: string;
  rule: string;
  severity: string;
  status: string;
  environment: string | null;
  subject: { kind: string; id: string; label: string };
  summary: string;
  createdAt: string;
  updatedAt: string;
  /** The artefact the alert is about or runs in, when there is one. */
  artifactDigest: string | null;
  assignee: AlertAssignee | null;
  conditionActive: boolean;
  fireCount: number;
  firstFiredAt: string;
  lastFiredAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  suppressedUntil: string | null;
};

/** The columns ALERT_SELECT reads, as node-pg answers them. */
export type AlertRow = {
  id: string;
  rule: string;
  severity: string;
  status: string;
  environment: string | null;
  subject_kind: string;
  subject_id: string;
  subject_label: string;
  summary: string;
  evidence: unknown;
  condition_active: boolean;
  fire_count: number;
  suppressed_until: Date | null;
  suppression_reason: string | null;
  first_fired_at: Date;
  last_fired_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  escalated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  artifact_digest: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  assignee_email: string | null;
};

/** `alerts a`, its assignee and artefact; add WHERE / ORDER BY after it. */
export const ALERT_SELECT = `
  SELECT a.id, a.rule, a.severity, a.status, a.environment, a.subject_kind, a.subject_id, a.subject_label, a.summary,
         a.evidence, a.condition_active, a.fire_count, a.suppressed_until, a.suppression_reason, a.first_fired_at,
         a.last_fired_at, a.acknowledged_at, a.resolved_at, a.escalated_at, a.created_at, a.updated_at,
         art.digest AS artifact_digest, u.id AS assignee_id, u.name AS assignee_name, u.email AS assignee_email
    FROM alerts a
    LEFT JOIN artifacts art ON art.id = a.artifact_id
    LEFT JOIN users u ON u.id = a.assignee_id`;

/** Severity as a number, worst first (critical 0); the severity sort and its cursor use it. */
export const SEVERITY_RANK_SQL = `(CASE a.severity ${ALERT_SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(" ")} ELSE ${ALERT_SEVERITIES.length} END)`;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function toAlertListItem(r: AlertRow): AlertListItem {
  return {
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    status: r.status,
    environment: r.environment,
    subject: { kind: r.subject_kind, id: r.subject_id, label: r.subject_label },
    summary: r.summary,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    artifactDigest: r.artifact_digest ?? (r.subject_kind === "artifact" && /^sha(256|512):/.test(r.subject_id) ? r.subject_id : null),
    assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name, email: r.assignee_email ?? "" } : null,
    conditionActive: r.condition_active,
    fireCount: Number(r.fire_count),
    firstFiredAt: iso(r.first_fired_at)!,
    lastFiredAt: iso(r.last_fired_at)!,
    acknowledgedAt: iso(r.acknowledged_at),
    resolvedAt: iso(r.resolved_at),
    suppressedUntil: iso(r.suppressed_until),
  };
}

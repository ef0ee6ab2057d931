import "server-only";
import { type Sql, sqlFromPool } from "@/lib/db/sql";
import { addDays, startOfUtcDay, trendDays, utcDay, type Window } from "@/lib/domain/compliance-window";
import type { PolicyFailure } from "@/lib/domain/policy";
import {
  activeInWindow,
  COMPLIANCE_MEASURES,
  type ComplianceCounts,
  hasVerifiedProvenance,
  hasVerifiedSignature,
  isAdmitted,
  isCompliant,
  isPinned,
} from "./definitions";

// The numbers behind the compliance view (GET /api/v1/compliance): the six counts of DESIGN.md's
// contract for an environment and window, the policy's failures per requirement, open violations
// by rule, exceptions (suppressed alerts) and the daily trend.
//
// Trend: a day before yesterday reads its compliance_snapshots row (the compliance.snapshot job
// refreshes yesterday's and today's every hour, so that row was last written after its day ended,
// and keeps the verdicts of that time). Yesterday and today, whose rows are still being refreshed,
// and any day without a row are computed here from the same definitions with today's verdicts. A
// fresh install therefore shows a full trend at once; nothing is written on read.

export type PolicyRequirement = PolicyFailure["requirement"];
export const POLICY_REQUIREMENTS = [
  "digest-pinning",
  "signatures",
  "attestations",
  "registry",
] as const satisfies readonly PolicyRequirement[];

export type ComplianceTrendDay = ComplianceCounts & { day: string; source: "snapshot" | "live" };

export type ComplianceViolation = { rule: string; severity: string; open: number; acknowledged: number };

export type ComplianceException = {
  alertId: string;
  rule: string;
  severity: string;
  summary: string;
  subject: { kind: string; id: string; label: string };
  justification: string | null;
  until: string | null;
  suppressedAt: string | null;
  /** Who suppressed it: the actor reference of the last `suppressed` event, and the user's name or e-mail when it is a user. */
  suppressedBy: { actor: string; name: string | null } | null;
};

export type ComplianceView = {
  environment: string;
  from: string;
  to: string;
  /** DESIGN.md's contract: counts of deployments active in the window. */
  deployments: ComplianceCounts;
  /** false: no environment of this name has been seen (every count is 0). */
  environmentKnown: boolean;
  policy: {
    passing: number;
    failing: number;
    /** In the window but not evaluated against the policy yet. */
    notEvaluated: number;
    /** Deployments in the window failing each requirement (one deployment may fail several). */
    failures: Record<PolicyRequirement, number>;
  };
  /** Open and acknowledged alerts in the environment now, by rule, most severe first. */
  violations: ComplianceViolation[];
  /** Alerts in the environment suppressed now, with their justification and end (at most EXCEPTIONS_LIMIT). */
  exceptions: ComplianceException[];
  trend: ComplianceTrendDay[];
};

export const EXCEPTIONS_LIMIT = 500;

const SNAKE: Record<(typeof COMPLIANCE_MEASURES)[number], string> = {
  total: "total",
  pinned: "pinned",
  verifiedSignature: "verified_signature",
  verifiedProvenance: "verified_provenance",
  admitted: "admitted",
  compliant: "compliant",
};

/** count(...) FILTER over the flags CTE `f`, as json_build_object arguments. */
function flagCounts(where: string): string {
  return COMPLIANCE_MEASURES.map((m) => `'${m}', count(f.id) FILTER (WHERE ${where}${m === "total" ? "" : ` AND f.${SNAKE[m]}`})`).join(
    ", ",
  );
}

const UTC_DAY_START = (day: string) => `(${day}::timestamp AT TIME ZONE 'UTC')`;

/**
 * One statement: every deployment of the environment that touches the window's days, with its five
 * flags computed once (definitions.ts), then the window's counts and failures, and the trend per day.
 */
function deploymentsStatement(): string {
  const failures = POLICY_REQUIREMENTS.map(
    (r) => `'${r}', count(f.id) FILTER (WHERE f.in_window AND f.policy_failures @> '[{"requirement": "${r}"}]'::jsonb)`,
  ).join(", ");
  return `
WITH env AS (SELECT id FROM environments WHERE name = $1),
f AS MATERIALIZED (
  SELECT d.id, d.started_at, d.ended_at, d.policy_pass, d.policy_failures,
         ${activeInWindow({ from: "$2::timestamptz", to: "$3::timestamptz" })} AS in_window,
         ${isPinned()} AS pinned,
         ${hasVerifiedSignature()} AS verified_signature,
         ${hasVerifiedProvenance()} AS verified_provenance,
         ${isAdmitted({ environment: "$1" })} AS admitted,
         ${isCompliant()} AS compliant
    FROM deployments d
   WHERE d.environment_id = (SELECT id FROM env)
     AND ${activeInWindow({ from: "$4::timestamptz", to: "$5::timestamptz" })}
),
days AS (SELECT unnest($6::date[]) AS day),
trend AS (
  SELECT days.day, s.day IS NOT NULL AS from_snapshot,
         s.total, s.pinned, s.verified_signature, s.verified_provenance, s.admitted, s.compliant, live.counts
    FROM days
    LEFT JOIN compliance_snapshots s ON s.environment = $1 AND s.day = days.day AND days.day < $7::date - 1
    LEFT JOIN LATERAL (
      SELECT json_build_object(${flagCounts(
        `f.started_at < ${UTC_DAY_START("(days.day + 1)")} AND (f.ended_at IS NULL OR f.ended_at > ${UTC_DAY_START("days.day")})`,
      )}) AS counts
        FROM f WHERE s.day IS NULL
    ) live ON true
)
SELECT EXISTS (SELECT 1 FROM env) AS known,
       (SELECT json_build_object(${flagCounts("f.in_window")},
                                 'passing', count(f.id) FILTER (WHERE f.in_window AND f.policy_pass IS TRUE),
                                 'failing', count(f.id) FILTER (WHERE f.in_window AND f.policy_pass IS FALSE),
                                 'notEvaluated', count(f.id) FILTER (WHERE f.in_window AND f.policy_pass IS NULL),
                                 'failures', json_build_object(${failures}))
          FROM f) AS totals,
       (SELECT COALESCE(json_agg(json_build_object(
                  'day', to_char(t.day, 'YYYY-MM-DD'),
                  'source', CASE WHEN t.from_snapshot THEN 'snapshot' ELSE 'live' END,
                  'snapshot', CASE WHEN t.from_snapshot THEN json_build_object(
                     'total', t.total, 'pinned', t.pinned, 'verifiedSignature', t.verified_signature,
                     'verifiedProvenance', t.verified_provenance, 'admitted', t.admitted, 'compliant', t.compliant) END,
                  'live', t.counts) ORDER BY t.day), '[]'::json)
          FROM trend t) AS trend`;
}

type TotalsJson = ComplianceCounts & {
  passing: number;
  failing: number;
  notEvaluated: number;
  failures: Record<PolicyRequirement, number>;
};
type TrendJson = { day: string; source: "snapshot" | "live"; snapshot: ComplianceCounts | null; live: ComplianceCounts | null };

function counts(from: Partial<ComplianceCounts> | null | undefined): ComplianceCounts {
  return Object.fromEntries(COMPLIANCE_MEASURES.map((m) => [m, Number(from?.[m] ?? 0)])) as ComplianceCounts;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The compliance view of `environment` over [from, to). An environment never seen answers zeros. */
export async function getCompliance(options: { environment: string; window: Window; now: Date; sql?: Sql }): Promise<ComplianceView> {
  const sql = options.sql ?? sqlFromPool();
  const { environment, window, now } = options;
  const days = trendDays(window, now);
  // Scan the whole days the trend covers, so its first and last day count every deployment of that day.
  const scanFrom = startOfUtcDay(window.from);
  const scanTo = new Date(Math.max(window.to.getTime(), days.length ? addDays(new Date(`${days.at(-1)}T00:00:00Z`), 1).getTime() : 0));
  const [[main], violations, exceptions] = await Promise.all([
    sql.query<{ known: boolean; totals: TotalsJson; trend: TrendJson[] }>(deploymentsStatement(), [
      environment,
      window.from.toISOString(),
      window.to.toISOString(),
      scanFrom.toISOString(),
      scanTo.toISOString(),
      days,
      utcDay(now),
    ]),
    sql.query<ComplianceViolation>(
      `SELECT a.rule,
              (array_agg(a.severity ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END))[1] AS severity,
              (count(*) FILTER (WHERE a.status = 'open'))::int AS open,
              (count(*) FILTER (WHERE a.status = 'acknowledged'))::int AS acknowledged
         FROM alerts a
        WHERE a.environment = $1 AND a.status IN ('open', 'acknowledged')
        GROUP BY a.rule
        ORDER BY min(CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END),
                 count(*) DESC, a.rule`,
      [environment],
    ),
    sql.query<{
      id: string;
      rule: string;
      severity: string;
      summary: string;
      subject_kind: string;
      subject_id: string;
      subject_label: string;
      suppression_reason: string | null;
      suppressed_until: Date | null;
      suppressed_at: Date | null;
      actor: string | null;
      actor_name: string | null;
    }>(
      `SELECT a.id, a.rule, a.severity, a.summary, a.subject_kind, a.subject_id, a.subject_label,
              a.suppression_reason, a.suppressed_until, ev.created_at AS suppressed_at, ev.actor,
              COALESCE(u.name, u.email) AS actor_name
         FROM alerts a
         LEFT JOIN LATERAL (SELECT e.actor, e.created_at FROM alert_events e
                             WHERE e.alert_id = a.id AND e.kind = 'suppressed'
                             ORDER BY e.created_at DESC, e.id DESC LIMIT 1) ev ON true
         LEFT JOIN users u ON ev.actor = 'user:' || u.id::text
        WHERE a.environment = $1 AND a.status = 'suppressed'
        ORDER BY a.suppressed_until NULLS LAST, a.id
        LIMIT ${EXCEPTIONS_LIMIT}`,
      [environment],
    ),
  ]);
  const totals = main?.totals;
  return {
    environment,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    deployments: counts(totals),
    environmentKnown: main?.known ?? false,
    policy: {
      passing: Number(totals?.passing ?? 0),
      failing: Number(totals?.failing ?? 0),
      notEvaluated: Number(totals?.notEvaluated ?? 0),
      failures: Object.fromEntries(POLICY_REQUIREMENTS.map((r) => [r, Number(totals?.failures?.[r] ?? 0)])) as Record<
        PolicyRequirement,
        number
      >,
    },
    violations: violations.map((v) => ({ rule: v.rule, severity: v.severity, open: Number(v.open), acknowledged: Number(v.acknowledged) })),
    exceptions: exceptions.map((e) => ({
      alertId: e.id,
      rule: e.rule,
      severity: e.severity,
      summary: e.summary,
      subject: { kind: e.subject_kind, id: e.subject_id, label: e.subject_label },
      justification: e.suppression_reason,
      until: iso(e.suppressed_until),
      suppressedAt: iso(e.suppressed_at),
      suppressedBy: e.actor ? { actor: e.actor, name: e.actor_name } : null,
    })),
    trend: (main?.trend ?? []).map((t) => ({ day: t.day, source: t.source, ...counts(t.source === "snapshot" ? t.snapshot : t.live) })),
  };
}

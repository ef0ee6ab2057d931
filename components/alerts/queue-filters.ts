// The queue's filters as the /alerts URL holds them, and the GET /api/v1/alerts query they make.
// Pure: the page reads them on the server for the first render, the queue in the browser after.
import { ALERT_SEVERITIES, ALERT_STATUSES, type AlertSeverity } from "@/lib/domain/alert-triage";

/** "active" (open and acknowledged: what needs someone) is the default view; "all" is every status. */
export const STATUS_VIEWS = ["active", ...ALERT_STATUSES, "all"] as const;
export type StatusView = (typeof STATUS_VIEWS)[number];

export const RANGES = { any: null, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export type Range = keyof typeof RANGES;

export type QueueFilters = {
  status: StatusView;
  severity: AlertSeverity[];
  rule: string;
  environment: string;
  /** "" (anyone), "me", "none" or a user id. */
  assignee: string;
  range: Range;
  sort: "updated" | "severity";
  q: string;
};

type Params = { get(name: string): string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function filtersFrom(sp: Params): QueueFilters {
  const status = sp.get("status") ?? "";
  const range = sp.get("range") ?? "";
  const assignee = sp.get("assignee") ?? "";
  return {
    status: (STATUS_VIEWS as readonly string[]).includes(status) ? (status as StatusView) : "active",
    severity: (sp.get("severity") ?? "").split(",").filter((s): s is AlertSeverity => (ALERT_SEVERITIES as readonly string[]).includes(s)),
    rule: (sp.get("rule") ?? "").slice(0, 100),
    environment: (sp.get("environment") ?? "").slice(0, 200),
    assignee: assignee === "me" || assignee === "none" || UUID.test(assignee) ? assignee : "",
    range: range in RANGES ? (range as Range) : "any",
    sort: sp.get("sort") === "severity" ? "severity" : "updated",
    q: (sp.get("q") ?? "").trim().slice(0, 200),
  };
}

/** The /alerts URL query of `f` (defaults left out, so a plain /alerts is the default view). */
export function urlQueryOf(f: QueueFilters): string {
  const p = new URLSearchParams();
  if (f.status !== "active") p.set("status", f.status);
  if (f.severity.length) p.set("severity", ALERT_SEVERITIES.filter((s) => f.severity.includes(s)).join(","));
  if (f.rule) p.set("rule", f.rule);
  if (f.environment) p.set("environment", f.environment);
  if (f.assignee) p.set("assignee", f.assignee);
  if (f.range !== "any") p.set("range", f.range);
  if (f.sort !== "updated") p.set("sort", f.sort);
  if (f.q) p.set("q", f.q);
  return p.toString();
}

/** GET /api/v1/alerts parameters for `f`; the time range is measured back from `now`. */
export function apiQueryOf(f: QueueFilters, options: { now: number; cursor?: string | null; limit?: number }): URLSearchParams {
  const p = new URLSearchParams();
  if (f.status === "active") p.set("status", "open,acknowledged");
  else if (f.status !== "all") p.set("status", f.status);
  if (f.severity.length) p.set("severity", f.severity.join(","));
  if (f.rule) p.set("rule", f.rule);
  if (f.environment) p.set("environment", f.environment);
  if (f.assignee) p.set("assignee", f.assignee);
  const span = RANGES[f.range];
  if (span !== null) p.set("from", new Date(options.now - span).toISOString());
  if (f.sort !== "updated") p.set("sort", f.sort);
  if (f.q) p.set("q", f.q);
  if (options.cursor) p.set("cursor", options.cursor);
  p.set("limit", String(options.limit ?? 25));
  return p;
}

export function isFiltered(f: QueueFilters): boolean {
  return Boolean(f.severity.length || f.rule || f.environment || f.assignee || f.range !== "any" || f.q);
}

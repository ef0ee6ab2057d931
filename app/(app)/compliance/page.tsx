import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { SeverityBadge } from "@/components/alerts/alert-badges";
import styles from "@/components/compliance/compliance.module.css";
import { ComplianceFilters as Filters } from "@/components/compliance/compliance-filters.client";
import {
  type ComplianceFilters,
  complianceHref,
  drillDownHref,
  MEASURE_KEYS,
  MEASURES,
  type MeasureKey,
  percent,
  REQUIREMENT_KEYS,
  REQUIREMENTS,
  readFilters,
} from "@/components/compliance/compliance-links";
import { ComplianceTrend } from "@/components/compliance/compliance-trend.client";
import { environmentHref } from "@/components/nouns/hrefs";
import nouns from "@/components/nouns/nouns.module.css";
import { Time } from "@/components/ui/time";
import { requirePagePermission } from "@/lib/auth/session";
import { ALERT_RULES } from "@/lib/domain/alert-rules";
import type { PageWindow } from "@/lib/domain/compliance-window";
import { type ComplianceView, getCompliance } from "@/lib/server/compliance/get-compliance";
import { defaultEnvironment, listComplianceEnvironments } from "@/lib/server/compliance/list-compliance-environments";
import { ZComplianceEnvironment } from "@/lib/server/compliance/schemas";
import { firstParam, MessageCard } from "../_nouns/params";
import { SectionSkeleton } from "../_nouns/section-skeleton";

export const metadata: Metadata = { title: "Compliance" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function CompliancePage({ searchParams }: Props) {
  await requirePagePermission("read", "/compliance");
  const sp = await searchParams;
  const now = new Date();
  const environments = await listComplianceEnvironments();
  const asked = firstParam(sp.environment);
  const environment = asked ?? defaultEnvironment(environments);
  const header = (
    <div className="page-header">
      <div>
        <h1>Compliance</h1>
        <p>
          Per environment and window: digest-pinned, signed by a trusted identity, with verified provenance, admitted, and passing the
          policy.
        </p>
      </div>
    </div>
  );
  if (!environment) {
    return (
      <>
        {header}
        <div className="card empty" data-testid="compliance-empty">
          <h2>No environments yet</h2>
          <p>
            Compliance is measured over deployments. Send CDEvents <code>service.deployed</code> events to <code>POST /api/v1/events</code>{" "}
            and each environment they name appears here.
          </p>
        </div>
      </>
    );
  }
  const { window, filters } = readFilters({ sp, environment, now });
  const valid = ZComplianceEnvironment.safeParse(environment);
  return (
    <>
      {header}
      <Filters environments={environments} current={filters} />
      {window.error ? (
        <div className="alert alert-warn" role="alert">
          {window.error} Showing the last 30 days instead.
        </div>
      ) : null}
      {valid.success ? (
        <Suspense key={JSON.stringify(filters)} fallback={<ViewSkeleton />}>
          <ComplianceBody filters={filters} window={window} now={now} />
        </Suspense>
      ) : (
        <MessageCard alert title="Not an environment name" back={{ href: "/compliance", label: "Compliance" }}>
          Environment names are letters, digits, dots, underscores and dashes (at most 100).
        </MessageCard>
      )}
    </>
  );
}

function ViewSkeleton() {
  return (
    <div data-testid="compliance-loading">
      <div className={styles.figures}>
        {MEASURE_KEYS.map((m) => (
          <div key={m} className={styles.measure}>
            <span className={styles.measureLabel}>{MEASURES[m].label}</span>
            <div className="skeleton" style={{ height: "1.9rem", width: "55%" }} />
            <div className="skeleton" style={{ width: "80%" }} />
          </div>
        ))}
      </div>
      <div className="card">
        <SectionSkeleton label="Counting the deployments in this window…" />
      </div>
    </div>
  );
}

/** "2026-10-28 – 2026-11-26": the window's first and last day (UTC), as a person reads it. */
function windowText(w: PageWindow, now: Date): string {
  const last = new Date(w.to.getTime() - 1);
  const end = w.to.getTime() >= now.getTime() ? "now" : last.toISOString().slice(0, 10);
  return `${w.from.toISOString().slice(0, 10)} – ${end}`;
}

async function ComplianceBody({ filters, window, now }: { filters: ComplianceFilters; window: PageWindow; now: Date }) {
  const view = await getCompliance({ environment: filters.environment, window, now });
  const total = view.deployments.total;
  return (
    <>
      <p className={styles.scope} data-testid="compliance-scope">
        <span>
          <strong>{view.environment}</strong> · {windowText(window, now)} (UTC)
        </span>
        <Link href={environmentHref(view.environment)} className="small">
          Environment page
        </Link>
      </p>
      {total === 0 ? (
        <>
          <div className="card empty" data-testid="compliance-empty">
            <h2>No deployments in {view.environment} in this window</h2>
            <p>
              {view.environmentKnown
                ? "Nothing ran there between these dates: there is nothing to measure. Choose a longer window, or another environment."
                : `Vitrine has not seen an environment named ${view.environment}. Deployments name their environment in CDEvents service.* events.`}
            </p>
            {view.environmentKnown && filters.window !== "90d" ? (
              <Link className="btn" href={complianceHref({ environment: view.environment, window: "90d" })}>
                Show the last 90 days
              </Link>
            ) : null}
          </div>
          <div className={styles.grid}>
            <Violations view={view} />
            <Exceptions view={view} />
          </div>
        </>
      ) : (
        <>
          <Figures view={view} filters={filters} />
          <div className={styles.grid}>
            <PolicyFailures view={view} filters={filters} />
            <Violations view={view} />
          </div>
          <Exceptions view={view} spaced />
        </>
      )}
      {total > 0 ? (
        <section className={`card ${styles.spaced}`} aria-labelledby="trend-title">
          <div className={styles.sectionHead}>
            <h2 id="trend-title">Trend</h2>
            <span className="muted small">share of the day's deployments, per UTC day</span>
          </div>
          <ComplianceTrend days={view.trend} environment={view.environment} />
        </section>
      ) : null}
    </>
  );
}

function Figures({ view, filters }: { view: ComplianceView; filters: ComplianceFilters }) {
  const total = view.deployments.total;
  return (
    <section aria-label="Compliance figures" className={styles.figures}>
      {MEASURE_KEYS.map((m: MeasureKey) => {
        const n = view.deployments[m];
        const missed = total - n;
        if (m === "total") {
          return (
            <div key={m} className={`${styles.measure} ${styles.measureTotal}`} data-testid="figure-total">
              <span className={styles.measureLabel}>{MEASURES.total.label}</span>
              <span className={styles.measureValue}>
                <Link href={drillDownHref(filters, { measure: "total" })} data-testid="figure-total-value">
                  {total.toLocaleString("en")}
                </Link>
              </span>
              <span className={styles.measureHelp}>{MEASURES.total.help}</span>
            </div>
          );
        }
        return (
          <div key={m} className={styles.measure} data-testid={`figure-${m}`}>
            <span className={styles.measureLabel}>{MEASURES[m].label}</span>
            <span className={styles.measureValue}>
              <Link href={drillDownHref(filters, { measure: m })} data-testid={`figure-${m}-share`}>
                {percent(n, total)}
              </Link>
            </span>
            <span className={styles.measureOf}>
              <Link href={drillDownHref(filters, { measure: m })} data-testid={`figure-${m}-count`}>
                {n.toLocaleString("en")} of {total.toLocaleString("en")}
              </Link>
            </span>
            <div className={styles.bar} aria-hidden="true">
              <span className={styles.barMet} style={{ width: `${(n / total) * 100}%` }} />
              <span className={styles.barMissed} style={{ width: `${(missed / total) * 100}%` }} />
            </div>
            {missed > 0 ? (
              <span className={styles.missed}>
                <Link href={drillDownHref(filters, { measure: m, value: false })} data-testid={`figure-${m}-missed`}>
                  {missed.toLocaleString("en")} {MEASURES[m].missing.toLowerCase()}
                </Link>
              </span>
            ) : (
              <span className={styles.allMet}>✓ all of them</span>
            )}
            <span className={styles.measureHelp}>{MEASURES[m].help}</span>
          </div>
        );
      })}
    </section>
  );
}

function PolicyFailures({ view, filters }: { view: ComplianceView; filters: ComplianceFilters }) {
  const { policy } = view;
  const total = view.deployments.total;
  return (
    <section className="card" aria-labelledby="policy-title">
      <div className={styles.sectionHead}>
        <h2 id="policy-title">Policy results per requirement</h2>
        <Link className="small" href={drillDownHref(filters, { measure: "compliant", value: false })}>
          {policy.failing.toLocaleString("en")} failing
        </Link>
      </div>
      <ul className={styles.rows} aria-label="Deployments failing each requirement">
        {REQUIREMENT_KEYS.map((r) => {
          const n = policy.failures[r];
          return (
            <li key={r} data-testid={`failures-${r}`}>
              <span className={styles.rowLabel}>
                <strong>{REQUIREMENTS[r]}</strong>
              </span>
              <span className={styles.rowFigures}>
                {n > 0 ? (
                  <Link href={drillDownHref(filters, { measure: "total", requirement: r })}>
                    <span className="badge badge-bad">{n.toLocaleString("en")} failing</span>
                  </Link>
                ) : (
                  <span className="badge badge-ok">none failing</span>
                )}
                <span className={styles.share}>{percent(n, total)}</span>
              </span>
            </li>
          );
        })}
      </ul>
      <p className="muted small" style={{ margin: "0.6rem 0 0" }}>
        {policy.passing.toLocaleString("en")} pass, {policy.failing.toLocaleString("en")} fail
        {policy.notEvaluated ? `, ${policy.notEvaluated.toLocaleString("en")} not evaluated yet` : ""}. A deployment can fail several
        requirements.
      </p>
    </section>
  );
}

function ruleTitle(rule: string): string {
  return (ALERT_RULES as Record<string, { title: string } | undefined>)[rule]?.title ?? rule;
}

function alertsHref(query: Record<string, string>): string {
  return `/alerts?${new URLSearchParams(query).toString()}`;
}

function Violations({ view }: { view: ComplianceView }) {
  return (
    <section className="card" aria-labelledby="violations-title">
      <div className={styles.sectionHead}>
        <h2 id="violations-title">Open violations</h2>
        <Link className="small" href={alertsHref({ environment: view.environment })}>
          Alert queue
        </Link>
      </div>
      {view.violations.length === 0 ? (
        <p className="muted" data-testid="violations-none">
          No open or acknowledged alerts in {view.environment} now.
        </p>
      ) : (
        <ul className={styles.rows} aria-label="Open alerts by rule">
          {view.violations.map((v) => (
            <li key={v.rule} data-testid="violation-row">
              <span className={styles.rowLabel}>
                <Link className={styles.rule} href={alertsHref({ rule: v.rule, environment: view.environment })}>
                  {ruleTitle(v.rule)}
                </Link>
                <span className={styles.code}>{v.rule}</span>
              </span>
              <span className={styles.rowFigures}>
                <SeverityBadge severity={v.severity} />
                <span>
                  <strong>{v.open}</strong> open
                  {v.acknowledged ? (
                    <>
                      , <strong>{v.acknowledged}</strong> acknowledged
                    </>
                  ) : null}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="muted small" style={{ margin: "0.6rem 0 0" }}>
        Alerts as they stand now, whatever the window.
      </p>
    </section>
  );
}

function Exceptions({ view, spaced = false }: { view: ComplianceView; spaced?: boolean }) {
  return (
    <section className={`card ${spaced ? styles.spaced : ""}`} aria-labelledby="exceptions-title">
      <div className={styles.sectionHead}>
        <h2 id="exceptions-title">Exceptions</h2>
        <Link className="small" href={alertsHref({ status: "suppressed", environment: view.environment })}>
          Suppressed alerts
        </Link>
      </div>
      {view.exceptions.length === 0 ? (
        <p className="muted" data-testid="exceptions-none">
          No alert in {view.environment} is suppressed now.
        </p>
      ) : (
        <div className="table-wrap">
          <table className={nouns.stack} aria-label="Suppressed alerts with their justification">
            <thead>
              <tr>
                <th scope="col">Alert</th>
                <th scope="col">Justification</th>
                <th scope="col">Until</th>
                <th scope="col">Granted by</th>
              </tr>
            </thead>
            <tbody>
              {view.exceptions.map((e) => (
                <tr key={e.alertId} data-testid="exception-row">
                  <td data-label="Alert" className="wrap-anywhere">
                    <SeverityBadge severity={e.severity} />{" "}
                    <Link href={`/alerts/${e.alertId}`}>
                      <strong>{ruleTitle(e.rule)}</strong>
                    </Link>
                    <div className="small muted">{e.subject.label}</div>
                  </td>
                  <td data-label="Justification" className="wrap-anywhere">
                    {e.justification ?? <span className="muted">none recorded</span>}
                  </td>
                  <td data-label="Until">{e.until ? <Time iso={e.until} /> : <span className="muted">no end</span>}</td>
                  <td data-label="Granted by" className="wrap-anywhere">
                    {e.suppressedBy ? (e.suppressedBy.name ?? e.suppressedBy.actor) : <span className="muted">unknown</span>}
                    {e.suppressedAt ? (
                      <div className="small muted">
                        <Time iso={e.suppressedAt} />
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

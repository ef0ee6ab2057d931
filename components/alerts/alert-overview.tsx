// The Overview's alert section: open alerts by severity, new alerts per day, mean times to
// acknowledge and resolve (30 days), the rules that fire most, and the newest critical alerts.
import Link from "next/link";
import type { AlertStats } from "@/lib/server/alerts/alert-stats";
import { SeverityBadge, StatusBadge } from "./alert-badges";
import { NewAlertsChart, OpenBySeverityChart, ResponseTimesChart } from "./alert-charts.client";
import styles from "./alerts.module.css";
import { formatDuration, ruleTitle } from "./format";

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className={styles.figure}>
      <div className={styles.figureValue} data-testid={testId}>
        {value}
      </div>
      <div className={styles.figureLabel}>{label}</div>
    </div>
  );
}

export function AlertOverview({ stats }: { stats: AlertStats }) {
  const active = stats.openBySeverity.reduce((n, s) => n + s.open + s.acknowledged, 0);
  const unacknowledged = stats.openBySeverity.reduce((n, s) => n + s.open, 0);
  const maxRule = Math.max(1, ...stats.topRules.map((r) => r.alerts));
  return (
    <section aria-labelledby="alerts-overview-heading" style={{ marginBottom: "1.25rem" }}>
      <div className={styles.sectionHead}>
        <h2 id="alerts-overview-heading">Alerts</h2>
        <Link href="/alerts">{active ? `Open the queue (${active} need${active === 1 ? "s" : ""} attention)` : "Open the queue"}</Link>
      </div>
      <div className={styles.overviewGrid}>
        <section className="card" aria-labelledby="open-by-severity">
          <div className={styles.sectionHead}>
            <h3 id="open-by-severity" style={{ fontSize: "1rem", margin: "0 0 0.5rem" }}>
              Open alerts by severity
            </h3>
            {unacknowledged ? (
              <Link href="/alerts?status=open" className="small">
                {unacknowledged} not acknowledged
              </Link>
            ) : null}
          </div>
          <OpenBySeverityChart data={stats.openBySeverity} />
        </section>
        <section className="card" aria-labelledby="new-per-day">
          <h3 id="new-per-day" style={{ fontSize: "1rem", margin: "0 0 0.5rem" }}>
            New alerts per day <span className="muted small">(last {stats.days} days, UTC)</span>
          </h3>
          <NewAlertsChart days={stats.perDay} />
        </section>
        <section className="card" aria-labelledby="response-times">
          <h3 id="response-times" style={{ fontSize: "1rem", margin: "0 0 0.5rem" }}>
            Time to acknowledge and to resolve
          </h3>
          <div className={styles.figures}>
            <Figure label={`mean to acknowledge (${stats.acknowledgements})`} value={formatDuration(stats.meanAckSeconds)} testId="mtta" />
            <Figure label={`mean to resolve (${stats.resolutions})`} value={formatDuration(stats.meanResolveSeconds)} testId="mttr" />
          </div>
          <ResponseTimesChart stats={stats} />
        </section>
        <section className="card" aria-labelledby="top-rules">
          <h3 id="top-rules" style={{ fontSize: "1rem", margin: "0 0 0.5rem" }}>
            Most frequent rules <span className="muted small">(alerts that fired in the last {stats.days} days)</span>
          </h3>
          {stats.topRules.length === 0 ? (
            <p className="muted">No rule fired in the last {stats.days} days.</p>
          ) : (
            <ol className={styles.ruleList} data-testid="top-rules">
              {stats.topRules.map((r) => (
                <li key={r.rule}>
                  <Link href={`/alerts?status=all&rule=${encodeURIComponent(r.rule)}`}>{ruleTitle(r.rule)}</Link>
                  <span className="small">
                    <strong>{r.alerts}</strong> <span className="muted">({r.active} active)</span>
                  </span>
                  <span className={styles.ruleBar} aria-hidden="true">
                    <span style={{ width: `${Math.round((r.alerts / maxRule) * 100)}%` }} />
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="newest-critical">
        <div className={styles.sectionHead}>
          <h3 id="newest-critical" style={{ fontSize: "1rem", margin: "0 0 0.5rem" }}>
            Newest critical alerts
          </h3>
          <Link href="/alerts?status=all&severity=critical" className="small">
            All critical alerts
          </Link>
        </div>
        {stats.newestCritical.length === 0 ? (
          <p className="muted">No critical alert has ever fired.</p>
        ) : (
          <ol className={styles.queue} data-testid="newest-critical">
            {stats.newestCritical.map((a) => (
              <li key={a.id} className={styles.row}>
                <div className={styles.rowBadges}>
                  <SeverityBadge severity={a.severity} />
                  <StatusBadge status={a.status} />
                </div>
                <div className={styles.rowMain}>
                  <Link href={`/alerts/${a.id}`} className={styles.rowTitle}>
                    {a.summary}
                  </Link>
                  <div className={styles.rowMeta}>
                    <span>{ruleTitle(a.rule)}</span>
                    {a.environment ? <span>env: {a.environment}</span> : null}
                  </div>
                </div>
                <div className={styles.rowSide}>
                  <time dateTime={a.createdAt}>{a.createdAt.slice(0, 16).replace("T", " ")} UTC</time>
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </section>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AlertActions } from "@/components/alerts/alert-actions.client";
import { SeverityBadge, StatusBadge } from "@/components/alerts/alert-badges";
import styles from "@/components/alerts/alerts.module.css";
import { eventTitle, ruleTitle } from "@/components/alerts/format";
import { SubjectLineage } from "@/components/alerts/subject-lineage";
import { CopyButton } from "@/components/ui/copy-button";
import { Time } from "@/components/ui/time";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { allowedActions, isAlertStatus } from "@/lib/domain/alert-triage";
import type { LineageGraph } from "@/lib/domain/lineage";
import { type AlertDetail, type AlertTimelineEvent, getAlert } from "@/lib/server/alerts/get-alert";
import { getLineage } from "@/lib/server/lineage/get-lineage";
import { DeliveryLog } from "./delivery-log.client";

export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Props = { params: Promise<{ id: string }> };

export const metadata: Metadata = { title: "Alert" };

const DOT: Record<string, { glyph: string; tone: string | undefined }> = {
  fired: { glyph: "!", tone: styles.dotBad },
  refired: { glyph: "!", tone: styles.dotBad },
  reopened: { glyph: "↺", tone: styles.dotBad },
  unsuppressed: { glyph: "↺", tone: styles.dotBad },
  escalated: { glyph: "⇡", tone: styles.dotBad },
  "severity-raised": { glyph: "⇡", tone: styles.dotBad },
  acknowledged: { glyph: "◐", tone: styles.dotInfo },
  assigned: { glyph: "→", tone: styles.dotInfo },
  commented: { glyph: "✎", tone: undefined },
  resolved: { glyph: "✓", tone: styles.dotOk },
  "condition-cleared": { glyph: "✓", tone: styles.dotOk },
  suppressed: { glyph: "◌", tone: undefined },
};

function eventDetail(e: AlertTimelineEvent): string | null {
  const d = (e.data && typeof e.data === "object" ? e.data : {}) as Record<string, unknown>;
  if (e.kind === "assigned") {
    const who = d.assignee as { name?: string | null; email?: string } | null | undefined;
    return who ? `to ${who.name ?? who.email}` : "unassigned";
  }
  if (e.kind === "suppressed" && typeof d.until === "string") return `until ${d.until.slice(0, 16).replace("T", " ")} UTC`;
  return null;
}

function Timeline({ events, summary }: { events: AlertTimelineEvent[]; summary: string }) {
  if (!events.length) return <p className="muted">No events recorded.</p>;
  return (
    <ol className={styles.timeline} data-testid="alert-timeline">
      {events.map((e) => {
        const dot = DOT[e.kind] ?? { glyph: "•", tone: undefined };
        const detail = eventDetail(e);
        return (
          <li key={e.id} className={styles.event} data-kind={e.kind}>
            <span className={`${styles.eventDot} ${dot.tone ?? ""}`} aria-hidden="true">
              {dot.glyph}
            </span>
            <div>
              <div className={styles.eventHead}>
                <strong>{eventTitle(e.kind)}</strong>
                {detail ? <span>{detail}</span> : null}
              </div>
              <div className={styles.eventMeta}>
                by {e.actor.label} · <Time iso={e.createdAt} />
                {e.ledgerSequence ? (
                  <>
                    {" · "}
                    {e.ledgerHref ? <Link href={e.ledgerHref}>ledger #{e.ledgerSequence}</Link> : <>ledger #{e.ledgerSequence}</>}
                  </>
                ) : null}
              </div>
              {/* The rule engine notes the summary when it fires; the page title already says it. */}
              {e.note && e.note !== summary ? <p className={styles.note}>{e.note}</p> : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function Evidence({ alert }: { alert: AlertDetail }) {
  const { documents, ledger, facts } = alert.evidence;
  if (!documents.length && !ledger.length && !facts.length) return <p className="muted">The rule recorded no evidence.</p>;
  return (
    <dl className={styles.props} data-testid="alert-evidence">
      {facts.map((f) => (
        <div key={f.key} style={{ display: "contents" }}>
          <dt>{f.key}</dt>
          <dd className={f.value.length > 40 ? "mono small" : undefined}>{f.href ? <Link href={f.href}>{f.value}</Link> : f.value}</dd>
        </div>
      ))}
      {documents.length ? (
        <>
          <dt>Documents</dt>
          <dd>
            <ul className={styles.evidenceList}>
              {documents.map((d) => (
                <li key={d.id}>
                  {d.href ? (
                    <a href={d.href} className="mono small" target="_blank" rel="noopener">
                      {d.id.slice(0, 13)}…
                    </a>
                  ) : (
                    <span className="mono small" title="The documents are shown to ledger readers">
                      {d.id.slice(0, 13)}…
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </dd>
        </>
      ) : null}
      {ledger.length ? (
        <>
          <dt>Ledger entries</dt>
          <dd>
            <ul className={styles.evidenceList}>
              {ledger.map((l) => (
                <li key={l.sequence}>{l.href ? <Link href={l.href}>#{l.sequence}</Link> : `#${l.sequence}`}</li>
              ))}
            </ul>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

async function lineageOf(digest: string | null): Promise<LineageGraph | null> {
  if (!digest) return null;
  try {
    return await getLineage({ digest, depth: 1, now: new Date(), maxNodes: 200 });
  } catch {
    // An artefact Vitrine does not know (yet): the page links to the graph page instead.
    return null;
  }
}

export default async function AlertPage({ params }: Props) {
  const { id } = await params;
  const user = await requirePagePermission("read", `/alerts/${encodeURIComponent(id)}`);
  if (!UUID.test(id)) notFound();
  const alert = await getAlert({ id, canReadLedger: actorCan(user, "ledger:read") });
  if (!alert) notFound();
  const lineage = await lineageOf(alert.artifactDigest);
  const canTriage = actorCan(user, "alerts:triage");
  const actions = isAlertStatus(alert.status) ? allowedActions(alert.status) : [];
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <p className="muted small">
            <Link href="/alerts">Alerts</Link> / {ruleTitle(alert.rule)}
          </p>
          <h1 className={`wrap-anywhere ${styles.title}`}>{alert.summary}</h1>
          <div className={styles.headerBadges}>
            <SeverityBadge severity={alert.severity} />
            <StatusBadge status={alert.status} />
            <code>{alert.rule}</code>
            {alert.environment ? <span className="muted">in {alert.environment}</span> : null}
          </div>
        </div>
      </div>

      {alert.status === "suppressed" && alert.suppressedUntil ? (
        <div className="alert alert-warn" role="note">
          <strong>
            Suppressed until <Time iso={alert.suppressedUntil} />.
          </strong>{" "}
          {alert.suppressionReason}
        </div>
      ) : null}

      <div className={styles.detailGrid}>
        <div className={styles.stack}>
          <section className="card" aria-labelledby="what-heading">
            <h2 id="what-heading">What fired</h2>
            <dl className={styles.props}>
              <dt>Subject</dt>
              <dd data-testid="alert-subject">
                {alert.subject.kind}:{" "}
                {alert.subject.href ? <Link href={alert.subject.href}>{alert.subject.label}</Link> : <strong>{alert.subject.label}</strong>}
              </dd>
              {alert.artifactDigest && alert.subject.kind !== "artifact" ? (
                <>
                  <dt>Artefact</dt>
                  <dd className="digest">
                    <Link href={`/artifacts/${encodeURIComponent(alert.artifactDigest)}`}>{alert.artifactDigest}</Link>
                  </dd>
                </>
              ) : null}
              <dt>Environment</dt>
              <dd>
                {alert.environment ? (
                  <Link href={`/environments/${encodeURIComponent(alert.environment)}`}>{alert.environment}</Link>
                ) : (
                  <span className="muted">none (not tied to one environment)</span>
                )}
              </dd>
              <dt>Rule</dt>
              <dd>
                {ruleTitle(alert.rule)} <code className="muted">{alert.rule}</code>
              </dd>
              <dt>Condition</dt>
              <dd>
                {alert.conditionActive ? (
                  <span className={styles.conditionActive}>still present</span>
                ) : (
                  <span className={styles.conditionCleared}>cleared</span>
                )}
              </dd>
              <dt>First fired</dt>
              <dd>
                <Time iso={alert.firstFiredAt} />
              </dd>
              <dt>Last fired</dt>
              <dd>
                <Time iso={alert.lastFiredAt} /> {alert.fireCount > 1 ? <span className="muted">({alert.fireCount} times)</span> : null}
              </dd>
              <dt>Assignee</dt>
              <dd data-testid="alert-assignee">
                {alert.assignee ? (alert.assignee.name ?? alert.assignee.email) : <span className="muted">nobody</span>}
              </dd>
              {alert.acknowledgedAt ? (
                <>
                  <dt>Acknowledged</dt>
                  <dd>
                    <Time iso={alert.acknowledgedAt} />
                  </dd>
                </>
              ) : null}
              {alert.resolvedAt ? (
                <>
                  <dt>Resolved</dt>
                  <dd>
                    <Time iso={alert.resolvedAt} />
                  </dd>
                </>
              ) : null}
              <dt>Alert id</dt>
              <dd className="mono small">
                {alert.id} <CopyButton value={alert.id} label="Copy alert id" />
              </dd>
            </dl>
          </section>

          <section className="card" aria-labelledby="evidence-heading">
            <h2 id="evidence-heading">Evidence</h2>
            <Evidence alert={alert} />
          </section>

          {alert.artifactDigest ? (
            lineage ? (
              <SubjectLineage graph={lineage} digest={alert.artifactDigest} />
            ) : (
              <section className="card" aria-labelledby="lineage-heading">
                <h2 id="lineage-heading">Lineage of the artefact</h2>
                <p>
                  <Link href={`/lineage?digest=${encodeURIComponent(alert.artifactDigest)}`}>Open the lineage graph</Link>
                </p>
              </section>
            )
          ) : null}

          <section className="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <Timeline events={alert.timeline} summary={alert.summary} />
          </section>
        </div>

        <div className={`${styles.stack} ${canTriage ? styles.triageFirst : ""}`}>
          {canTriage ? (
            <AlertActions
              alertId={alert.id}
              allowed={actions}
              assignee={alert.assignee}
              currentUserId={user.id}
              conditionActive={alert.conditionActive}
            />
          ) : (
            <section className="card" aria-labelledby="actions-heading">
              <h2 id="actions-heading">Triage</h2>
              <p className="muted">
                Your role ({user.role}) may read alerts. Acknowledging, assigning, commenting, resolving and suppressing are for admin,
                security and on-call.
              </p>
            </section>
          )}
        </div>
      </div>

      <DeliveryLog alertId={alert.id} canConfigure={actorCan(user, "settings:read")} />
    </>
  );
}

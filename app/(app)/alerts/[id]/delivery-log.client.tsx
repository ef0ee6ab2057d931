"use client";

// The alert page's Notifications section: every delivery of this alert to a channel (GET
// /api/v1/alerts/{id}/deliveries), its status, attempts with the receiver's status codes or errors,
// and the next retry. Refreshed every 10 s while a delivery is pending. Everything a receiver or a
// channel sent back (status codes, errors, Location headers) is rendered as text, never as markup.
import { type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import type { DeliveryAttempt, DeliveryItem, DeliveryPage } from "@/lib/server/notifications/list-deliveries";
import styles from "./delivery-log.module.css";

const REFRESH_MS = 10_000;

export const deliveryKeys = {
  list: (alertId: string) => ["alerts", "deliveries", alertId] as const,
};

export function fetchDeliveries(alertId: string, cursor: string | null): Promise<DeliveryPage> {
  const qs = cursor ? `?${new URLSearchParams({ cursor }).toString()}` : "";
  return fetchJson<DeliveryPage>(`/api/v1/alerts/${encodeURIComponent(alertId)}/deliveries${qs}`);
}

type Phase = "pending" | "retrying" | "delivered" | "failed";

const PHASE: Record<Phase, { label: string; glyph: string; badge: string }> = {
  pending: { label: "Pending", glyph: "○", badge: "badge" },
  retrying: { label: "Retrying", glyph: "↻", badge: "badge badge-warn" },
  delivered: { label: "Delivered", glyph: "✓", badge: "badge badge-ok" },
  failed: { label: "Failed", glyph: "✕", badge: "badge badge-bad" },
};

function phaseOf(d: DeliveryItem): Phase {
  if (d.status === "delivered" || d.status === "failed") return d.status;
  return d.attemptCount > 0 ? "retrying" : "pending";
}

const KIND: Record<string, string> = { webhook: "Webhook", slack: "Slack-compatible", email: "Email" };

/** "open:1" -> "Opened"; "reopened:2" -> "Reopened (2nd time)"; "escalated:3" -> "Escalated (3)"; "severity:high:1" -> "Severity raised to high". */
function stateTitle(state: string): string {
  const [kind, a, b] = state.split(":");
  if (kind === "open") return "Opened";
  if (kind === "reopened") return a ? `Reopened (${a})` : "Reopened";
  if (kind === "escalated") return a ? `Escalated (${a})` : "Escalated";
  if (kind === "severity" && a) return `Severity raised to ${a}${b ? ` (${b})` : ""}`;
  return state;
}

/** To the second, in UTC (retries are seconds apart); may wrap between the date and the time. */
function At({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">—</span>;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <time dateTime={iso}>{iso}</time>;
  const text = d.toISOString();
  return (
    <time dateTime={iso} className={styles.time}>
      <span>{text.slice(0, 10)}</span> <span>{text.slice(11, 19)} UTC</span>
    </time>
  );
}

/** The receiver's answer as text: "HTTP 503", an error, or both when the error says more than the code. */
function Answer({ statusCode, error }: { statusCode: number | null; error: string | null }) {
  const code = statusCode !== null ? `HTTP ${statusCode}` : null;
  const extra = error && error !== code ? error : null;
  if (!code && !extra) return <span className="muted">—</span>;
  return (
    <>
      {code ? <span className={styles.num}>{code}</span> : null}
      {extra ? <span className={styles.error}>{extra}</span> : null}
    </>
  );
}

function Attempts({ attempts }: { attempts: DeliveryAttempt[] }) {
  if (attempts.length === 0) return <span className={styles.sub}>not tried yet</span>;
  return (
    <details className={styles.attempts}>
      <summary>
        <span className={styles.num}>{attempts.length}</span> {attempts.length === 1 ? "attempt" : "attempts"}
      </summary>
      <ol>
        {attempts.map((a, i) => (
          // Attempts are appended, never reordered: the index is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={i}>
            <At iso={a.at || null} /> · <Answer statusCode={a.statusCode} error={a.error} />
            {a.ms !== null ? <span className="muted"> · {a.ms} ms</span> : null}
            {a.permanent ? <span className="muted"> · not retried</span> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** When it was delivered, or when it is tried again, or that it will not be; and when it was queued. */
function When({ d }: { d: DeliveryItem }) {
  let main: ReactNode;
  if (d.status === "delivered") {
    main = (
      <>
        delivered <At iso={d.deliveredAt} />
      </>
    );
  } else if (d.status === "failed") {
    main = <span className="muted">{d.attempts.at(-1)?.permanent ? "failed, not retried" : "failed, gave up"}</span>;
  } else if (d.nextAttemptAt) {
    main = (
      <>
        next attempt <At iso={d.nextAttemptAt} />
      </>
    );
  } else {
    main = <span className="muted">waiting for the queue</span>;
  }
  return (
    <>
      <span className={styles.line} data-testid="delivery-when">
        {main}
      </span>
      <span className={styles.sub}>
        queued <At iso={d.createdAt} />
      </span>
    </>
  );
}

function Row({ d }: { d: DeliveryItem }) {
  const phase = phaseOf(d);
  const p = PHASE[phase];
  return (
    <tr data-testid="delivery-row" data-status={phase} data-channel={d.channel.name}>
      <td data-label="Channel" className={styles.text}>
        <strong>{d.channel.name}</strong>
        <span className={styles.sub}>{KIND[d.channel.kind] ?? d.channel.kind}</span>
      </td>
      <td data-label="Alert state">
        {stateTitle(d.state)}
        <span className={`${styles.sub} mono`}>{d.state}</span>
      </td>
      <td data-label="Status">
        <span className={`${p.badge} ${styles.status}`} data-testid="delivery-status">
          <span aria-hidden="true">{p.glyph}</span>
          {p.label}
        </span>
        <Attempts attempts={d.attempts} />
      </td>
      <td data-label="Last answer" data-testid="delivery-answer" className={styles.answer}>
        <Answer statusCode={d.lastStatusCode} error={d.lastError} />
        {d.lastAttemptAt ? (
          <span className={styles.sub}>
            at <At iso={d.lastAttemptAt} />
          </span>
        ) : null}
      </td>
      <td data-label="When">
        <When d={d} />
      </td>
    </tr>
  );
}

function hasPending(data: InfiniteData<DeliveryPage> | undefined): boolean {
  return Boolean(data?.pages.some((page) => page.items.some((d) => d.status === "pending")));
}

function summaryOf(counts: DeliveryPage["counts"]): string {
  const parts = [`${counts.delivered} delivered`];
  if (counts.pending) parts.push(`${counts.pending} pending or retrying`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  return `${counts.total} ${counts.total === 1 ? "delivery" : "deliveries"}: ${parts.join(", ")}`;
}

export function DeliveryLog({ alertId, canConfigure }: { alertId: string; canConfigure: boolean }) {
  const query = useInfiniteQuery({
    queryKey: deliveryKeys.list(alertId),
    queryFn: ({ pageParam }) => fetchDeliveries(alertId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (q) => (hasPending(q.state.data) ? REFRESH_MS : false),
  });
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  const counts = query.data?.pages[0]?.counts;

  let body: ReactNode;
  if (query.isPending) {
    body = (
      <div className={styles.loading} role="status" aria-live="polite" data-testid="notifications-loading">
        <span className={styles.srOnly}>Loading the notifications of this alert…</span>
        <div className="skeleton" aria-hidden="true" />
        <div className="skeleton" aria-hidden="true" style={{ width: "70%" }} />
      </div>
    );
  } else if (query.isError) {
    const message = query.error instanceof ApiError || query.error instanceof Error ? query.error.message : String(query.error);
    body = (
      <div className="alert alert-bad" role="alert">
        Could not load the notifications: {message}{" "}
        <button type="button" className="btn btn-small" onClick={() => query.refetch()}>
          Try again
        </button>
      </div>
    );
  } else if (items.length === 0) {
    body = (
      <div className={styles.empty} data-testid="notifications-empty">
        <p>
          <strong>No notifications sent for this alert</strong>
        </p>
        {canConfigure ? (
          <p className="muted">
            No channel&apos;s routing (severity, rules, environments) matched it, or no channel is set up. Configure channels in{" "}
            <Link href="/settings/notifications">Settings &gt; Notifications</Link>.
          </p>
        ) : (
          <p className="muted">Notification channels are configured by admin and security in Settings &gt; Notifications.</p>
        )}
      </div>
    );
  } else {
    body = (
      <>
        {counts ? (
          <p className={styles.summary} data-testid="notifications-summary">
            {summaryOf(counts)}
          </p>
        ) : null}
        <div className={styles.scroll}>
          <table className={styles.table}>
            <caption className={styles.srOnly}>Deliveries of this alert to notification channels, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Alert state</th>
                <th scope="col">Status and attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <Row key={d.id} d={d} />
              ))}
            </tbody>
          </table>
        </div>
        {query.hasNextPage ? (
          <button
            type="button"
            className={`btn btn-small ${styles.more}`}
            onClick={() => query.fetchNextPage()}
            disabled={query.isFetchingNextPage}
          >
            {query.isFetchingNextPage ? "Loading…" : "Show more deliveries"}
          </button>
        ) : null}
      </>
    );
  }

  return (
    <section className={`card ${styles.section}`} aria-labelledby="notifications-heading" data-testid="alert-notifications">
      <div className={styles.head}>
        <h2 id="notifications-heading">Notifications</h2>
      </div>
      {body}
    </section>
  );
}

"use client";

// The alert queue (/alerts): filters kept in the URL, counts per severity and status that refresh
// every 10 s, keyset pages, and keyboard shortcuts (j/k, Enter, a, e, /, ?) that act only when the
// focus is not in a form field. The server decides what each role may do; this only hides buttons.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { ApiError } from "@/components/ui/fetch-json.client";
import { ALERT_SEVERITIES, type AlertSeverity, checkTransition, isAlertStatus, MAX_NOTE_LENGTH } from "@/lib/domain/alert-triage";
import type { AlertListItem } from "@/lib/server/alerts/alert-row";
import type { AlertPage } from "@/lib/server/alerts/list-alerts";
import { alertKeys, fetchAlertPage, triage } from "./alert-api.client";
import { SeverityBadge, StatusBadge } from "./alert-badges";
import styles from "./alerts.module.css";
import { KNOWN_RULES, ruleTitle, timeAgo } from "./format";
import {
  apiQueryOf,
  filtersFrom,
  isFiltered,
  type QueueFilters,
  type Range,
  STATUS_VIEWS,
  type StatusView,
  urlQueryOf,
} from "./queue-filters";

const REFRESH_MS = 10_000;
const PAGE_SIZE = 25;

const STATUS_LABEL: Record<StatusView, string> = {
  active: "Needs attention",
  open: "Open",
  acknowledged: "Acknowledged",
  suppressed: "Suppressed",
  resolved: "Resolved",
  all: "All",
};

const RANGE_LABEL: Record<Range, string> = { any: "Any time", "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days" };

const COUNTER_CLASS: Record<AlertSeverity, string | undefined> = {
  critical: styles.counterCritical,
  high: styles.counterHigh,
  medium: styles.counterMedium,
  low: styles.counterLow,
};

const SHORTCUTS: Array<[string, string]> = [
  ["j", "Select the next alert"],
  ["k", "Select the previous alert"],
  ["Enter", "Open the selected alert"],
  ["a", "Acknowledge the selected alert"],
  ["e", "Resolve the selected alert (asks for a note)"],
  ["/", "Search"],
  ["?", "Show this help"],
  ["Esc", "Close a dialog"],
];

function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || Boolean(target.closest("input, textarea, select, [contenteditable='true']"));
}

export type AlertQueueProps = {
  canTriage: boolean;
  /** The first page as the server read it for the URL's filters, and the time it did. */
  initial: { key: string; page: AlertPage; at: number } | null;
  serverNow: number;
  rules: string[];
  environments: string[];
};

export function AlertQueue({ canTriage, initial, serverNow, rules, environments }: AlertQueueProps) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const queryClient = useQueryClient();
  const filters = useMemo(() => filtersFrom(searchParams), [searchParams]);
  const filtersKey = urlQueryOf(filters);

  // Keyset pages: the cursors that led here, per filter set (a new filter starts again at page 1).
  const [pages, setPages] = useState<{ key: string; stack: string[] }>({ key: filtersKey, stack: [] });
  const stack = pages.key === filtersKey ? pages.stack : [];
  const cursor = stack.at(-1) ?? null;

  const queryKey = alertKeys.list(`${filtersKey}|${cursor ?? ""}`);
  const useInitial = initial !== null && initial.key === filtersKey && cursor === null;
  const query = useQuery({
    queryKey,
    queryFn: () => fetchAlertPage(apiQueryOf(filters, { now: Date.now(), cursor, limit: PAGE_SIZE })),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
    initialData: useInitial ? initial.page : undefined,
    initialDataUpdatedAt: useInitial ? initial.at : undefined,
  });
  const data = query.data;
  const items = data?.items ?? [];
  const now = query.dataUpdatedAt || serverNow;

  const [selectedId, setSelectedId] = useState<string | null>(null);
  // When the selected alert leaves the page (resolved, filtered out), the selection stays at its place.
  const lastIndex = useRef(0);
  const found = items.findIndex((i) => i.id === selectedId);
  const selectedIndex = found === -1 ? Math.max(0, Math.min(lastIndex.current, items.length - 1)) : found;
  lastIndex.current = selectedIndex;
  const selected: AlertListItem | undefined = items[selectedIndex];

  const [announcement, setAnnouncement] = useState("");
  const [resolving, setResolving] = useState<AlertListItem | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLOListElement>(null);

  // Two changes in a row (a menu, then a counter) must both land, before the URL has caught up.
  const latestFilters = useRef(filters);
  useEffect(() => {
    latestFilters.current = filters;
  }, [filters]);
  const setFilters = useCallback(
    (patch: Partial<QueueFilters>) => {
      const merged = { ...latestFilters.current, ...patch };
      latestFilters.current = merged;
      const next = urlQueryOf(merged);
      router.replace(next ? `${pathname}?${next}` : pathname, { scroll: false });
    },
    [pathname, router],
  );

  const acknowledge = useMutation({
    mutationFn: (alert: AlertListItem) => triage(alert.id, "acknowledge"),
    onSuccess: (_r, alert) => setAnnouncement(`Acknowledged: ${alert.summary}`),
    onError: (error, alert) => setAnnouncement(`Could not acknowledge “${alert.summary}”: ${problemText(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: alertKeys.all }),
  });

  const focusRow = useCallback((id: string) => {
    const link = listRef.current?.querySelector<HTMLAnchorElement>(`[data-alert-id="${id}"] a[data-row-link]`);
    link?.focus();
    link?.scrollIntoView?.({ block: "nearest" });
  }, []);

  const move = useCallback(
    (delta: number) => {
      if (!items.length) return;
      const next = items[Math.min(items.length - 1, Math.max(0, selectedIndex + delta))]!;
      setSelectedId(next.id);
      focusRow(next.id);
    },
    [items, selectedIndex, focusRow],
  );

  const tryAcknowledge = useCallback(
    (alert: AlertListItem | undefined) => {
      if (!alert) return;
      if (!canTriage) return setAnnouncement("Your role may read alerts but not triage them.");
      const check = isAlertStatus(alert.status) ? checkTransition("acknowledge", alert.status) : null;
      if (check && !check.ok) return setAnnouncement(check.reason);
      acknowledge.mutate(alert);
    },
    [acknowledge, canTriage],
  );

  const tryResolve = useCallback(
    (alert: AlertListItem | undefined) => {
      if (!alert) return;
      if (!canTriage) return setAnnouncement("Your role may read alerts but not triage them.");
      const check = isAlertStatus(alert.status) ? checkTransition("resolve", alert.status) : null;
      if (check && !check.ok) return setAnnouncement(check.reason);
      setResolving(alert);
    },
    [canTriage],
  );

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
      const onControl = event.target instanceof HTMLElement && Boolean(event.target.closest("a, button, summary"));
      switch (event.key) {
        case "j":
          // The first j picks the top alert; after that it moves down.
          move(selectedId === null ? 0 : 1);
          break;
        case "k":
          move(-1);
          break;
        case "Enter":
          // A focused link or button does its own thing; from anywhere else, Enter opens the selection.
          if (onControl || !selected) return;
          router.push(`/alerts/${selected.id}`);
          break;
        case "a":
          tryAcknowledge(selected);
          break;
        case "e":
          tryResolve(selected);
          break;
        case "/":
          searchRef.current?.focus();
          break;
        case "?":
          setHelpOpen(true);
          break;
        default:
          return;
      }
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [move, router, selected, selectedId, tryAcknowledge, tryResolve]);

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const q = String(new FormData(event.currentTarget).get("q") ?? "").trim();
    if (q !== filters.q) setFilters({ q });
  }

  const counts = data?.counts;
  const filtered = isFiltered(filters);
  const ruleOptions = [...new Set([...KNOWN_RULES, ...rules, ...(filters.rule ? [filters.rule] : [])])].sort();
  const envOptions = [...new Set([...environments, ...(filters.environment ? [filters.environment] : [])])].sort();
  const statusCount = (v: StatusView): number | null => {
    if (!counts) return null;
    if (v === "active") return counts.status.open + counts.status.acknowledged;
    if (v === "all") return Object.values(counts.status).reduce((a, b) => a + b, 0);
    return counts.status[v];
  };

  return (
    <>
      <section aria-label="Alerts by severity" className={styles.counters}>
        {ALERT_SEVERITIES.map((s) => {
          const on = filters.severity.includes(s);
          return (
            <button
              type="button"
              key={s}
              className={`${styles.counter} ${COUNTER_CLASS[s] ?? ""}`}
              aria-pressed={on}
              data-testid={`count-${s}`}
              onClick={() => {
                const current = latestFilters.current.severity;
                setFilters({ severity: current.includes(s) ? current.filter((x) => x !== s) : [...current, s] });
              }}
            >
              <span className={styles.counterLabel}>{s}</span>
              <span className={styles.counterValue}>{counts ? counts.severity[s].toLocaleString("en") : "–"}</span>
              <span className={styles.srOnly}>
                {on ? "(filtering by this severity; press to stop)" : "(press to show only this severity)"}
              </span>
            </button>
          );
        })}
      </section>

      <nav aria-label="Status" className={styles.tabs}>
        {STATUS_VIEWS.map((v) => {
          const n = statusCount(v);
          return (
            <button
              type="button"
              key={v}
              className={styles.tab}
              aria-pressed={filters.status === v}
              onClick={() => setFilters({ status: v })}
            >
              {STATUS_LABEL[v]}
              {n !== null ? <span className={styles.tabCount}>{n.toLocaleString("en")}</span> : null}
            </button>
          );
        })}
      </nav>

      <search>
        <form className={styles.filters} aria-label="Filter alerts" onSubmit={onSearch}>
          <label className={styles.search}>
            Search
            <input
              ref={searchRef}
              type="search"
              name="q"
              key={filters.q}
              defaultValue={filters.q}
              placeholder="Summary, subject or rule — press Enter"
              maxLength={200}
              onBlur={(e) => {
                if (e.currentTarget.value.trim() !== filters.q) setFilters({ q: e.currentTarget.value.trim() });
              }}
            />
          </label>
          <label>
            Rule
            <select value={filters.rule} onChange={(e) => setFilters({ rule: e.target.value })}>
              <option value="">Any rule</option>
              {ruleOptions.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Environment
            <select value={filters.environment} onChange={(e) => setFilters({ environment: e.target.value })}>
              <option value="">Any environment</option>
              {envOptions.map((env) => (
                <option key={env} value={env}>
                  {env}
                </option>
              ))}
            </select>
          </label>
          <label>
            Assignee
            <select value={filters.assignee} onChange={(e) => setFilters({ assignee: e.target.value })}>
              <option value="">Anyone</option>
              <option value="me">Assigned to me</option>
              <option value="none">Unassigned</option>
              {filters.assignee && filters.assignee !== "me" && filters.assignee !== "none" ? (
                <option value={filters.assignee}>One person</option>
              ) : null}
            </select>
          </label>
          <label>
            Changed
            <select value={filters.range} onChange={(e) => setFilters({ range: e.target.value as Range })}>
              {Object.entries(RANGE_LABEL).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Order
            <select value={filters.sort} onChange={(e) => setFilters({ sort: e.target.value as QueueFilters["sort"] })}>
              <option value="updated">Latest activity</option>
              <option value="severity">Severity</option>
            </select>
          </label>
        </form>
      </search>

      <div className={styles.toolbar}>
        <span aria-live="polite" data-testid="queue-summary">
          {counts ? `${counts.total.toLocaleString("en")} alert${counts.total === 1 ? "" : "s"}` : "Loading alerts…"}
          {filtered ? (
            <>
              {" · "}
              <Link href={filters.status === "active" ? pathname : `${pathname}?status=${filters.status}`} scroll={false}>
                Clear filters
              </Link>
            </>
          ) : null}
          {query.isFetching && data ? " · refreshing…" : data ? ` · refreshes every ${REFRESH_MS / 1000} s` : ""}
        </span>
        <button type="button" className={`btn btn-small ${styles.shortcutsButton}`} onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
          Keyboard shortcuts <kbd>?</kbd>
        </button>
      </div>

      <div className={`${styles.live}`} role="status" aria-live="polite" data-testid="queue-announcement">
        {announcement ? <div className="alert alert-info">{announcement}</div> : null}
      </div>

      {query.isError && !data ? (
        <div className="card" role="alert">
          <h2>The alerts could not be loaded</h2>
          <p className="muted">{problemText(query.error)}</p>
          <button type="button" className="btn" onClick={() => query.refetch()}>
            Try again
          </button>
        </div>
      ) : !data ? (
        <ol className={styles.queue} aria-busy="true" aria-label="Alerts, loading">
          {[0, 1, 2, 3].map((i) => (
            <li key={i} className={styles.row}>
              <div className="skeleton" style={{ width: "5rem" }} />
              <div>
                <div className="skeleton" style={{ width: "70%" }} />
                <div className="skeleton" style={{ width: "40%", marginTop: "0.5rem" }} />
              </div>
              <div />
            </li>
          ))}
        </ol>
      ) : items.length === 0 ? (
        <div className="card empty" data-testid="queue-empty">
          {filtered || filters.status !== "active" ? (
            <>
              <h2>No alerts match</h2>
              <p>Nothing here for these filters. Widen the time range, pick another status, or clear the filters.</p>
            </>
          ) : (
            <>
              <h2>Nothing needs attention</h2>
              <p>
                No open or acknowledged alerts. Rules run on every ingested document and on every trust or policy change, so a new problem
                shows up here within seconds.
              </p>
            </>
          )}
        </div>
      ) : (
        <>
          {query.isError ? (
            <div className="alert alert-warn" role="alert">
              Refreshing failed ({problemText(query.error)}); showing the last answer.
            </div>
          ) : null}
          <ol className={styles.queue} ref={listRef} aria-label="Alerts" data-testid="alert-queue">
            {items.map((a, i) => {
              const isSelected = i === selectedIndex;
              const canAck = canTriage && a.status === "open";
              return (
                <li
                  key={a.id}
                  className={`${styles.row} ${isSelected ? styles.rowSelected : ""}`}
                  data-alert-id={a.id}
                  data-selected={isSelected ? "true" : undefined}
                  aria-current={isSelected ? "true" : undefined}
                  data-testid="alert-row"
                >
                  <div className={styles.rowBadges}>
                    <SeverityBadge severity={a.severity} />
                    <StatusBadge status={a.status} />
                  </div>
                  <div className={styles.rowMain}>
                    <Link href={`/alerts/${a.id}`} className={styles.rowTitle} data-row-link onFocus={() => setSelectedId(a.id)}>
                      {a.summary}
                    </Link>
                    <div className={styles.rowMeta}>
                      <span title={a.rule}>{ruleTitle(a.rule)}</span>
                      <span>
                        {a.subject.kind}: <code>{a.subject.label}</code>
                      </span>
                      {a.environment ? <span>env: {a.environment}</span> : null}
                      <span>{a.assignee ? `assigned to ${a.assignee.name ?? a.assignee.email}` : "unassigned"}</span>
                      {a.status === "suppressed" && a.suppressedUntil ? (
                        <span>until {new Date(a.suppressedUntil).toISOString().slice(0, 16).replace("T", " ")} UTC</span>
                      ) : null}
                    </div>
                  </div>
                  <div className={styles.rowSide}>
                    <time dateTime={a.updatedAt} title={`Last change ${a.updatedAt}`}>
                      {timeAgo(a.updatedAt, now)}
                    </time>
                    {a.fireCount > 1 ? <div>fired {a.fireCount}×</div> : null}
                    {canAck ? (
                      <div style={{ marginTop: "0.35rem" }}>
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={acknowledge.isPending}
                          onClick={() => tryAcknowledge(a)}
                          aria-label={`Acknowledge: ${a.summary}`}
                        >
                          Acknowledge
                        </button>
                      </div>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ol>
          <nav className={styles.pager} aria-label="Pages">
            <span>
              Page {stack.length + 1}
              {stack.length > 0 ? (
                <>
                  {" · "}
                  <button type="button" className="btn btn-small" onClick={() => setPages({ key: filtersKey, stack: [] })}>
                    First page
                  </button>
                </>
              ) : null}
            </span>
            <span style={{ display: "flex", gap: "0.5rem" }}>
              <button
                type="button"
                className="btn btn-small"
                disabled={stack.length === 0}
                onClick={() => setPages({ key: filtersKey, stack: stack.slice(0, -1) })}
              >
                Previous
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={!data.nextCursor}
                onClick={() => data.nextCursor && setPages({ key: filtersKey, stack: [...stack, data.nextCursor] })}
              >
                Next
              </button>
            </span>
          </nav>
        </>
      )}

      {resolving ? (
        <ResolveDialog
          alert={resolving}
          onClose={(done) => {
            setResolving(null);
            if (done) {
              setAnnouncement(`Resolved: ${resolving.summary}`);
              queryClient.invalidateQueries({ queryKey: alertKeys.all });
            }
            focusRow(resolving.id);
          }}
        />
      ) : null}
      {helpOpen ? <ShortcutHelp onClose={() => setHelpOpen(false)} canTriage={canTriage} /> : null}
    </>
  );
}

function ResolveDialog({ alert, onClose }: { alert: AlertListItem; onClose: (done: boolean) => void }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const resolve = useMutation({
    mutationFn: (note: string) => triage(alert.id, "resolve", { note }),
    onSuccess: () => onClose(true),
    onError: (e) => setError(problemText(e)),
  });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const note = String(new FormData(event.currentTarget).get("note") ?? "").trim();
    if (!note) return setError("Say how it was resolved: the note goes into the timeline and the ledger.");
    resolve.mutate(note);
  }
  return (
    <dialog
      ref={(el) => {
        if (el && !el.open) el.showModal();
      }}
      className={styles.dialog}
      aria-labelledby={`${id}-title`}
      onCancel={() => onClose(false)}
    >
      <form onSubmit={onSubmit} noValidate>
        <h2 id={`${id}-title`}>Resolve alert</h2>
        <p className="muted">{alert.summary}</p>
        <div className="field">
          <label htmlFor={`${id}-note`}>Resolution note</label>
          <textarea
            id={`${id}-note`}
            name="note"
            rows={4}
            maxLength={MAX_NOTE_LENGTH}
            required
            autoFocus
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
          {error ? (
            <span className="field-error" id={`${id}-error`} role="alert">
              {error}
            </span>
          ) : null}
        </div>
        <div className={styles.buttons}>
          <button type="submit" className="btn btn-primary" disabled={resolve.isPending}>
            {resolve.isPending ? "Resolving…" : "Resolve"}
          </button>
          <button type="button" className="btn" onClick={() => onClose(false)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

function ShortcutHelp({ onClose, canTriage }: { onClose: () => void; canTriage: boolean }) {
  const id = useId();
  return (
    <dialog
      ref={(el) => {
        if (el && !el.open) el.showModal();
      }}
      className={styles.dialog}
      aria-labelledby={`${id}-title`}
      onCancel={onClose}
      data-testid="shortcut-help"
    >
      <h2 id={`${id}-title`}>Keyboard shortcuts</h2>
      <p className="muted small">They work whenever the cursor is not in a text field or a menu.</p>
      <table className={styles.help}>
        <tbody>
          {SHORTCUTS.filter(([key]) => canTriage || (key !== "a" && key !== "e")).map(([key, what]) => (
            <tr key={key}>
              <th scope="row">
                <kbd>{key}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className={styles.buttons}>
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}

"use client";

// Who exported what, when, with its hash; the file and its .sig for every finished export, and the
// progress of those still running (polled while any is).
import { useInfiniteQuery } from "@tanstack/react-query";
import { CopyButton } from "@/components/ui/copy-button";
import { fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";
import type { ReportExportView } from "@/lib/server/reports/report-exports";
import { ExportProgress } from "./export-progress";
import { formatBytes, isUnfinished, periodText, type ReportHistoryPage, reportKeys } from "./report-keys";
import styles from "./reports.module.css";

function Status({ report }: { report: ReportExportView }) {
  if (isUnfinished(report)) return <ExportProgress report={report} compact />;
  if (report.status === "failed")
    return (
      <>
        <span className="badge badge-bad">failed</span>
        {report.error ? <div className="muted small">{report.error}</div> : null}
      </>
    );
  return <span className="badge badge-ok">signed</span>;
}

export function ReportHistory({ initial }: { initial: ReportHistoryPage }) {
  const history = useInfiniteQuery({
    queryKey: reportKeys.history(),
    queryFn: ({ pageParam }) =>
      fetchJson<ReportHistoryPage>(`/api/v1/reports/exports?limit=20${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [initial], pageParams: [null] },
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(isUnfinished)) ? 1000 : false),
  });
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];

  if (items.length === 0) {
    return (
      <p className="muted" data-testid="history-empty">
        No report has been exported yet. Exports appear here with who made them, their sha256 and their signature.
      </p>
    );
  }
  return (
    <>
      <div className="table-wrap">
        <table className={styles.table} data-testid="report-history">
          <thead>
            <tr>
              <th scope="col">Exported</th>
              <th scope="col">By</th>
              <th scope="col">Scope</th>
              <th scope="col">Format</th>
              <th scope="col">Status</th>
              <th scope="col">sha256</th>
              <th scope="col">Files</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid="history-row" data-report-id={r.id}>
                <td data-label="Exported" className={styles.num}>
                  <Time iso={r.exportedAt} />
                </td>
                <td data-label="By">{r.exportedByName ?? r.exportedBy}</td>
                <td data-label="Scope">
                  <strong>{r.environment}</strong>
                  <div className="muted small">{periodText(r.from, r.to)}</div>
                </td>
                <td data-label="Format">
                  {r.format.toUpperCase()}
                  <div className="muted small">
                    {r.rowsTotal ?? "?"} rows · {formatBytes(r.sizeBytes)}
                  </div>
                </td>
                <td data-label="Status">
                  <Status report={r} />
                  {r.checkpointSequence ? <div className="muted small">checkpoint #{r.checkpointSequence}</div> : null}
                </td>
                <td data-label="sha256">
                  {r.sha256 ? (
                    <span className={styles.actions}>
                      <span className={styles.hash} title={r.sha256}>
                        {r.sha256.slice(0, 16)}…
                      </span>
                      <CopyButton value={r.sha256} label={`Copy the sha256 of report ${r.id}`} />
                    </span>
                  ) : (
                    <span className="muted">-</span>
                  )}
                </td>
                <td data-label="Files">
                  {r.status === "done" ? (
                    <span className={styles.actions}>
                      <a href={r.downloadUrl} download={r.fileName}>
                        {r.format.toUpperCase()}
                      </a>
                      <a href={r.signatureUrl} download={`${r.fileName}.sig`}>
                        .sig
                      </a>
                    </span>
                  ) : (
                    <span className="muted">-</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {history.hasNextPage ? (
        <p style={{ marginTop: "0.75rem" }}>
          <button type="button" className="btn btn-small" onClick={() => history.fetchNextPage()} disabled={history.isFetchingNextPage}>
            {history.isFetchingNextPage ? "Loading…" : "Older exports"}
          </button>
        </p>
      ) : null}
    </>
  );
}

"use client";

// Export a signed compliance report: environment, window (the compliance view's presets or two
// dates), format. The export runs as a job; an export that takes more than a second shows its
// progress here, and the report history keeps it, so the page can be left and the file fetched later.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useState } from "react";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import { PRESET_LABELS, pageWindow, WINDOW_PRESETS, type WindowPreset } from "@/lib/domain/compliance-window";
import type { ReportExportView } from "@/lib/server/reports/report-exports";
import { ExportProgress } from "./export-progress";
import { formatBytes, isUnfinished, periodText, reportKeys } from "./report-keys";
import styles from "./reports.module.css";

const FORMATS = [
  { value: "csv", label: "CSV", hint: "one row per deployment, for spreadsheets; signature beside it (.sig)" },
  { value: "json", label: "JSON", hint: "rows, summary and evidence references; signature inside" },
  { value: "pdf", label: "PDF", hint: "cover, figures, exceptions and the table, for auditors; signature in its metadata" },
] as const;
type Format = (typeof FORMATS)[number]["value"];

const SLOW_MS = 1000;

export function ExportForm({ environments }: { environments: string[] }) {
  const qc = useQueryClient();
  const id = useId();
  const [environment, setEnvironment] = useState(environments.includes("prod") ? "prod" : (environments[0] ?? ""));
  const [preset, setPreset] = useState<WindowPreset>("30d");
  const [fromDate, setFromDate] = useState("");
  const [toDate, setToDate] = useState("");
  const [format, setFormat] = useState<Format>("pdf");
  const [problem, setProblem] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [slow, setSlow] = useState(false);

  const start = useMutation({
    mutationFn: (input: { environment: string; from: string; to: string; format: Format }) =>
      fetchJson<ReportExportView>("/api/v1/reports/exports", { method: "POST", body: JSON.stringify(input) }),
    onSuccess: (report) => {
      setActiveId(report.id);
      qc.setQueryData(reportKeys.export(report.id), report);
      qc.invalidateQueries({ queryKey: reportKeys.history() });
    },
    onError: (error) =>
      setProblem(error instanceof ApiError && error.errors.length ? error.errors.map((e) => e.message).join("; ") : error.message),
  });

  const active = useQuery({
    queryKey: reportKeys.export(activeId ?? "none"),
    queryFn: () => fetchJson<ReportExportView>(`/api/v1/reports/exports/${activeId}`),
    enabled: activeId !== null,
    refetchInterval: (q) => (q.state.data && !isUnfinished(q.state.data) ? false : 500),
  });
  const report = activeId ? active.data : undefined;
  const finished = report && !isUnfinished(report);

  // Progress is shown only for exports that take more than a second.
  useEffect(() => {
    if (!activeId) return;
    setSlow(false);
    const timer = setTimeout(() => setSlow(true), SLOW_MS);
    return () => clearTimeout(timer);
  }, [activeId]);
  useEffect(() => {
    if (finished) qc.invalidateQueries({ queryKey: reportKeys.history() });
  }, [finished, qc]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    if (!environment) return setProblem("Choose an environment.");
    const window = pageWindow(preset === "custom" ? { window: "custom", from: fromDate, to: toDate } : { window: preset }, new Date());
    if (preset === "custom" && window.error) return setProblem(window.error);
    // The previous export's "ready" panel goes now, so its download link is never taken for the new one.
    setActiveId(null);
    start.mutate({ environment, from: window.from.toISOString(), to: window.to.toISOString(), format });
  }

  return (
    <form className={styles.form} onSubmit={onSubmit} aria-label="Export a compliance report" data-testid="export-form">
      <div>
        <label className={styles.label} htmlFor={`${id}-env`}>
          Environment
        </label>
        <select id={`${id}-env`} name="environment" value={environment} onChange={(e) => setEnvironment(e.target.value)}>
          {environments.length === 0 ? <option value="">No environments yet</option> : null}
          {environments.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>Window</legend>
        <div className={styles.segments}>
          {WINDOW_PRESETS.map((p) => (
            <label key={p}>
              <input type="radio" name="window" value={p} checked={preset === p} onChange={() => setPreset(p)} />
              {PRESET_LABELS[p]}
            </label>
          ))}
        </div>
      </fieldset>
      {preset === "custom" ? (
        <div className={styles.row}>
          <div>
            <label className={styles.label} htmlFor={`${id}-from`}>
              From (inclusive)
            </label>
            <input id={`${id}-from`} type="date" value={fromDate} onChange={(e) => setFromDate(e.target.value)} required />
          </div>
          <div>
            <label className={styles.label} htmlFor={`${id}-to`}>
              To (inclusive)
            </label>
            <input id={`${id}-to`} type="date" value={toDate} onChange={(e) => setToDate(e.target.value)} required />
          </div>
        </div>
      ) : null}
      <fieldset>
        <legend>Format</legend>
        <div className={styles.segments}>
          {FORMATS.map((f) => (
            <label key={f.value}>
              <input type="radio" name="format" value={f.value} checked={format === f.value} onChange={() => setFormat(f.value)} />
              {f.label}
            </label>
          ))}
        </div>
        <p className="muted small" style={{ margin: "0.35rem 0 0" }}>
          {FORMATS.find((f) => f.value === format)?.hint}
        </p>
      </fieldset>
      <div className={styles.actions}>
        <button type="submit" className="btn btn-primary" disabled={start.isPending || (report !== undefined && !finished)}>
          {start.isPending || (report && !finished) ? "Exporting…" : "Export signed report"}
        </button>
      </div>
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}

      {report && !finished && slow ? (
        <div role="status" aria-live="polite" data-testid="export-progress">
          <ExportProgress report={report} />
          <p className="muted small" style={{ margin: 0 }}>
            You can leave this page: the export keeps running and waits in the report history below.
          </p>
        </div>
      ) : null}
      {report && finished ? (
        report.status === "done" ? (
          <div className={`alert alert-ok ${styles.ready}`} role="status" data-testid="export-ready">
            <p style={{ margin: 0 }}>
              <strong>Report ready:</strong> {report.environment}, {periodText(report.from, report.to)}, {report.rowsTotal} deployments,{" "}
              {report.format.toUpperCase()} ({formatBytes(report.sizeBytes)}).
            </p>
            <div className={styles.hash}>sha256 {report.sha256}</div>
            <div className={styles.actions}>
              <a className="btn btn-primary btn-small" href={report.downloadUrl} download={report.fileName} data-testid="export-download">
                Download {report.format.toUpperCase()}
              </a>
              <a className="btn btn-small" href={report.signatureUrl} download={`${report.fileName}.sig`} data-testid="export-signature">
                Signature (.sig)
              </a>
            </div>
          </div>
        ) : (
          <div className="alert alert-bad" role="alert">
            The export failed: {report.error ?? "no reason was recorded"}.
          </div>
        )
      ) : null}
    </form>
  );
}

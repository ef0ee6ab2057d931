"use client";

// Verify a report file: drop it (with its .sig for CSV) or choose it; the server checks the bytes
// against Vitrine's signature and answers valid or not, with the report id, its export time and
// the ledger checkpoint it covers.
import { type DragEvent, useId, useRef, useState } from "react";
import { Time } from "@/components/ui/time";
import type { ReportVerificationAnswer } from "@/lib/server/reports/verify-report";
import { periodText } from "./report-keys";
import styles from "./reports.module.css";

type Outcome = { file: string; signatureFile: string | null; answer: ReportVerificationAnswer } | { file: string; failed: string };

async function verify(files: File[]): Promise<Outcome | null> {
  const sig = files.find((f) => f.name.toLowerCase().endsWith(".sig"));
  const report = files.find((f) => f !== sig);
  if (!report) return sig ? { file: sig.name, failed: "That is a signature (.sig): drop it together with the report it signs." } : null;
  const headers: Record<string, string> = { "content-type": "application/octet-stream", accept: "application/json" };
  if (sig) {
    const value = (await sig.text()).trim();
    if (!/^[\x20-\x7e]+$/.test(value)) return { file: report.name, failed: `${sig.name} is not a Vitrine signature file.` };
    headers["vitrine-signature"] = value;
  }
  const res = await fetch("/api/v1/reports/verify", { method: "POST", headers, body: report });
  const body = (await res.json().catch(() => null)) as (ReportVerificationAnswer & { detail?: string }) | null;
  if (!res.ok || !body) return { file: report.name, failed: body?.detail ?? `The server answered ${res.status}.` };
  return { file: report.name, signatureFile: sig?.name ?? null, answer: body };
}

function Result({ outcome }: { outcome: Outcome }) {
  if ("failed" in outcome) {
    return (
      <div className={`alert alert-bad ${styles.result}`} role="alert" data-testid="verify-result" data-valid="error">
        <strong>Could not verify {outcome.file}.</strong> {outcome.failed}
      </div>
    );
  }
  const a = outcome.answer;
  return (
    <div
      className={`alert ${a.valid ? "alert-ok" : "alert-bad"} ${styles.result}`}
      role={a.valid ? "status" : "alert"}
      data-testid="verify-result"
      data-valid={a.valid ? "true" : "false"}
    >
      <p style={{ margin: 0 }}>
        {a.valid ? (
          <>
            <strong>Valid.</strong> {outcome.file} is exactly the report Vitrine exported.
          </>
        ) : (
          <>
            <strong>Not valid.</strong> {outcome.file}: {a.reason}
          </>
        )}
      </p>
      {a.reportId ? (
        <dl className={styles.facts}>
          <dt>Report</dt>
          <dd className={styles.hash} data-testid="verify-report-id">
            {a.reportId}
          </dd>
          {a.exportedAt ? (
            <>
              <dt>Exported</dt>
              <dd>
                <Time iso={a.exportedAt} />
                {a.exportedBy ? ` by ${a.exportedBy}` : ""}
              </dd>
            </>
          ) : null}
          {a.environment && a.from && a.to ? (
            <>
              <dt>Scope</dt>
              <dd>
                {a.environment}, {periodText(a.from, a.to)} ({a.format?.toUpperCase()}, {a.rows} deployments)
              </dd>
            </>
          ) : null}
          {a.checkpoint ? (
            <>
              <dt>Checkpoint</dt>
              <dd data-testid="verify-checkpoint">
                ledger entry #{a.checkpoint.sequence}, signed <Time iso={a.checkpoint.createdAt} />
                <div className={styles.hash}>head {a.checkpoint.headHash}</div>
              </dd>
            </>
          ) : null}
          <dt>sha256</dt>
          <dd className={styles.hash}>{a.sha256}</dd>
          {a.valid && !a.recorded ? (
            <>
              <dt>Record</dt>
              <dd>Signed by Vitrine, but this installation has no record of the export (another installation, or a restored database).</dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </div>
  );
}

export function VerifyReport() {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function run(list: FileList | null) {
    const files = list ? Array.from(list) : [];
    if (files.length === 0) return;
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome(await verify(files));
    } catch (error) {
      setOutcome({ file: files[0]?.name ?? "file", failed: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  const onDrop = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setOver(false);
    void run(e.dataTransfer.files);
  };

  return (
    <div>
      <section
        className={over ? `${styles.drop} ${styles.dropActive}` : styles.drop}
        aria-label="Drop a report to verify"
        data-testid="verify-drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <strong>Drop a report here</strong>
        <span className="small">CSV with its .sig, or a JSON or PDF report on its own</span>
        <label htmlFor={`${id}-file`} className="small">
          or choose files:
        </label>
        <input
          ref={input}
          id={`${id}-file`}
          className={styles.fileInput}
          type="file"
          multiple
          accept=".csv,.json,.pdf,.sig,text/csv,application/json,application/pdf"
          onChange={(e) => void run(e.target.files)}
          data-testid="verify-file-input"
        />
      </section>
      <div aria-live="polite">
        {busy ? <p className="muted small">Verifying…</p> : null}
        {outcome ? <Result outcome={outcome} /> : null}
      </div>
    </div>
  );
}

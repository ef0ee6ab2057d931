// A compliance report's content (issue 7, docs/reports.md): one row per deployment active in the
// window, the summary (the compliance view's six counts), and the exceptions (suppressed alerts).
// Pure: how a row reads in CSV, and the order of the JSON document's members.
import { canonicalJson } from "./canonical-json";
import { csvCell, csvRow } from "./csv";
import type { PolicyFailure } from "./policy";
import type { ReportCheckpoint } from "./report-signature";

export type ReportSignatureRef = {
  id: string;
  format: string;
  verdict: string | null;
  reason: string | null;
  keyFingerprint: string | null;
  identity: string | null;
  issuer: string | null;
  trustedAs: string | null;
  documentId: string;
};

export type ReportProvenanceRef = {
  attestationId: string;
  predicateType: string;
  verdict: string | null;
  buildId: string | null;
  builderId: string | null;
  sources: Array<{ repository: string; commit: string }>;
  documentId: string;
};

export type ReportClaimRef = {
  id: string;
  verifier: string;
  result: string;
  environment: string | null;
  policy: string | null;
  occurredAt: string;
  documentId: string;
};

export type ReportAlertRef = { id: string; rule: string; severity: string; status: string };

export type ReportRow = {
  deploymentId: string;
  environment: string;
  cluster: string | null;
  namespace: string | null;
  workload: string;
  /** The reference exactly as the deployer named it. */
  reference: string | null;
  /** The artefact's digest, or the digest an unresolved tag pointed to when known. */
  digest: string | null;
  pinned: boolean;
  verifiedSignature: boolean;
  verifiedProvenance: boolean;
  admitted: boolean;
  compliant: boolean;
  policy: { result: "pass" | "fail" | "not-evaluated"; failures: PolicyFailure[] };
  signatures: ReportSignatureRef[];
  provenance: ReportProvenanceRef[];
  claims: ReportClaimRef[];
  openAlerts: ReportAlertRef[];
  startedAt: string;
  endedAt: string | null;
  /** The stored documents behind the row (deployment, signatures, attestations, claims) and their ledger entries. */
  evidence: { documents: string[]; ledger: string[] };
};

export type ReportSummary = {
  total: number;
  pinned: number;
  verifiedSignature: number;
  verifiedProvenance: number;
  admitted: number;
  compliant: number;
};

export const SUMMARY_LABELS: Record<keyof ReportSummary, string> = {
  total: "Deployments",
  pinned: "Digest-pinned",
  verifiedSignature: "Verified signature",
  verifiedProvenance: "Verified provenance",
  admitted: "Admitted by a verifier",
  compliant: "Compliant with policy",
};

export type ReportException = {
  alertId: string;
  rule: string;
  severity: string;
  subject: string;
  justification: string | null;
  suppressedUntil: string | null;
  suppressedBy: string | null;
  suppressedAt: string | null;
};

/** What every format states about the export besides its rows. */
export type ReportHeader = {
  reportId: string;
  environment: string;
  from: string;
  to: string;
  exportedAt: string;
  exportedBy: string;
  keyFingerprint: string;
  checkpoint: ReportCheckpoint;
};

export const CSV_COLUMNS = [
  "deployment_id",
  "environment",
  "cluster",
  "namespace",
  "workload",
  "reference",
  "digest",
  "pinned",
  "verified_signature",
  "verified_provenance",
  "admitted",
  "compliant",
  "policy_result",
  "failed_requirements",
  "signatures",
  "signers",
  "provenance_builders",
  "source_commits",
  "verifier_results",
  "open_alerts",
  "started_at",
  "ended_at",
] as const;

export function csvHeader(): string {
  return csvRow([...CSV_COLUMNS]);
}

const unique = (values: Array<string | null | undefined>) => [...new Set(values.filter((v): v is string => Boolean(v)))];

/** A signer as one phrase: the trust entry it matched, its key fingerprint, or its identity and issuer. */
export function signerText(s: ReportSignatureRef): string | null {
  const parts: string[] = [];
  if (s.trustedAs) parts.push(s.trustedAs);
  if (s.keyFingerprint) parts.push(`key ${s.keyFingerprint}`);
  if (s.identity) parts.push(s.issuer ? `${s.identity} (${s.issuer})` : s.identity);
  return parts.length ? parts.join(" ") : null;
}

export function failedRequirementsText(row: ReportRow): string {
  return row.policy.failures.map((f) => `${f.requirement}: ${f.reason}`).join("; ");
}

export function sourceCommitsText(row: ReportRow): string[] {
  return unique(row.provenance.flatMap((p) => p.sources.map((s) => (s.commit ? `${s.repository}@${s.commit}` : s.repository))));
}

const flag = (v: boolean) => (v ? "true" : "false");

/**
 * One CSV line. Text that came from outside (names, references, reasons) goes through csvCell
 * (quoting and formula-injection guard); Vitrine's own uuids, booleans and ISO times need neither.
 */
export function csvReportRow(row: ReportRow): string {
  return [
    row.deploymentId,
    csvCell(row.environment),
    csvCell(row.cluster),
    csvCell(row.namespace),
    csvCell(row.workload),
    csvCell(row.reference),
    csvCell(row.digest),
    flag(row.pinned),
    flag(row.verifiedSignature),
    flag(row.verifiedProvenance),
    flag(row.admitted),
    flag(row.compliant),
    row.policy.result,
    row.policy.failures.length ? csvCell(failedRequirementsText(row)) : "",
    row.signatures.length ? csvCell(row.signatures.map((s) => `${s.format}=${s.verdict ?? "unverified"}`).join("; ")) : "",
    row.signatures.length ? csvCell(unique(row.signatures.map(signerText)).join("; ")) : "",
    row.provenance.length ? csvCell(unique(row.provenance.map((p) => p.builderId)).join("; ")) : "",
    row.provenance.length ? csvCell(sourceCommitsText(row).join("; ")) : "",
    row.claims.length ? csvCell(row.claims.map((c) => `${c.verifier}=${c.result}`).join("; ")) : "",
    row.openAlerts.map((a) => a.id).join("; "),
    row.startedAt,
    row.endedAt ?? "",
  ]
    .join(",")
    .concat("\r\n");
}

export const JSON_REPORT_TYPE = "vitrine.compliance-report/v1";

/**
 * The JSON report's canonical text around its rows, so rows can be streamed between them and the
 * summary (counted from the rows) written after: `prefix` + rows joined by "," + `suffix(summary)`
 * is exactly canonicalJson of the whole report.
 */
export function jsonReportFrame(options: { header: ReportHeader; exceptions: ReportException[] }): {
  prefix: string;
  suffix: (summary: ReportSummary) => string;
} {
  const before = {
    checkpoint: options.header.checkpoint,
    environment: options.header.environment,
    exceptions: options.exceptions,
    exportedAt: options.header.exportedAt,
    exportedBy: options.header.exportedBy,
    from: options.header.from,
    keyFingerprint: options.header.keyFingerprint,
    reportId: options.header.reportId,
  };
  const after = (summary: ReportSummary) => ({ summary, to: options.header.to, type: JSON_REPORT_TYPE });
  // Canonical order: every key before "rows" sorts before it, every key after sorts after it.
  for (const k of Object.keys(before)) if (!(k < "rows")) throw new Error(`${k} must sort before rows`);
  for (const k of ["summary", "to", "type"]) if (!(k > "rows")) throw new Error(`${k} must sort after rows`);
  return {
    prefix: `${canonicalJson(before).slice(0, -1)},"rows":[`,
    suffix: (summary) => `],${canonicalJson(after(summary)).slice(1)}`,
  };
}

export function jsonReportRow(row: ReportRow): string {
  return canonicalJson(row);
}

/** Percent of the total, one decimal ("-" when there is nothing to measure). */
export function percentText(count: number, total: number): string {
  return total === 0 ? "-" : `${(Math.round((count / total) * 1000) / 10).toFixed(1)}%`;
}

import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";
import { csvRow } from "./csv";
import { CSV_COLUMNS, csvHeader, csvReportRow, jsonReportFrame, jsonReportRow, type ReportHeader, type ReportRow } from "./report";

const row = (over: Partial<ReportRow> = {}): ReportRow => ({
  deploymentId: "01a215d9-0f79-78e2-9db1-46aa9654b374",
  environment: "prod",
  cluster: "eu-1",
  namespace: "payments",
  workload: "api",
  reference: "pkg:oci/app@sha256%3Aab?repository_url=registry.acme.dev/app",
  digest: `sha256:${"ab".repeat(32)}`,
  pinned: true,
  verifiedSignature: true,
  verifiedProvenance: false,
  admitted: true,
  compliant: false,
  policy: { result: "fail", failures: [{ requirement: "attestations", reason: "needs provenance, from builder X" }] },
  signatures: [
    {
      id: "s1",
      format: "cosign",
      verdict: "verified",
      reason: null,
      keyFingerprint: "sha256:cd",
      identity: null,
      issuer: null,
      trustedAs: "release",
      documentId: "d1",
    },
  ],
  provenance: [],
  claims: [
    {
      id: "c1",
      verifier: "kyverno",
      result: "pass",
      environment: null,
      policy: null,
      occurredAt: "2026-11-01T00:00:00.000Z",
      documentId: "d2",
    },
  ],
  openAlerts: [{ id: "a1", rule: "missing-provenance", severity: "medium", status: "open" }],
  startedAt: "2026-11-01T10:00:00.000Z",
  endedAt: null,
  evidence: { documents: ["d1", "d2"], ledger: ["7", "9"] },
  ...over,
});

/** What the row reads as when every cell goes through csvRow (the reference the fast path must equal). */
function slowRow(r: ReportRow): string {
  return csvRow([
    r.deploymentId,
    r.environment,
    r.cluster,
    r.namespace,
    r.workload,
    r.reference,
    r.digest,
    r.pinned,
    r.verifiedSignature,
    r.verifiedProvenance,
    r.admitted,
    r.compliant,
    r.policy.result,
    r.policy.failures.map((f) => `${f.requirement}: ${f.reason}`).join("; "),
    r.signatures.map((s) => `${s.format}=${s.verdict ?? "unverified"}`).join("; "),
    [...new Set(r.signatures.map((s) => [s.trustedAs, s.keyFingerprint && `key ${s.keyFingerprint}`].filter(Boolean).join(" ")))].join(
      "; ",
    ),
    "",
    "",
    r.claims.map((c) => `${c.verifier}=${c.result}`).join("; "),
    r.openAlerts.map((a) => a.id).join("; "),
    r.startedAt,
    r.endedAt,
  ]);
}

describe("report CSV", () => {
  it("has a header row naming every column, and one line per row with as many cells", () => {
    expect(csvHeader()).toBe(`${CSV_COLUMNS.join(",")}\r\n`);
    expect(csvReportRow(row()).split(",").length).toBeGreaterThanOrEqual(CSV_COLUMNS.length);
  });

  it("reads exactly as csvRow of the same values, quoting and the formula guard included", () => {
    const tricky = row({
      workload: '=HYPERLINK("http://evil")',
      namespace: 'team, "a"',
      cluster: null,
      reference: "+1\r\nsecond line",
      policy: { result: "fail", failures: [{ requirement: "signatures", reason: '@SUM(A1), "quoted"' }] },
      endedAt: "2026-11-02T10:00:00.000Z",
    });
    for (const r of [row(), tricky, row({ signatures: [], claims: [], openAlerts: [], policy: { result: "pass", failures: [] } })]) {
      expect(csvReportRow(r)).toBe(slowRow(r));
    }
    expect(csvReportRow(tricky)).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});

describe("report JSON frame", () => {
  it("prefix + rows + suffix is the canonical JSON of the whole report", () => {
    const header: ReportHeader = {
      reportId: "r",
      environment: "prod",
      from: "2026-10-01T00:00:00.000Z",
      to: "2026-11-01T00:00:00.000Z",
      exportedAt: "2026-11-01T00:00:01.000Z",
      exportedBy: "officer@example.com",
      keyFingerprint: "sha256:k",
      checkpoint: {
        sequence: "3",
        headHash: "sha256:h",
        createdAt: "2026-11-01T00:00:00.500Z",
        keyFingerprint: "sha256:k",
        signature: "s",
      },
    };
    const rows = [row(), row({ deploymentId: "other", workload: "web" })];
    const summary = { total: 2, pinned: 2, verifiedSignature: 2, verifiedProvenance: 0, admitted: 2, compliant: 0 };
    const frame = jsonReportFrame({ header, exceptions: [] });
    const text = `${frame.prefix}${rows.map(jsonReportRow).join(",")}${frame.suffix(summary)}`;
    const whole = { ...header, exceptions: [], rows, summary, type: "vitrine.compliance-report/v1" };
    expect(text).toBe(canonicalJson(whole));
    expect(JSON.parse(text)).toEqual(JSON.parse(canonicalJson(whole)));
  });
});

import "server-only";
import PDFDocument from "pdfkit";
import {
  failedRequirementsText,
  percentText,
  type ReportException,
  type ReportHeader,
  type ReportRow,
  type ReportSummary,
  SUMMARY_LABELS,
} from "@/lib/domain/report";
import { PDF_SIGNATURE_PLACEHOLDER } from "@/lib/domain/report-signature";

// The PDF report, drawn with pdfkit on the server (no browser): a cover with the scope, period,
// export time and ledger checkpoint; the summary figures with a bar chart; the exceptions; then
// the deployment table across as many pages as it needs. Pages are flushed as they fill, so the
// document is never held in memory. The signature goes into the Info dictionary (/VitrineSignature),
// in a fixed-size slot of spaces filled in once the file's sha256 is signed (docs/reports.md).

const INK = "#1f2933";
const MUTED = "#616e7c";
const RULE = "#d9dee3";
const OK = "#2f855a";
const BAD = "#c53030";
const ACCENT = "#2b6cb0";
const MARGIN = 40;
const FOOTER = 22;

type Column = {
  label: string;
  width: number;
  cell: (r: ReportRow) => string;
  color?: (r: ReportRow) => string;
  /** Wrap over the row's two lines (else: a first line and a muted second line split at "\n"). */
  wrap?: boolean;
};

const yesNo = (v: boolean) => (v ? "yes" : "no");
const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)}\n${iso.slice(11, 16)} UTC` : "running");

const COLUMNS: Column[] = [
  {
    label: "Workload",
    width: 124,
    cell: (r) => [r.workload, [r.namespace, r.cluster].filter(Boolean).join(" @ ")].filter(Boolean).join("\n"),
  },
  { label: "Reference / digest", width: 168, cell: (r) => `${r.reference ?? "-"}\n${r.digest ?? "no digest"}` },
  { label: "Pinned", width: 34, cell: (r) => yesNo(r.pinned), color: (r) => (r.pinned ? OK : BAD) },
  { label: "Signed", width: 34, cell: (r) => yesNo(r.verifiedSignature), color: (r) => (r.verifiedSignature ? OK : BAD) },
  { label: "Prov.", width: 32, cell: (r) => yesNo(r.verifiedProvenance), color: (r) => (r.verifiedProvenance ? OK : BAD) },
  { label: "Admitted", width: 40, cell: (r) => yesNo(r.admitted), color: (r) => (r.admitted ? OK : BAD) },
  { label: "Policy", width: 46, cell: (r) => r.policy.result, color: (r) => (r.policy.result === "pass" ? OK : BAD) },
  { label: "Failed requirements", width: 159, cell: (r) => failedRequirementsText(r) || "-", wrap: true },
  { label: "Alerts", width: 28, cell: (r) => String(r.openAlerts.length) },
  { label: "Started", width: 48, cell: (r) => when(r.startedAt) },
  { label: "Ended", width: 48, cell: (r) => when(r.endedAt) },
];

/** pdfkit's standard fonts speak WinAnsi: anything else is shown as "?" rather than garbled. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff\n]/g, "?");
}

export type PdfReport = {
  doc: PDFKit.PDFDocument;
  addRows: (rows: ReportRow[]) => void;
  finish: () => void;
};

export function createPdfReport(options: {
  header: ReportHeader;
  summary: ReportSummary;
  exceptions: ReportException[];
  rowCount: number;
}): PdfReport {
  const { header, summary, exceptions } = options;
  const info: Record<string, string | Date> = {
    Title: `Vitrine compliance report: ${header.environment}`,
    Author: "Vitrine",
    Subject: `Deployments in ${header.environment} from ${header.from} to ${header.to}`,
    Keywords: `vitrine compliance report ${header.reportId}`,
    Creator: "Vitrine",
    Producer: "Vitrine (pdfkit)",
    CreationDate: new Date(header.exportedAt),
    VitrineReportId: header.reportId,
    VitrineCheckpoint: `${header.checkpoint.sequence} ${header.checkpoint.headHash}`,
    VitrineSignature: PDF_SIGNATURE_PLACEHOLDER,
  };
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: MARGIN,
    autoFirstPage: false,
    info: info as PDFKit.DocumentInfo,
    pdfVersion: "1.4",
  });
  let pageNo = 0;
  const width = () => doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - FOOTER;

  function newPage() {
    doc.addPage();
    pageNo++;
    // The footer sits in the bottom margin: lift the margin while drawing it, or pdfkit turns the page.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font("Helvetica")
      .fontSize(7)
      .fillColor(MUTED)
      .text(
        printable(
          `Vitrine compliance report ${header.reportId}  ·  ${header.environment}  ·  ${header.from} to ${header.to}  ·  page ${pageNo}`,
        ),
        MARGIN,
        doc.page.height - MARGIN + 4,
        { width: width(), lineBreak: false },
      );
    doc.page.margins.bottom = saved;
    doc.fillColor(INK);
  }

  function truncate(text: string, w: number): string {
    const clean = printable(text);
    if (doc.widthOfString(clean) <= w) return clean;
    let lo = 0;
    let hi = clean.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (doc.widthOfString(`${clean.slice(0, mid)}...`) <= w) lo = mid;
      else hi = mid - 1;
    }
    return `${clean.slice(0, lo)}...`;
  }

  function line(text: string, x: number, y: number, w: number) {
    doc.text(truncate(text, w), x, y, { width: w + 2, lineBreak: false });
  }

  function keyValues(pairs: Array<[string, string]>, x: number, y: number, labelWidth: number, valueWidth: number): number {
    let at = y;
    for (const [k, v] of pairs) {
      doc.font("Helvetica-Bold").fontSize(9).fillColor(MUTED);
      line(k, x, at, labelWidth);
      doc.font("Helvetica").fontSize(9).fillColor(INK);
      line(v, x + labelWidth, at, valueWidth);
      at += 15;
    }
    return at;
  }

  // ---- Cover
  newPage();
  doc.font("Helvetica-Bold").fontSize(10).fillColor(ACCENT).text("VITRINE", MARGIN, MARGIN, { lineBreak: false });
  doc
    .font("Helvetica-Bold")
    .fontSize(26)
    .fillColor(INK)
    .text("Compliance report", MARGIN, MARGIN + 22, { lineBreak: false });
  doc
    .font("Helvetica")
    .fontSize(12)
    .fillColor(MUTED)
    .text(
      printable(`Deployments in ${header.environment}, ${header.from.slice(0, 10)} to ${header.to.slice(0, 10)}`),
      MARGIN,
      MARGIN + 56,
      {
        lineBreak: false,
      },
    );
  doc
    .moveTo(MARGIN, MARGIN + 80)
    .lineTo(MARGIN + width(), MARGIN + 80)
    .strokeColor(RULE)
    .stroke();
  let y = keyValues(
    [
      ["Scope", `environment ${header.environment}`],
      ["Period (UTC)", `${header.from}  to  ${header.to}  (deployments running at any time in it)`],
      ["Exported at", header.exportedAt],
      ["Exported by", header.exportedBy],
      ["Report id", header.reportId],
      ["Deployments", String(options.rowCount)],
    ],
    MARGIN,
    MARGIN + 96,
    110,
    width() - 110,
  );
  y += 14;
  doc.font("Helvetica-Bold").fontSize(12).fillColor(INK).text("Ledger checkpoint", MARGIN, y, { lineBreak: false });
  y += 20;
  y = keyValues(
    [
      ["Sequence", header.checkpoint.sequence],
      ["Head hash", header.checkpoint.headHash],
      ["Signed at", header.checkpoint.createdAt],
      ["Signing key", header.checkpoint.keyFingerprint],
    ],
    MARGIN,
    y,
    110,
    width() - 110,
  );
  doc.font("Helvetica-Bold").fontSize(9).fillColor(MUTED).text("Signature", MARGIN, y, { lineBreak: false });
  doc
    .font("Courier")
    .fontSize(8)
    .fillColor(INK)
    .text(header.checkpoint.signature, MARGIN + 110, y, { width: width() - 110 });
  y = doc.y + 18;
  doc
    .font("Helvetica")
    .fontSize(9)
    .fillColor(MUTED)
    .text(
      printable(
        `This report states what Vitrine recorded up to ledger entry ${header.checkpoint.sequence}. It is signed with Vitrine's Ed25519 key ` +
          `${header.keyFingerprint}; the signature is embedded in this file's metadata (Info /VitrineSignature). ` +
          "Check it with `npx vitrine report verify FILE`, POST /api/v1/reports/verify or the Reports page: one changed byte makes it invalid.",
      ),
      MARGIN,
      y,
      { width: width() },
    );

  // ---- Summary figures and chart
  newPage();
  doc.font("Helvetica-Bold").fontSize(16).fillColor(INK).text("Summary", MARGIN, MARGIN, { lineBreak: false });
  doc
    .font("Helvetica")
    .fontSize(9)
    .fillColor(MUTED)
    .text("Share of the deployments active in the period that meet each requirement.", MARGIN, MARGIN + 22, { lineBreak: false });
  y = MARGIN + 44;
  const labelW = 150;
  const barW = width() - labelW - 140;
  for (const key of Object.keys(SUMMARY_LABELS) as Array<keyof ReportSummary>) {
    const count = summary[key];
    const share = summary.total === 0 ? 0 : count / summary.total;
    doc.font("Helvetica").fontSize(10).fillColor(INK);
    line(SUMMARY_LABELS[key], MARGIN, y + 3, labelW - 8);
    doc
      .rect(MARGIN + labelW, y, barW, 16)
      .fillColor("#eef1f4")
      .fill();
    if (share > 0)
      doc
        .rect(MARGIN + labelW, y, Math.max(1, barW * share), 16)
        .fillColor(key === "total" ? ACCENT : share === 1 ? OK : share >= 0.8 ? "#b7791f" : BAD)
        .fill();
    doc.font("Helvetica-Bold").fontSize(10).fillColor(INK);
    line(
      key === "total" ? `${count}` : `${count} of ${summary.total}  (${percentText(count, summary.total)})`,
      MARGIN + labelW + barW + 10,
      y + 3,
      130,
    );
    y += 26;
  }

  y += 16;
  doc.font("Helvetica-Bold").fontSize(14).fillColor(INK).text("Exceptions", MARGIN, y, { lineBreak: false });
  y += 20;
  doc
    .font("Helvetica")
    .fontSize(9)
    .fillColor(MUTED)
    .text("Suppressed alerts, with the justification and expiry given when they were suppressed.", MARGIN, y, { lineBreak: false });
  y += 18;
  if (exceptions.length === 0) {
    doc.font("Helvetica").fontSize(10).fillColor(INK).text("No suppressed alerts.", MARGIN, y, { lineBreak: false });
  } else {
    const cols: Array<[string, number, (e: ReportException) => string]> = [
      ["Rule", 120, (e) => e.rule],
      ["Severity", 55, (e) => e.severity],
      ["Subject", 170, (e) => e.subject],
      ["Justification", 220, (e) => e.justification ?? "-"],
      ["Until", 95, (e) => (e.suppressedUntil ? when(e.suppressedUntil).replace("\n", " ") : "indefinitely")],
      ["By", width() - 660, (e) => e.suppressedBy ?? "-"],
    ];
    const head = () => {
      let x = MARGIN;
      doc.font("Helvetica-Bold").fontSize(8).fillColor(MUTED);
      for (const [label, w] of cols) {
        line(label, x, y, w - 6);
        x += w;
      }
      y += 14;
    };
    head();
    for (const e of exceptions) {
      if (y + 14 > bottom()) {
        newPage();
        y = MARGIN;
        head();
      }
      let x = MARGIN;
      doc.font("Helvetica").fontSize(8).fillColor(INK);
      for (const [, w, cell] of cols) {
        line(cell(e), x, y, w - 6);
        x += w;
      }
      y += 14;
    }
  }

  // ---- Deployment table
  const ROW_H = 21;
  function tableHead() {
    newPage();
    doc.font("Helvetica-Bold").fontSize(14).fillColor(INK).text("Deployments", MARGIN, MARGIN, { lineBreak: false });
    y = MARGIN + 24;
    let x = MARGIN;
    doc.font("Helvetica-Bold").fontSize(7).fillColor(MUTED);
    for (const c of COLUMNS) {
      line(c.label, x, y, c.width - 5);
      x += c.width;
    }
    y += 11;
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + width(), y)
      .strokeColor(RULE)
      .stroke();
    y += 4;
  }
  tableHead();
  let drawn = 0;

  function addRows(rows: ReportRow[]) {
    for (const r of rows) {
      if (y + ROW_H > bottom()) tableHead();
      if (drawn % 2 === 1)
        doc
          .rect(MARGIN, y - 2.5, width(), ROW_H)
          .fillColor("#f4f6f8")
          .fill();
      let x = MARGIN;
      for (const c of COLUMNS) {
        if (c.wrap) {
          doc.font("Helvetica").fontSize(6.5).fillColor(INK);
          doc.text(printable(c.cell(r)), x, y, { width: c.width - 5, height: 16, ellipsis: true, lineGap: 0 });
          x += c.width;
          continue;
        }
        const [first, second] = c.cell(r).split("\n");
        doc
          .font(c.color ? "Helvetica-Bold" : "Helvetica")
          .fontSize(7)
          .fillColor(c.color ? c.color(r) : INK);
        line(first ?? "", x, y, c.width - 5);
        if (second) {
          doc.font("Helvetica").fontSize(6.5).fillColor(MUTED);
          line(second, x, y + 8.5, c.width - 5);
        }
        x += c.width;
      }
      y += ROW_H;
      drawn++;
    }
  }

  function finish() {
    if (drawn === 0)
      doc.font("Helvetica").fontSize(10).fillColor(INK).text("No deployments were active in this period.", MARGIN, y, { lineBreak: false });
    doc.end();
  }

  return { doc, addRows, finish };
}

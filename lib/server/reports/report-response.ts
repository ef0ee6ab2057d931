import "server-only";
import { AppError } from "@/lib/api/errors";
import { REPORT_CONTENT_TYPES, type ReportExportView } from "./report-exports";
import { reportContentStream } from "./report-store";

// HTTP answers for a finished export: its bytes (streamed from the store, one chunk at a time) with
// the Vitrine-Signature header, and the detached .sig file (the same value, one line).

function attachment(fileName: string): string {
  return `attachment; filename="${fileName.replace(/["\\\r\n]/g, "_")}"`;
}

function assertDone(view: ReportExportView): asserts view is ReportExportView & { signature: string; sha256: string } {
  if (view.status === "failed") throw new AppError("conflict", `This export failed: ${view.error ?? "no reason recorded"}`);
  if (view.status !== "done" || !view.signature || !view.sha256) {
    throw new AppError("conflict", `This export is ${view.status}; download it once it is done`);
  }
}

export function reportDownloadResponse(view: ReportExportView): Response {
  assertDone(view);
  const headers = new Headers({
    "content-type": REPORT_CONTENT_TYPES[view.format],
    "content-disposition": attachment(view.fileName),
    "vitrine-signature": view.signature,
    "vitrine-report-id": view.id,
    "cache-control": "no-store",
    // The .sig beside it (RFC 8288): scripts that fetch the bytes can fetch the signature too.
    link: `<${view.signatureUrl}>; rel="signature"`,
  });
  if (view.sizeBytes !== null) headers.set("content-length", String(view.sizeBytes));
  return new Response(reportContentStream(view.id), { status: 200, headers });
}

export function reportSignatureResponse(view: ReportExportView): Response {
  assertDone(view);
  return new Response(`${view.signature}\n`, {
    status: 200,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": attachment(`${view.fileName}.sig`),
      "vitrine-report-id": view.id,
      "cache-control": "no-store",
    },
  });
}

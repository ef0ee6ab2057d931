import "server-only";
import { performance } from "node:perf_hooks";
import { sqlFromPool } from "@/lib/db/sql";
import { CLOUDEVENT_SOURCE, signatureHeader } from "@/lib/domain/notifications";
import { percentText, SUMMARY_LABELS } from "@/lib/domain/report";
import { env } from "@/lib/env";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { getChannelRowOrThrow } from "@/lib/server/notifications/channel-row";
import { type AttemptResult, postOnce, publicBaseUrl } from "@/lib/server/notifications/send-notification";
import { sendSmtpMail } from "@/lib/server/notifications/smtp";
import { getReportExportOrThrow, type ReportExportView } from "./report-exports";
import { readReportContent } from "./report-store";

// Delivers a scheduled report to its channel with the notification channels' own transports:
// a webhook gets a CloudEvent (dev.vitrine.report.exported, HMAC-signed like alert events) whose
// data is the report's record, its Vitrine-Signature and, up to 4 MiB, the report itself (base64);
// Slack and email get the figures, the sha256 and links to the file and its .sig.

export const REPORT_EVENT_TYPE = "dev.vitrine.report.exported";
const INLINE_LIMIT = 4 * 1024 * 1024;

function recipientsOf(config: unknown): string[] {
  const to = (config as { to?: unknown } | null)?.to;
  return Array.isArray(to) ? to.filter((t): t is string => typeof t === "string") : [];
}

function summaryLines(report: ReportExportView): string[] {
  const s = report.summary;
  if (!s) return [];
  return (Object.keys(SUMMARY_LABELS) as Array<keyof typeof SUMMARY_LABELS>).map((k) =>
    k === "total" ? `${SUMMARY_LABELS[k]}: ${s.total}` : `${SUMMARY_LABELS[k]}: ${s[k]} of ${s.total} (${percentText(s[k], s.total)})`,
  );
}

function reportText(report: ReportExportView, base: string): string[] {
  return [
    `Compliance report for ${report.environment}, ${report.from} to ${report.to} (${report.format.toUpperCase()}).`,
    "",
    ...summaryLines(report),
    "",
    `Report id:   ${report.id}`,
    `sha256:      ${report.sha256}`,
    `Checkpoint:  ledger entry ${report.checkpointSequence}`,
    `Download:    ${base}${report.downloadUrl}`,
    `Signature:   ${base}${report.signatureUrl}`,
    "",
    "Verify it with `npx vitrine report verify FILE --signature FILE.sig` or on the Reports page.",
  ];
}

export function buildReportCloudEvent(options: { report: ReportExportView; content: Buffer | null; base: string; now: Date }) {
  const { report } = options;
  return {
    specversion: "1.0" as const,
    id: uuidv7(options.now.getTime()),
    source: CLOUDEVENT_SOURCE,
    type: REPORT_EVENT_TYPE,
    subject: `reports/${report.id}`,
    time: options.now.toISOString(),
    datacontenttype: "application/json" as const,
    data: {
      report: {
        id: report.id,
        environment: report.environment,
        from: report.from,
        to: report.to,
        format: report.format,
        rows: report.rowsTotal,
        sha256: report.sha256,
        sizeBytes: report.sizeBytes,
        exportedAt: report.exportedAt,
        checkpointSequence: report.checkpointSequence,
        summary: report.summary,
        fileName: report.fileName,
        downloadUrl: `${options.base}${report.downloadUrl}`,
        signatureUrl: `${options.base}${report.signatureUrl}`,
      },
      // The report's own signature (docs/reports.md), not the webhook's HMAC in the header.
      signature: report.signature,
      ...(options.content ? { contentBase64: options.content.toString("base64") } : {}),
    },
  };
}

/** One attempt to deliver a finished export to a channel; throws when it did not get through (the job retries). */
export async function deliverReport(options: {
  reportId: string;
  channelId: string;
  scheduleId: string | null;
  now: Date;
}): Promise<AttemptResult> {
  const report = await getReportExportOrThrow(options.reportId);
  const channel = await getChannelRowOrThrow(sqlFromPool(), options.channelId);
  const base = publicBaseUrl();
  let result: AttemptResult;
  if (!channel.enabled) {
    result = { ok: false, statusCode: null, error: `the channel “${channel.name}” is disabled`, ms: 0 };
  } else if (channel.kind === "webhook") {
    const content = report.sizeBytes !== null && report.sizeBytes <= INLINE_LIMIT ? await readReportContent(report.id) : null;
    const body = JSON.stringify(buildReportCloudEvent({ report, content, base, now: options.now }));
    result =
      channel.url && channel.secret
        ? await postOnce(channel.url, body, {
            "content-type": "application/cloudevents+json; charset=utf-8",
            "vitrine-signature": signatureHeader(channel.secret, body, options.now),
          })
        : { ok: false, statusCode: null, error: "the channel has no URL or secret", ms: 0 };
  } else if (channel.kind === "slack") {
    const text = reportText(report, base).join("\n");
    result = channel.url
      ? await postOnce(channel.url, JSON.stringify({ text }), { "content-type": "application/json; charset=utf-8" })
      : { ok: false, statusCode: null, error: "the channel has no URL", ms: 0 };
  } else if (channel.kind === "email") {
    const e = env();
    const started = performance.now();
    if (!e.VITRINE_SMTP_URL || !e.VITRINE_SMTP_FROM) {
      result = { ok: false, statusCode: null, error: "email is not configured (VITRINE_SMTP_URL, VITRINE_SMTP_FROM)", ms: 0 };
    } else {
      try {
        await sendSmtpMail({
          url: e.VITRINE_SMTP_URL,
          message: {
            from: e.VITRINE_SMTP_FROM,
            to: recipientsOf(channel.config),
            subject: `[Vitrine] Compliance report: ${report.environment}, ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}`,
            text: reportText(report, base).join("\n"),
          },
          now: options.now,
        });
        result = { ok: true, statusCode: null, error: null, ms: Math.round(performance.now() - started) };
      } catch (error) {
        result = {
          ok: false,
          statusCode: null,
          error: (error as Error).message.slice(0, 500),
          ms: Math.round(performance.now() - started),
        };
      }
    }
  } else {
    result = { ok: false, statusCode: null, error: `unknown channel kind ${channel.kind}`, ms: 0 };
  }
  if (options.scheduleId) {
    await sqlFromPool().query(`UPDATE report_schedules SET last_status = $2, last_error = $3 WHERE id = $1::uuid`, [
      options.scheduleId,
      result.ok ? "delivered" : "failed",
      result.error,
    ]);
  }
  if (!result.ok) throw new Error(`report ${report.id} not delivered to “${channel.name}”: ${result.error ?? "failed"}`);
  return result;
}

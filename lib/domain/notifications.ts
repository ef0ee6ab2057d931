// Alert notifications (issue 6 item 3): which channel receives which alert, when an unacknowledged
// alert is escalated, and what is sent (a CloudEvent signed with HMAC-SHA256, a Slack message, an
// email). Pure: no database, no network, no env, no clock (pass `now` in).
import { createHmac, timingSafeEqual } from "node:crypto";

/** Worst first. */
export const NOTIFY_SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type NotifySeverity = (typeof NOTIFY_SEVERITIES)[number];

export const CHANNEL_KINDS = ["webhook", "slack", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** 0 for critical .. 3 for low; an unknown severity ranks below low. */
export function severityIndex(severity: string): number {
  const i = (NOTIFY_SEVERITIES as readonly string[]).indexOf(severity);
  return i === -1 ? NOTIFY_SEVERITIES.length : i;
}

export type ChannelRouting = {
  enabled: boolean;
  minSeverity: string;
  rules: readonly string[] | null;
  environments: readonly string[] | null;
};

export type RoutedAlert = { rule: string; severity: string; environment: string | null };

/** A channel receives an alert when enabled, at or above its severity, and (when it lists any) for its rules and environments. */
export function channelMatches(channel: ChannelRouting, alert: RoutedAlert): boolean {
  if (!channel.enabled) return false;
  if (severityIndex(alert.severity) > severityIndex(channel.minSeverity)) return false;
  if (channel.rules?.length && !channel.rules.includes(alert.rule)) return false;
  if (channel.environments?.length && (alert.environment === null || !channel.environments.includes(alert.environment))) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Escalation

/** Minutes an open alert may stay unacknowledged before it is notified again; null: never. */
export type EscalationTimes = Record<NotifySeverity, number | null>;

export const DEFAULT_ESCALATION: EscalationTimes = { critical: 15, high: 60, medium: 240, low: null };
export const MAX_ESCALATION_MINUTES = 7 * 24 * 60;

/** When an open alert is due to be escalated: a window after it (re)opened or was last escalated; null when never. */
export function escalationDueAt(
  alert: { severity: string; openedAt: Date; escalatedAt: Date | null },
  times: EscalationTimes,
): Date | null {
  const minutes = times[alert.severity as NotifySeverity];
  if (minutes === null || minutes === undefined) return null;
  const since = alert.escalatedAt && alert.escalatedAt > alert.openedAt ? alert.escalatedAt : alert.openedAt;
  return new Date(since.getTime() + minutes * 60_000);
}

// ---------------------------------------------------------------------------------------------
// What is sent

/** The alert as the API shows it (DESIGN.md), plus its evidence and the link back. */
export type AlertNotice = {
  id: string;
  rule: string;
  severity: string;
  status: string;
  environment: string | null;
  subject: { kind: string; id: string; label: string };
  summary: string;
  evidence: unknown;
  createdAt: string;
  updatedAt: string;
  url: string;
};

export type NoticeReason = "opened" | "reopened" | "escalated";

/** "open:1" -> opened, "reopened:3" -> reopened; anything else (escalated:<n>, a raised severity) -> escalated. */
export function reasonOfState(stateKey: string): NoticeReason {
  const prefix = stateKey.split(":")[0];
  if (prefix === "open" || prefix === "opened" || prefix === "fired") return "opened";
  if (prefix === "reopened") return "reopened";
  return "escalated";
}

export const CLOUDEVENT_SOURCE = "vitrine";
export const TEST_EVENT_TYPE = "dev.vitrine.notification.test";

export type AlertCloudEvent = {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: "application/json";
  data: AlertNotice & { state: string };
};

/** A CloudEvents 1.0 structured-mode event; its id is the delivery id, so receivers can drop repeats. */
export function buildAlertCloudEvent(options: { deliveryId: string; alert: AlertNotice; stateKey: string; now: Date }): AlertCloudEvent {
  return {
    specversion: "1.0",
    id: options.deliveryId,
    source: CLOUDEVENT_SOURCE,
    type: `dev.vitrine.alert.${reasonOfState(options.stateKey)}`,
    subject: `alerts/${options.alert.id}`,
    time: options.now.toISOString(),
    datacontenttype: "application/json",
    data: { ...options.alert, state: options.stateKey },
  };
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the Vitrine-Signature header. */
export function signatureHeader(secret: string, body: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** What a receiver does (docs/notifications.md): recompute the HMAC, compare in constant time, refuse old timestamps. */
export function verifySignatureHeader(options: {
  secret: string;
  body: string;
  header: string;
  now: Date;
  toleranceSeconds?: number;
}): boolean {
  const parts = new Map<string, string[]>();
  for (const item of options.header.split(",")) {
    const eq = item.indexOf("=");
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(eq + 1).trim()]);
  }
  const t = parts.get("t")?.[0];
  if (!t || !/^\d+$/.test(t)) return false;
  if (Math.abs(options.now.getTime() / 1000 - Number(t)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = createHmac("sha256", options.secret).update(`${t}.${options.body}`).digest();
  return (parts.get("v1") ?? []).some((v) => {
    const given = /^[0-9a-f]{64}$/.test(v) ? Buffer.from(v, "hex") : null;
    return given !== null && timingSafeEqual(given, expected);
  });
}

const SEVERITY_EMOJI: Record<NotifySeverity, string> = {
  critical: ":red_circle:",
  high: ":large_orange_circle:",
  medium: ":large_yellow_circle:",
  low: ":white_circle:",
};

/** Slack mrkdwn: escape the three characters Slack treats as control characters. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const REASON_TEXT: Record<NoticeReason, string> = { opened: "opened", reopened: "reopened", escalated: "escalated" };

/** A Slack-compatible incoming-webhook body: `text` for notifications and clients without blocks, `blocks` for the message. */
export function buildSlackMessage(options: { alert: AlertNotice; stateKey: string; test?: boolean }): {
  text: string;
  blocks: unknown[];
} {
  const { alert } = options;
  const reason = REASON_TEXT[reasonOfState(options.stateKey)];
  const emoji = SEVERITY_EMOJI[alert.severity as NotifySeverity] ?? ":white_circle:";
  const env = alert.environment ?? "no environment";
  const prefix = options.test ? "[test] " : "";
  const text = `${prefix}${alert.severity.toUpperCase()} ${alert.rule} ${reason} in ${env}: ${alert.subject.label} - ${alert.url}`;
  return {
    text,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `${emoji} ${prefix}*${mrkdwn(alert.severity.toUpperCase())}* alert ${reason}: *<${alert.url}|${mrkdwn(alert.rule)}>*\n${mrkdwn(alert.summary)}`,
        },
      },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: `*Severity*\n${mrkdwn(alert.severity)}` },
          { type: "mrkdwn", text: `*Rule*\n${mrkdwn(alert.rule)}` },
          { type: "mrkdwn", text: `*Subject*\n${mrkdwn(`${alert.subject.kind}: ${alert.subject.label}`)}` },
          { type: "mrkdwn", text: `*Environment*\n${mrkdwn(env)}` },
        ],
      },
      {
        type: "actions",
        elements: [{ type: "button", text: { type: "plain_text", text: "Open in Vitrine" }, url: alert.url }],
      },
    ],
  };
}

/** Subject and plain-text body of a notification email. */
export function buildEmailMessage(options: { alert: AlertNotice; stateKey: string; test?: boolean }): { subject: string; text: string } {
  const { alert } = options;
  const reason = REASON_TEXT[reasonOfState(options.stateKey)];
  const env = alert.environment ?? "no environment";
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ").slice(0, 200);
  return {
    subject: oneLine(
      `${options.test ? "[test] " : ""}[Vitrine] ${alert.severity} ${alert.rule} ${reason} in ${env}: ${alert.subject.label}`,
    ),
    text: [
      alert.summary,
      "",
      `Severity:    ${alert.severity}`,
      `Rule:        ${alert.rule}`,
      `Subject:     ${alert.subject.kind} ${alert.subject.label}`,
      `Environment: ${env}`,
      `Status:      ${alert.status}`,
      `State:       ${options.stateKey}`,
      "",
      `Open it in Vitrine: ${alert.url}`,
    ].join("\n"),
  };
}

/** A sample alert for "Send test". */
export function sampleAlertNotice(options: { baseUrl: string; now: Date }): AlertNotice {
  const id = "00000000-0000-7000-8000-000000000000";
  const at = options.now.toISOString();
  return {
    id,
    rule: "unsigned-deployed",
    severity: "critical",
    status: "open",
    environment: "prod",
    subject: { kind: "deployment", id, label: "example-app in prod (test notification)" },
    summary: "This is a test notification from Vitrine: no alert fired.",
    evidence: { documents: [] },
    createdAt: at,
    updatedAt: at,
    url: `${options.baseUrl}/alerts`,
  };
}

// ---------------------------------------------------------------------------------------------
// Channel URLs

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** Only absolute http(s) URLs without credentials; Vitrine sends the secret itself. */
export function checkChannelUrl(value: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { ok: false, message: "must be an absolute http:// or https:// URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, message: "must use http:// or https://" };
  if (url.username || url.password) return { ok: false, message: "must not carry credentials (user:password@)" };
  if (!url.hostname) return { ok: false, message: "must name a host" };
  if (url.hash) return { ok: false, message: "must not have a #fragment" };
  return { ok: true, url: url.toString() };
}

/** A URL safe to show: query values hidden, and for Slack the path (which is the secret) hidden. */
export function redactChannelUrl(kind: string, value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (kind === "slack") {
      const [first] = url.pathname.split("/").filter(Boolean);
      return `${url.origin}/${first ? `${first}/` : ""}…`;
    }
    const query = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=…`).join("&");
    return `${url.origin}${url.pathname}${query ? `?${query}` : ""}`;
  } catch {
    return "…";
  }
}

import "server-only";
import { performance } from "node:perf_hooks";
import {
  type AlertNotice,
  buildAlertCloudEvent,
  buildEmailMessage,
  buildSlackMessage,
  signatureHeader,
  TEST_EVENT_TYPE,
} from "@/lib/domain/notifications";
import { env } from "@/lib/env";
import { sendSmtpMail } from "./smtp";

// One attempt to deliver one notification to one channel. Never throws: the outcome is a value
// that the delivery log keeps (status code or error, and how long it took).

export type AttemptResult = { ok: boolean; statusCode: number | null; error: string | null; ms: number };

export type ChannelTarget = { id: string; name: string; kind: string; url: string | null; secret: string | null; config: unknown };

export const WEBHOOK_TIMEOUT_MS = 5000;
const USER_AGENT = "Vitrine-Notifications/1.0";

/** Where links in notifications point: VITRINE_PUBLIC_URL, else NEXTAUTH_URL, else the default local address. */
export function publicBaseUrl(): string {
  const e = env();
  return (e.VITRINE_PUBLIC_URL ?? e.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");
}

export function isEmailConfigured(): boolean {
  const e = env();
  return Boolean(e.VITRINE_SMTP_URL && e.VITRINE_SMTP_FROM);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message;
    return (detail ? `${error.message}: ${detail}` : error.message).slice(0, 500);
  }
  return String(error).slice(0, 500);
}

/** POSTs `body`; 2xx is success, redirects are not followed (a 3xx is a failure), 5 s at most. */
export async function postOnce(url: string, body: string, headers: Record<string, string>): Promise<AttemptResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const protocol = (() => {
    try {
      return new URL(url).protocol;
    } catch {
      return "";
    }
  })();
  if (protocol !== "http:" && protocol !== "https:") return { ok: false, statusCode: null, error: "only http(s) URLs are called", ms: 0 };
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "user-agent": USER_AGENT, ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    // The answer's body is not needed: do not read (or wait for) it.
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    const error = ok
      ? null
      : res.status >= 300 && res.status < 400
        ? `redirect to ${res.headers.get("location")?.slice(0, 200) ?? "?"} not followed`
        : `HTTP ${res.status}`;
    return { ok, statusCode: res.status, error, ms: ms() };
  } catch (error) {
    return { ok: false, statusCode: null, error: describeError(error), ms: ms() };
  }
}

function recipientsOf(config: unknown): string[] {
  const to = (config as { to?: unknown } | null)?.to;
  return Array.isArray(to) ? to.filter((t): t is string => typeof t === "string") : [];
}

/** Delivers one notice to one channel, in the channel's format. */
export async function sendToChannel(
  channel: ChannelTarget,
  notice: { alert: AlertNotice; stateKey: string; deliveryId: string; now: Date; test?: boolean },
): Promise<AttemptResult> {
  if (channel.kind === "webhook") {
    if (!channel.url || !channel.secret) return { ok: false, statusCode: null, error: "the channel has no URL or secret", ms: 0 };
    const event = buildAlertCloudEvent({ deliveryId: notice.deliveryId, alert: notice.alert, stateKey: notice.stateKey, now: notice.now });
    if (notice.test) event.type = TEST_EVENT_TYPE;
    const body = JSON.stringify(event);
    return postOnce(channel.url, body, {
      "content-type": "application/cloudevents+json; charset=utf-8",
      "vitrine-signature": signatureHeader(channel.secret, body, new Date()),
    });
  }
  if (channel.kind === "slack") {
    if (!channel.url) return { ok: false, statusCode: null, error: "the channel has no URL", ms: 0 };
    const body = JSON.stringify(buildSlackMessage({ alert: notice.alert, stateKey: notice.stateKey, test: notice.test }));
    return postOnce(channel.url, body, { "content-type": "application/json; charset=utf-8" });
  }
  if (channel.kind === "email") {
    const e = env();
    if (!e.VITRINE_SMTP_URL || !e.VITRINE_SMTP_FROM) {
      return { ok: false, statusCode: null, error: "email is not configured (VITRINE_SMTP_URL, VITRINE_SMTP_FROM)", ms: 0 };
    }
    const started = performance.now();
    const mail = buildEmailMessage({ alert: notice.alert, stateKey: notice.stateKey, test: notice.test });
    try {
      await sendSmtpMail({
        url: e.VITRINE_SMTP_URL,
        message: { from: e.VITRINE_SMTP_FROM, to: recipientsOf(channel.config), subject: mail.subject, text: mail.text },
        now: notice.now,
      });
      return { ok: true, statusCode: null, error: null, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { ok: false, statusCode: null, error: describeError(error), ms: Math.round(performance.now() - started) };
    }
  }
  return { ok: false, statusCode: null, error: `unknown channel kind ${channel.kind}`, ms: 0 };
}

import "server-only";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import type { NetworkPolicy } from "@/lib/domain/network-address";
import {
  type AlertNotice,
  buildAlertCloudEvent,
  buildEmailMessage,
  buildSlackMessage,
  signatureHeader,
  TEST_EVENT_TYPE,
} from "@/lib/domain/notifications";
import { env } from "@/lib/env";
import { notifyNetworkPolicy, pinnedLookup, type Resolver, resolveTarget, systemResolver } from "./network-guard";
import { sendSmtpMail } from "./smtp";

// One attempt to deliver one notification to one channel. Never throws: the outcome is a value
// that the delivery log keeps (status code or error, and how long it took).

export type AttemptResult = {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  ms: number;
  /** A failure no retry can fix (the address is refused): the delivery fails now. */
  permanent?: boolean;
};

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
    // Several addresses tried and all refused (autoSelectFamily): an AggregateError without a message.
    const message = error.message || (error as { code?: string }).code || error.name;
    return (detail ? `${message}: ${detail}` : message).slice(0, 500);
  }
  return String(error).slice(0, 500);
}

/** How postOnce finds and vets addresses: the server's policy and the system resolver unless a test passes others. */
export type PostOptions = { policy?: NetworkPolicy; resolve?: Resolver };

/** One POST over node:http(s), connected to `lookup`'s addresses; answers the status and Location, never reads the body. */
function request(
  url: URL,
  body: string,
  headers: Record<string, string>,
  lookup: LookupFunction | undefined,
): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? https.request : http.request;
    const req = send(
      url,
      {
        method: "POST",
        headers: { "user-agent": USER_AGENT, ...headers, "content-length": String(Buffer.byteLength(body)) },
        ...(lookup ? { lookup } : {}),
        // A connection of its own: a pooled socket would skip the address check of this request.
        agent: false,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      },
      (res) => {
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        // The answer's body is not needed: do not read (or wait for) it.
        res.destroy();
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * POSTs `body`; 2xx is success, redirects are not followed (a 3xx is a failure), 5 s at most. The
 * host's addresses are checked first (network-guard.ts): a refused address is a permanent failure.
 */
export async function postOnce(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions = {},
): Promise<AttemptResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, statusCode: null, error: "the channel URL is not a URL", ms: 0, permanent: true };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { ok: false, statusCode: null, error: "only http(s) URLs are called", ms: 0, permanent: true };
  }
  const target = await resolveTarget(parsed, {
    policy: options.policy ?? notifyNetworkPolicy(),
    resolve: options.resolve ?? systemResolver,
  });
  if (!target.ok) return { ok: false, statusCode: null, error: target.error, ms: ms(), ...(target.permanent ? { permanent: true } : {}) };
  try {
    const res = await request(parsed, body, headers, target.addresses ? pinnedLookup(target.addresses) : undefined);
    const ok = res.status >= 200 && res.status < 300;
    const error = ok
      ? null
      : res.status >= 300 && res.status < 400
        ? `redirect to ${res.location?.slice(0, 200) ?? "?"} not followed`
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
  options: PostOptions = {},
): Promise<AttemptResult> {
  if (channel.kind === "webhook") {
    if (!channel.url || !channel.secret) return { ok: false, statusCode: null, error: "the channel has no URL or secret", ms: 0 };
    const event = buildAlertCloudEvent({ deliveryId: notice.deliveryId, alert: notice.alert, stateKey: notice.stateKey, now: notice.now });
    if (notice.test) event.type = TEST_EVENT_TYPE;
    const body = JSON.stringify(event);
    return postOnce(
      channel.url,
      body,
      {
        "content-type": "application/cloudevents+json; charset=utf-8",
        "vitrine-signature": signatureHeader(channel.secret, body, new Date()),
      },
      options,
    );
  }
  if (channel.kind === "slack") {
    if (!channel.url) return { ok: false, statusCode: null, error: "the channel has no URL", ms: 0 };
    const body = JSON.stringify(buildSlackMessage({ alert: notice.alert, stateKey: notice.stateKey, test: notice.test }));
    return postOnce(channel.url, body, { "content-type": "application/json; charset=utf-8" }, options);
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

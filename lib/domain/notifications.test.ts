import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type AlertNotice,
  buildAlertCloudEvent,
  buildEmailMessage,
  buildSlackMessage,
  channelMatches,
  checkChannelUrl,
  DEFAULT_ESCALATION,
  escalationDueAt,
  reasonOfState,
  redactChannelUrl,
  signatureHeader,
  verifySignatureHeader,
} from "./notifications";

const routing = { enabled: true, minSeverity: "low", rules: [] as string[], environments: [] as string[] };
const alert = { rule: "unsigned-deployed", severity: "high", environment: "prod" };

describe("channelMatches", () => {
  it("matches by severity floor, rule list and environment list; empty lists match everything", () => {
    expect(channelMatches(routing, alert)).toBe(true);
    expect(channelMatches({ ...routing, enabled: false }, alert)).toBe(false);
    expect(channelMatches({ ...routing, minSeverity: "high" }, alert)).toBe(true);
    expect(channelMatches({ ...routing, minSeverity: "critical" }, alert)).toBe(false);
    expect(channelMatches({ ...routing, minSeverity: "medium" }, { ...alert, severity: "low" })).toBe(false);
    expect(channelMatches({ ...routing, rules: ["tag-mutated"] }, alert)).toBe(false);
    expect(channelMatches({ ...routing, rules: ["tag-mutated", "unsigned-deployed"] }, alert)).toBe(true);
    expect(channelMatches({ ...routing, environments: ["staging"] }, alert)).toBe(false);
    expect(channelMatches({ ...routing, environments: ["prod"] }, alert)).toBe(true);
    expect(channelMatches({ ...routing, environments: ["prod"] }, { ...alert, environment: null })).toBe(false);
    expect(channelMatches({ ...routing, rules: null, environments: null }, { ...alert, environment: null })).toBe(true);
    // An unknown severity is below low: only a channel that takes everything... does not take it either.
    expect(channelMatches(routing, { ...alert, severity: "weird" })).toBe(false);
  });
});

describe("escalationDueAt", () => {
  const openedAt = new Date("2026-11-26T10:00:00Z");
  it("is the severity's window after the later of opening and the last escalation; never for low by default", () => {
    expect(escalationDueAt({ severity: "critical", openedAt, escalatedAt: null }, DEFAULT_ESCALATION)?.toISOString()).toBe(
      "2026-11-26T10:15:00.000Z",
    );
    expect(escalationDueAt({ severity: "high", openedAt, escalatedAt: null }, DEFAULT_ESCALATION)?.toISOString()).toBe(
      "2026-11-26T11:00:00.000Z",
    );
    expect(
      escalationDueAt({ severity: "critical", openedAt, escalatedAt: new Date("2026-11-26T10:15:00Z") }, DEFAULT_ESCALATION)?.toISOString(),
    ).toBe("2026-11-26T10:30:00.000Z");
    // An escalation from before a reopening does not count.
    expect(
      escalationDueAt({ severity: "medium", openedAt, escalatedAt: new Date("2026-11-20T00:00:00Z") }, DEFAULT_ESCALATION)?.toISOString(),
    ).toBe("2026-11-26T14:00:00.000Z");
    expect(escalationDueAt({ severity: "low", openedAt, escalatedAt: null }, DEFAULT_ESCALATION)).toBeNull();
  });
});

describe("what is sent", () => {
  const notice: AlertNotice = {
    id: "0190a0b0-0000-7000-8000-000000000001",
    rule: "unsigned-deployed",
    severity: "critical",
    status: "open",
    environment: "prod",
    subject: { kind: "deployment", id: "d1", label: "api <script> & co\r\nBcc: x@example.com" },
    summary: "api runs an unsigned image",
    evidence: { documents: ["doc-1"] },
    createdAt: "2026-11-26T10:00:00.000Z",
    updatedAt: "2026-11-26T10:00:00.000Z",
    url: "https://vitrine.test/alerts/0190a0b0-0000-7000-8000-000000000001",
  };

  it("names the event type after the alert state", () => {
    expect(reasonOfState("open:1")).toBe("opened");
    expect(reasonOfState("reopened:3")).toBe("reopened");
    expect(reasonOfState("escalated:2")).toBe("escalated");
    expect(reasonOfState("severity:critical:1")).toBe("escalated");
    const event = buildAlertCloudEvent({
      deliveryId: "del-1",
      alert: notice,
      stateKey: "reopened:3",
      now: new Date("2026-11-26T10:05:00Z"),
    });
    expect(event).toMatchObject({ specversion: "1.0", id: "del-1", source: "vitrine", type: "dev.vitrine.alert.reopened" });
    expect(event.time).toBe("2026-11-26T10:05:00.000Z");
    expect(event.data).toMatchObject({ id: notice.id, url: notice.url, evidence: notice.evidence, state: "reopened:3" });
  });

  it("signs '<t>.<body>' with HMAC-SHA256 and verifies only the same secret, body and a recent time", () => {
    const now = new Date("2026-11-26T10:00:00Z");
    const header = signatureHeader("whsec_k", '{"a":1}', now);
    const t = Math.floor(now.getTime() / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac("sha256", "whsec_k").update(`${t}.{"a":1}`).digest("hex")}`);
    expect(verifySignatureHeader({ secret: "whsec_k", body: '{"a":1}', header, now })).toBe(true);
    expect(verifySignatureHeader({ secret: "whsec_x", body: '{"a":1}', header, now })).toBe(false);
    expect(verifySignatureHeader({ secret: "whsec_k", body: '{"a":2}', header, now })).toBe(false);
    expect(verifySignatureHeader({ secret: "whsec_k", body: '{"a":1}', header, now: new Date(now.getTime() + 301_000) })).toBe(false);
    expect(verifySignatureHeader({ secret: "whsec_k", body: '{"a":1}', header: "v1=abc", now })).toBe(false);
    // Several v1 values (during a secret rotation on the receiver's side): any one may match.
    const other = signatureHeader("whsec_old", '{"a":1}', now).split(",")[1];
    expect(verifySignatureHeader({ secret: "whsec_k", body: '{"a":1}', header: `${header},${other}`, now })).toBe(true);
  });

  it("escapes Slack's control characters and keeps email headers on one line", () => {
    const slack = buildSlackMessage({ alert: notice, stateKey: "open:1" });
    expect(slack.text).toContain("CRITICAL unsigned-deployed opened in prod");
    expect(JSON.stringify(slack.blocks)).toContain("api &lt;script&gt; &amp; co");
    expect(JSON.stringify(slack.blocks)).not.toContain("<script>");
    const mail = buildEmailMessage({ alert: notice, stateKey: "escalated:1" });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain("[Vitrine] critical unsigned-deployed escalated in prod");
    expect(mail.text).toContain(`Open it in Vitrine: ${notice.url}`);
  });
});

describe("channel URLs", () => {
  it("accepts only http(s) without credentials or fragment", () => {
    expect(checkChannelUrl("https://hooks.example.com/x?y=1")).toEqual({ ok: true, url: "https://hooks.example.com/x?y=1" });
    expect(checkChannelUrl("http://127.0.0.1:8080/hook").ok).toBe(true);
    for (const bad of [
      "ftp://x/y",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "data:text/plain,hi",
      "https://u:p@x/",
      "https://u@x/",
      "/relative",
      "https://x/#f",
    ]) {
      expect(checkChannelUrl(bad).ok, bad).toBe(false);
    }
  });

  it("hides query values and Slack's secret path", () => {
    expect(redactChannelUrl("webhook", "https://h.example.com/hook?token=s3cret&x=1")).toBe("https://h.example.com/hook?token=…&x=…");
    expect(redactChannelUrl("slack", "https://hooks.slack.com/services/T000/B000/XXXXXXXX")).toBe("https://hooks.slack.com/services/…");
    expect(redactChannelUrl("email", null)).toBeNull();
  });
});

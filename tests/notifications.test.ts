// Alert notifications (issue 6 item 3): webhook CloudEvents signed with HMAC-SHA256, Slack messages
// and email, delivered through the job queue with retries and never twice for the same alert state;
// routing; escalation of unacknowledged alerts; channel management; the delivery log; the SSRF guard.
// Receivers are real local servers on 127.0.0.1 started by the tests, a host these tests name in
// VITRINE_NOTIFY_ALLOWED_HOSTS (loopback is refused by default).
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toAppError } from "@/lib/api/errors";
import { sqlFromPool, withTransaction } from "@/lib/db/sql";
import { verifySignatureHeader } from "@/lib/domain/notifications";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { runDueJobs } from "@/lib/server/jobs/worker";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { createChannel } from "@/lib/server/notifications/create-channel";
import { deleteChannel } from "@/lib/server/notifications/delete-channel";
import { deliverAlertNotifications } from "@/lib/server/notifications/deliver-notifications";
import { enqueueAlertNotifications } from "@/lib/server/notifications/enqueue";
import { escalateUnacknowledged } from "@/lib/server/notifications/escalate-unacknowledged";
import { getEscalationSettings, putEscalationSettings } from "@/lib/server/notifications/escalation-settings";
import { listChannels } from "@/lib/server/notifications/list-channels";
import { listDeliveries } from "@/lib/server/notifications/list-deliveries";
import type { Resolver } from "@/lib/server/notifications/network-guard";
import { runDueNotifications } from "@/lib/server/notifications/notification-worker";
import type { TCreateChannel } from "@/lib/server/notifications/schemas";
import { testChannel } from "@/lib/server/notifications/test-channel";
import { updateChannel } from "@/lib/server/notifications/update-channel";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";
import { setTestEnv } from "./helpers/env";

setupTestDatabase();
const actor = { kind: "system", name: "test" } as const;
const BASE = "https://vitrine.test";

// ---------------------------------------------------------------------------------------------
// A local HTTP receiver: records every request, answers from a script (default 200).

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

class Receiver {
  readonly requests: Received[] = [];
  private script: number[] = [];
  private byPath = new Map<string, number[]>();
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.requests.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = this.byPath.get(req.url ?? "")?.shift() ?? this.script.shift() ?? 200;
      if (status >= 300 && status < 400) res.setHeader("location", "http://127.0.0.1:1/elsewhere");
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "no");
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return this;
  }
  url(path = "/hook"): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }
  /** The next answers, in order (then 200). */
  answer(...statuses: number[]): void {
    this.script = statuses;
  }
  /** The next answers to requests for `path`. */
  answerAt(path: string, ...statuses: number[]): void {
    this.byPath.set(path, statuses);
  }
  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }
  reset(): void {
    this.requests.length = 0;
    this.script = [];
    this.byPath.clear();
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny SMTP stand-in on loopback: accepts one message per connection and keeps it.

type Mail = { from: string; to: string[]; data: string };

class SmtpStandIn {
  readonly mails: Mail[] = [];
  private server = net.createServer((socket) => {
    let buffer = "";
    let mail: Mail = { from: "", to: [], data: "" };
    let inData = false;
    socket.setEncoding("utf8");
    socket.write("220 stand-in ESMTP\r\n");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\r\n"); nl !== -1; nl = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            this.mails.push(mail);
            mail = { from: "", to: [], data: "" };
            socket.write("250 2.0.0 queued\r\n");
          } else mail.data += `${line.startsWith("..") ? line.slice(1) : line}\r\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") socket.write("250-stand-in\r\n250 8BITMIME\r\n");
        else if (verb === "MAIL") {
          mail.from = /<(.*)>/.exec(line)?.[1] ?? "";
          socket.write("250 OK\r\n");
        } else if (verb === "RCPT") {
          mail.to.push(/<(.*)>/.exec(line)?.[1] ?? "");
          socket.write("250 OK\r\n");
        } else if (verb === "DATA") {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("502 not implemented\r\n");
      }
    });
  });
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return this;
  }
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// Data

type AlertInput = { rule?: string; severity?: string; environment?: string | null; status?: string; firedAt?: Date; label?: string };

async function insertAlert(input: AlertInput = {}): Promise<string> {
  const id = uuidv7();
  const at = (input.firedAt ?? new Date()).toISOString();
  const rule = input.rule ?? "unsigned-deployed";
  const environment = input.environment === undefined ? "prod" : input.environment;
  await withPg(async (c) => {
    await c.query(
      `INSERT INTO alerts (id, dedupe_key, rule, severity, status, environment, subject_kind, subject_id, subject_label, summary, evidence,
                           first_fired_at, last_fired_at, acknowledged_at, created_at, updated_at)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, 'deployment', $1::text, $7, $8, $9, $10, $10, $11, $10, $10)`,
      [
        id,
        `${rule}|deployment:${id}|${environment ?? ""}`,
        rule,
        input.severity ?? "critical",
        input.status ?? "open",
        environment,
        input.label ?? "payments-api in prod/payments",
        `payments-api in ${environment} runs an image without the verified signature its policy requires`,
        JSON.stringify({ documents: ["0190a0b0-0000-7000-8000-000000000001"], digest: `sha256:${"ab".repeat(32)}` }),
        at,
        input.status === "acknowledged" ? at : null,
      ],
    );
    await c.query(`INSERT INTO alert_events (id, alert_id, kind, actor, created_at) VALUES ($1, $2, 'fired', 'system:rules', $3)`, [
      uuidv7(),
      id,
      at,
    ]);
  });
  return id;
}

function notify(alertId: string, stateKey = "open:1") {
  return withTransaction((sql) => enqueueAlertNotifications(sql, [{ id: alertId, stateKey }], new Date()));
}

/** Makes every waiting job due now, as if its backoff had passed. */
async function passBackoff(): Promise<void> {
  await withPg((c) => c.query(`UPDATE jobs SET run_at = now() - interval '1 second' WHERE done_at IS NULL AND failed_at IS NULL`));
}

async function deliveriesOf(alertId: string) {
  return withPg(async (c) => {
    const { rows } = await c.query<{
      id: string;
      channel_id: string;
      state_key: string;
      status: string;
      attempts: Array<Record<string, unknown>>;
    }>(`SELECT id, channel_id, state_key, status, attempts FROM notification_deliveries WHERE alert_id = $1 ORDER BY id`, [alertId]);
    return rows;
  });
}

async function webhook(name: string, url: string, routing: Partial<TCreateChannel> = {}) {
  return createChannel({ actor, input: { kind: "webhook", name, url, ...routing } as TCreateChannel, now: new Date() });
}

async function ledgerKinds(): Promise<Array<{ kind: string; subject: string; payload: Record<string, unknown> }>> {
  return withPg(async (c) => (await c.query(`SELECT kind, subject, payload FROM ledger_entries ORDER BY sequence`)).rows);
}

let receiver: Receiver;
const guardEnv = { allowedHosts: process.env.VITRINE_NOTIFY_ALLOWED_HOSTS, allowPrivate: process.env.VITRINE_NOTIFY_ALLOW_PRIVATE };

/** The test receivers' host allowed, and nothing else (restored after each test that changes the guard). */
function allowTestReceivers(): void {
  setTestEnv({ VITRINE_NOTIFY_ALLOWED_HOSTS: "127.0.0.1", VITRINE_NOTIFY_ALLOW_PRIVATE: undefined });
}

beforeAll(async () => {
  setTestEnv({ VITRINE_PUBLIC_URL: BASE, VITRINE_SMTP_URL: undefined, VITRINE_SMTP_FROM: undefined });
  allowTestReceivers();
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await receiver.stop();
  setTestEnv({
    VITRINE_PUBLIC_URL: undefined,
    VITRINE_NOTIFY_ALLOWED_HOSTS: guardEnv.allowedHosts,
    VITRINE_NOTIFY_ALLOW_PRIVATE: guardEnv.allowPrivate,
  });
});
beforeEach(async () => {
  await resetDatabase();
  receiver.reset();
});

// ---------------------------------------------------------------------------------------------

describe("webhook delivery", () => {
  it("POSTs a structured CloudEvent signed with HMAC-SHA256 over '<t>.<body>', once", async () => {
    const channel = await webhook("on-call hook", receiver.url());
    expect(channel.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const alertId = await insertAlert();
    await notify(alertId);
    expect(await runDueJobs()).toBe(1);

    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    expect(req.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");

    // The signature, checked the way a receiver would, without Vitrine's code.
    const header = String(req.headers["vitrine-signature"]);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(60);
    const expected = createHmac("sha256", channel.secret!).update(`${m![1]}.${req.body}`).digest("hex");
    expect(m![2]).toBe(expected);
    expect(verifySignatureHeader({ secret: channel.secret!, body: req.body, header, now: new Date() })).toBe(true);
    // Another secret, a changed body or an old timestamp do not verify.
    expect(verifySignatureHeader({ secret: "whsec_other", body: req.body, header, now: new Date() })).toBe(false);
    expect(verifySignatureHeader({ secret: channel.secret!, body: `${req.body} `, header, now: new Date() })).toBe(false);
    expect(verifySignatureHeader({ secret: channel.secret!, body: req.body, header, now: new Date(Date.now() + 3_600_000) })).toBe(false);

    const [delivery] = await deliveriesOf(alertId);
    const event = JSON.parse(req.body);
    expect(event).toMatchObject({
      specversion: "1.0",
      id: delivery!.id,
      source: "vitrine",
      type: "dev.vitrine.alert.opened",
      datacontenttype: "application/json",
      data: {
        id: alertId,
        rule: "unsigned-deployed",
        severity: "critical",
        status: "open",
        environment: "prod",
        subject: { kind: "deployment", id: alertId, label: "payments-api in prod/payments" },
        evidence: { digest: `sha256:${"ab".repeat(32)}` },
        url: `${BASE}/alerts/${alertId}`,
        state: "open:1",
      },
    });
    expect(new Date(event.time).toISOString()).toBe(event.time);
    expect(event.data.summary).toContain("without the verified signature");

    expect(delivery).toMatchObject({ status: "delivered", state_key: `${alertId}:open:1` });
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.attempts[0]).toMatchObject({ statusCode: 200 });

    // The log through the API verb, and the alert's timeline.
    const log = await listDeliveries({ alertId });
    expect(log.items).toEqual([
      expect.objectContaining({
        id: delivery!.id,
        channel: { id: channel.id, name: "on-call hook", kind: "webhook" },
        state: "open:1",
        status: "delivered",
        attempts: [expect.objectContaining({ statusCode: 200, error: null })],
      }),
    ]);
    const events = await withPg(
      async (c) => (await c.query(`SELECT kind, data FROM alert_events WHERE alert_id = $1 AND kind = 'notified'`, [alertId])).rows,
    );
    expect(events).toEqual([
      { kind: "notified", data: expect.objectContaining({ channel: "on-call hook", statusCode: 200, state: "open:1" }) },
    ]);

    // Nothing more to do: no second request.
    expect(await runDueJobs()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it("a receiver that fails twice (500) then succeeds gets it exactly once after retries; a healthy one is not sent it again", async () => {
    const flaky = await webhook("flaky", receiver.url("/flaky"));
    await webhook("healthy", receiver.url("/healthy"));
    const alertId = await insertAlert();
    await notify(alertId);

    receiver.answerAt("/flaky", 500, 500);
    expect(await runDueJobs()).toBe(1);
    let [d] = (await deliveriesOf(alertId)).filter((x) => x.channel_id === flaky.id);
    expect(d).toMatchObject({ status: "pending" });
    expect(d!.attempts.map((a) => a.statusCode)).toEqual([500]);
    expect(d!.attempts[0]).toMatchObject({ error: "HTTP 500" });

    // The retry waits for its backoff.
    expect(await runDueJobs()).toBe(0);
    await passBackoff();
    expect(await runDueJobs()).toBe(1);
    await passBackoff();
    expect(await runDueJobs()).toBe(1);
    await passBackoff();
    expect(await runDueJobs()).toBe(0);

    [d] = (await deliveriesOf(alertId)).filter((x) => x.channel_id === flaky.id);
    expect(d).toMatchObject({ status: "delivered" });
    expect(d!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    for (const a of d!.attempts) expect(typeof a.at === "string" && typeof a.ms === "number").toBe(true);

    const flakyRequests = receiver.at("/flaky");
    expect(flakyRequests).toHaveLength(3);
    // The same event each time (receivers may drop repeats by id); accepted once.
    expect(new Set(flakyRequests.map((r) => JSON.parse(r.body).id))).toEqual(new Set([d!.id]));
    expect(receiver.at("/healthy")).toHaveLength(1);

    const job = await withPg(
      async (c) => (await c.query(`SELECT attempts, done_at, failed_at FROM jobs WHERE kind = 'alerts.notify'`)).rows,
    );
    expect(job).toEqual([{ attempts: 3, done_at: expect.any(Date), failed_at: null }]);
    const log = await listDeliveries({ alertId });
    expect(log.items.find((i) => i.channel.name === "flaky")?.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
  });

  it("gives up after the queue's last attempt and marks the delivery failed", async () => {
    await webhook("down", receiver.url("/down"));
    const alertId = await insertAlert();
    await notify(alertId);
    await withPg((c) => c.query(`UPDATE jobs SET max_attempts = 3`));
    receiver.answer(503, 503, 503, 503);
    for (let i = 0; i < 3; i++) {
      expect(await runDueJobs()).toBe(1);
      await passBackoff();
    }
    expect(await runDueJobs()).toBe(0);
    const [d] = await deliveriesOf(alertId);
    expect(d).toMatchObject({ status: "failed" });
    expect(d!.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);
    const [job] = await withPg(async (c) => (await c.query(`SELECT failed_at, last_error FROM jobs`)).rows);
    expect(job.failed_at).toBeInstanceOf(Date);
    expect(job.last_error).toContain("down: HTTP 503");
  });

  it("does not follow redirects, and records a refused connection as an error without a status code", async () => {
    await webhook("moved", receiver.url("/moved"));
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await webhook("nobody", `http://127.0.0.1:${port}/hook`);
    const alertId = await insertAlert();
    await notify(alertId);
    receiver.answer(302);
    await runDueJobs();
    const log = await listDeliveries({ alertId });
    const moved = log.items.find((i) => i.channel.name === "moved")!;
    expect(moved.status).toBe("pending");
    expect(moved.attempts[0]).toMatchObject({ statusCode: 302, error: expect.stringContaining("not followed") });
    expect(receiver.requests.map((r) => r.path)).toEqual(["/moved"]);
    const nobody = log.items.find((i) => i.channel.name === "nobody")!;
    expect(nobody.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringContaining("ECONNREFUSED") });
  });

  it("never delivers the same alert state twice to a channel; a new state is delivered", async () => {
    await webhook("once", receiver.url());
    const alertId = await insertAlert();
    await notify(alertId);
    await notify(alertId); // absorbed by the waiting job
    await runDueJobs();
    await notify(alertId); // the same state again, after delivery
    await runDueJobs();
    expect(receiver.requests).toHaveLength(1);
    expect(await deliveriesOf(alertId)).toHaveLength(1);

    await notify(alertId, "reopened:2");
    await runDueJobs();
    expect(receiver.requests).toHaveLength(2);
    expect(JSON.parse(receiver.requests[1]!.body)).toMatchObject({ type: "dev.vitrine.alert.reopened", data: { state: "reopened:2" } });
    // The same state key of another alert is another state.
    const other = await insertAlert({ label: "other" });
    await notify(other);
    await runDueJobs();
    expect(receiver.requests).toHaveLength(3);
  });

  it("has a lane of its own: notifications are delivered while other jobs wait", async () => {
    await webhook("lane", receiver.url());
    await withPg((c) =>
      c.query(
        `INSERT INTO jobs (id, kind, payload, run_at) VALUES ($1, 'artifacts.changed', '{"artifactIds": []}', now() - interval '1 minute')`,
        [uuidv7()],
      ),
    );
    const alertId = await insertAlert();
    await notify(alertId);
    expect(await runDueNotifications()).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    const waiting = await withPg(async (c) => (await c.query(`SELECT kind FROM jobs WHERE done_at IS NULL`)).rows);
    expect(waiting).toEqual([{ kind: "artifacts.changed" }]);
  });
});

describe("routing", () => {
  it("sends an alert only to the enabled channels whose severity, rules and environments match", async () => {
    await webhook("all", receiver.url("/all"));
    await webhook("high+", receiver.url("/high"), { minSeverity: "high" });
    await webhook("critical only", receiver.url("/critical"), { minSeverity: "critical" });
    await webhook("tags", receiver.url("/tags"), { rules: ["tag-mutated"] });
    await webhook("unsigned", receiver.url("/unsigned"), { rules: ["unsigned-deployed", "tag-mutated"] });
    await webhook("prod", receiver.url("/prod"), { environments: ["prod"] });
    await webhook("staging", receiver.url("/staging"), { environments: ["staging", "dev"] });
    await webhook("off", receiver.url("/off"), { enabled: false });

    await notify(await insertAlert({ rule: "unsigned-deployed", severity: "high", environment: "staging" }));
    await runDueJobs();
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(["/all", "/high", "/staging", "/unsigned"]);

    receiver.reset();
    await notify(await insertAlert({ rule: "tag-mutated", severity: "low", environment: null, label: "t" }));
    await runDueJobs();
    // No environment: only channels that do not filter on environments.
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(["/all", "/tags", "/unsigned"]);

    receiver.reset();
    await notify(await insertAlert({ rule: "digest-drift", severity: "critical", environment: "prod", label: "d" }));
    await runDueJobs();
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(["/all", "/critical", "/high", "/prod"]);
  });

  it("sends Slack a readable message with severity, rule, subject, environment and the link", async () => {
    await createChannel({ actor, input: { kind: "slack", name: "slack", url: receiver.url("/services/T000/B000/XXXX") }, now: new Date() });
    const alertId = await insertAlert({ severity: "critical", environment: "prod", label: "payments-api in prod/payments" });
    await notify(alertId);
    await runDueJobs();
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(req.headers["vitrine-signature"]).toBeUndefined();
    const body = JSON.parse(req.body);
    for (const part of ["CRITICAL", "unsigned-deployed", "prod", "payments-api in prod/payments", `${BASE}/alerts/${alertId}`]) {
      expect(body.text).toContain(part);
    }
    const blocks = JSON.stringify(body.blocks);
    for (const part of ["*Severity*\\ncritical", "*Rule*\\nunsigned-deployed", "*Environment*\\nprod", "payments-api in prod/payments"]) {
      expect(blocks).toContain(part);
    }
    expect(body.blocks.at(-1)).toMatchObject({ type: "actions", elements: [{ type: "button", url: `${BASE}/alerts/${alertId}` }] });
    expect((await deliveriesOf(alertId))[0]).toMatchObject({ status: "delivered" });
  });
});

describe("email", () => {
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await new SmtpStandIn().start();
  });
  afterAll(() => smtp.stop());
  afterEach(() => setTestEnv({ VITRINE_SMTP_URL: undefined, VITRINE_SMTP_FROM: undefined }));

  it("is refused while SMTP is not configured", async () => {
    const error = await createChannel({ actor, input: { kind: "email", name: "mail", to: ["oncall@example.com"] }, now: new Date() }).catch(
      (e) => e,
    );
    expect(toAppError(error)?.status).toBe(422);
    expect(toAppError(error)?.extra.errors?.[0]?.path).toBe("$.kind");
  });

  it("sends a plain-text email through the SMTP server in VITRINE_SMTP_URL", async () => {
    setTestEnv({ VITRINE_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, VITRINE_SMTP_FROM: "vitrine@example.com" });
    await createChannel({ actor, input: { kind: "email", name: "mail", to: ["oncall@example.com", "sec@example.com"] }, now: new Date() });
    const alertId = await insertAlert({ label: "payments-api in prod/payments" });
    await notify(alertId);
    await runDueJobs();
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe("vitrine@example.com");
    expect(mail.to).toEqual(["oncall@example.com", "sec@example.com"]);
    const [head, body] = mail.data.split("\r\n\r\n");
    expect(head).toContain("Subject: [Vitrine] critical unsigned-deployed opened in prod: payments-api in prod/payments");
    expect(head).toContain("Content-Transfer-Encoding: base64");
    const text = Buffer.from(body!.replace(/\s+/g, ""), "base64").toString("utf8");
    expect(text).toContain(`Open it in Vitrine: ${BASE}/alerts/${alertId}`);
    expect(text).toContain("Environment: prod");
    expect((await deliveriesOf(alertId))[0]).toMatchObject({ status: "delivered" });
  });

  it("never sends SMTP credentials over a connection without TLS", async () => {
    const before = smtp.mails.length;
    setTestEnv({ VITRINE_SMTP_URL: `smtp://vitrine:s3cret@127.0.0.1:${smtp.port}`, VITRINE_SMTP_FROM: "vitrine@example.com" });
    await createChannel({ actor, input: { kind: "email", name: "mail", to: ["oncall@example.com"] }, now: new Date() });
    const alertId = await insertAlert();
    await notify(alertId);
    await runDueJobs();
    expect(smtp.mails).toHaveLength(before);
    const [d] = await deliveriesOf(alertId);
    expect(d).toMatchObject({ status: "pending" });
    expect(String(d!.attempts[0]?.error)).toContain("offers no TLS");
  });
});

describe("escalation", () => {
  const minutes = (n: number) => n * 60_000;

  it("re-notifies open alerts nobody acknowledged within their severity's time, again every window, and ledgers it", async () => {
    await webhook("pager", receiver.url());
    const now = new Date();
    const critical = await insertAlert({ severity: "critical", firedAt: new Date(now.getTime() - minutes(16)), label: "c" });
    const high = await insertAlert({ severity: "high", firedAt: new Date(now.getTime() - minutes(30)), label: "h" });
    await insertAlert({ severity: "critical", status: "acknowledged", firedAt: new Date(now.getTime() - minutes(60)), label: "ack" });
    await insertAlert({ severity: "critical", status: "resolved", firedAt: new Date(now.getTime() - minutes(60)), label: "res" });
    await insertAlert({ severity: "low", firedAt: new Date(now.getTime() - minutes(100_000)), label: "low" });
    const fresh = await insertAlert({ severity: "critical", firedAt: new Date(now.getTime() - minutes(5)), label: "new" });

    const escalated = await withTransaction((sql) => escalateUnacknowledged(sql, now));
    expect(escalated).toEqual([expect.objectContaining({ id: critical, severity: "critical", stateKey: "escalated:1" })]);
    // Nothing more at the same time.
    expect(await withTransaction((sql) => escalateUnacknowledged(sql, now))).toEqual([]);

    const [row] = await withPg(async (c) => (await c.query(`SELECT escalated_at FROM alerts WHERE id = $1`, [critical])).rows);
    expect(new Date(row.escalated_at).getTime()).toBe(now.getTime());
    const events = await withPg(
      async (c) =>
        (
          await c.query(`SELECT kind, actor, ledger_sequence, data FROM alert_events WHERE alert_id = $1 AND kind = 'escalated'`, [
            critical,
          ])
        ).rows,
    );
    expect(events).toEqual([
      { kind: "escalated", actor: "system:escalation", ledger_sequence: expect.anything(), data: { state: "escalated:1", minutes: 15 } },
    ]);
    const ledger = await ledgerKinds();
    expect(ledger.filter((l) => l.kind === "alert.escalated")).toEqual([
      expect.objectContaining({
        subject: `alert:${critical}`,
        payload: expect.objectContaining({ state: "escalated:1", severity: "critical" }),
      }),
    ]);

    await runDueJobs();
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({
      type: "dev.vitrine.alert.escalated",
      data: { id: critical, state: "escalated:1" },
    });

    // Still not acknowledged one window later: escalated again (and the newer one for the first time).
    const later = new Date(now.getTime() + minutes(15));
    const again = await withTransaction((sql) => escalateUnacknowledged(sql, later));
    expect(Object.fromEntries(again.map((e) => [e.id, e.stateKey]))).toEqual({ [critical]: "escalated:2", [fresh]: "escalated:1" });
    // Configurable: high after 20 minutes instead of 60.
    await putEscalationSettings({ actor, times: { critical: 15, high: 20, medium: 240, low: null }, now: later });
    expect((await withTransaction((sql) => escalateUnacknowledged(sql, later))).map((e) => e.id)).toEqual([high]);
    await passBackoff(); // the jobs are due at `later`, 15 minutes from now
    await runDueJobs();
    expect(receiver.requests).toHaveLength(4);
    expect((await verifyLedger()).valid).toBe(true);
  });

  it("keeps the escalation times in Settings, validated and ledgered", async () => {
    expect(await getEscalationSettings()).toEqual({
      times: { critical: 15, high: 60, medium: 240, low: null },
      defaults: { critical: 15, high: 60, medium: 240, low: null },
      updatedAt: null,
    });
    const now = new Date();
    const put = await putEscalationSettings({ actor, times: { critical: 5, high: 30, medium: null, low: null }, now });
    expect(put).toMatchObject({ changed: true, times: { critical: 5, high: 30, medium: null, low: null } });
    expect(await putEscalationSettings({ actor, times: { critical: 5, high: 30, medium: null, low: null }, now })).toMatchObject({
      changed: false,
    });
    expect((await getEscalationSettings()).times).toEqual({ critical: 5, high: 30, medium: null, low: null });
    const entries = (await ledgerKinds()).filter((l) => l.kind === "notifications.escalation.updated");
    expect(entries).toHaveLength(1);
    expect(entries[0]!.payload).toMatchObject({ previous: { critical: 15, high: 60, medium: 240, low: null } });

    for (const bad of [
      { critical: 0, high: 1, medium: 1, low: 1 },
      { critical: 1.5, high: 1, medium: 1, low: 1 },
      { critical: 1, high: 1 },
    ]) {
      const error = await putEscalationSettings({ actor, times: bad as never, now }).catch((e) => e);
      expect(toAppError(error)?.status).toBe(422);
    }
  });
});

describe("channels", () => {
  it("shows a webhook's secret once, never in lists or the ledger, and rotates it on request", async () => {
    const created = await webhook("hook", `${receiver.url()}?token=abc123`);
    const secret = created.secret!;
    expect(Buffer.from(secret.slice("whsec_".length), "base64url")).toHaveLength(32);
    const list = await listChannels();
    expect(list).toEqual([
      expect.objectContaining({
        id: created.id,
        name: "hook",
        kind: "webhook",
        url: `${receiver.url()}?token=…`,
        hasSecret: true,
        enabled: true,
      }),
    ]);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(JSON.stringify(list)).not.toContain("abc123");
    expect(JSON.stringify(await ledgerKinds())).not.toContain(secret);

    const rotated = await updateChannel({ actor, id: created.id, input: { rotateSecret: true }, now: new Date() });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    await notify(await insertAlert());
    await runDueJobs();
    const req = receiver.requests[0]!;
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(req.headers["vitrine-signature"]))!;
    expect(createHmac("sha256", rotated.secret!).update(`${t}.${req.body}`).digest("hex")).toBe(v1);
  });

  it("refuses URLs that are not http(s) or carry credentials (422 naming the field)", async () => {
    for (const url of [
      "ftp://example.com/hook",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "http://user:pass@example.com/hook",
      "https://@example.com:x/",
      "not a url",
      "http://example.com/#frag",
    ]) {
      const error = await webhook(`bad ${url}`, url).catch((e) => e);
      const problem = toAppError(error);
      expect(problem?.status, url).toBe(422);
      expect(
        problem?.extra.errors?.map((e) => e.path),
        url,
      ).toContain("$.url");
    }
    const error = await createChannel({
      actor,
      input: { kind: "sms", name: "x", url: "https://example.com" } as never,
      now: new Date(),
    }).catch((e) => e);
    expect(toAppError(error)?.status).toBe(422);
    const patch = await webhook("good", receiver.url());
    const bad = await updateChannel({ actor, id: patch.id, input: { url: "gopher://example.com" }, now: new Date() }).catch((e) => e);
    expect(toAppError(bad)?.status).toBe(422);
    const wrongField = await updateChannel({ actor, id: patch.id, input: { to: ["a@example.com"] }, now: new Date() }).catch((e) => e);
    expect(toAppError(wrongField)?.extra.errors?.[0]?.path).toBe("$.to");
    expect(await listChannels()).toHaveLength(1);
  });

  it("refuses a second channel with the same name (409), disables, deletes only without deliveries, ledgers every change", async () => {
    const a = await webhook("a", receiver.url("/a"));
    const taken = await webhook("a", receiver.url("/b")).catch((e) => e);
    expect(toAppError(taken)?.status).toBe(409);

    const b = await webhook("b", receiver.url("/b"));
    expect((await deleteChannel({ actor, id: b.id, now: new Date() })).deleted).toBe(true);

    await notify(await insertAlert());
    await runDueJobs();
    const refused = await deleteChannel({ actor, id: a.id, now: new Date() }).catch((e) => e);
    expect(toAppError(refused)?.status).toBe(409);
    const off = await updateChannel({
      actor,
      id: a.id,
      input: { enabled: false, minSeverity: "high", environments: ["prod"] },
      now: new Date(),
    });
    expect(off).toMatchObject({ enabled: false, minSeverity: "high", environments: ["prod"], secret: null, deliveries: 1 });
    expect(off.lastDelivery).toMatchObject({ status: "delivered", statusCode: 200 });
    await notify(await insertAlert({ label: "second" }));
    await runDueJobs();
    expect(receiver.requests).toHaveLength(1);

    const unknown = await updateChannel({
      actor,
      id: "00000000-0000-4000-8000-000000000000",
      input: { enabled: true },
      now: new Date(),
    }).catch((e) => e);
    expect(toAppError(unknown)?.status).toBe(404);
    expect((await ledgerKinds()).map((l) => l.kind)).toEqual([
      "notifications.channel.created",
      "notifications.channel.created",
      "notifications.channel.deleted",
      "notifications.channel.updated",
    ]);
  });

  it("'Send test' delivers a test CloudEvent now and answers the receiver's status code", async () => {
    const channel = await webhook("test me", receiver.url("/t"));
    receiver.answer(418);
    expect(await testChannel({ id: channel.id, now: new Date() })).toMatchObject({ ok: false, statusCode: 418, error: "HTTP 418" });
    expect(await testChannel({ id: channel.id, now: new Date() })).toMatchObject({ ok: true, statusCode: 200, error: null });
    const event = JSON.parse(receiver.requests[1]!.body);
    expect(event).toMatchObject({ specversion: "1.0", source: "vitrine", type: "dev.vitrine.notification.test" });
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(receiver.requests[1]!.headers["vitrine-signature"]))!;
    expect(createHmac("sha256", channel.secret!).update(`${t}.${receiver.requests[1]!.body}`).digest("hex")).toBe(v1);
    // A test is not an alert delivery.
    expect((await listChannels())[0]?.deliveries).toBe(0);
  });

  it("answers 404 for the deliveries of an unknown alert and 422 for a bad id", async () => {
    expect(toAppError(await listDeliveries({ alertId: "00000000-0000-4000-8000-000000000000" }).catch((e) => e))?.status).toBe(404);
    expect(toAppError(await listDeliveries({ alertId: "nope" }).catch((e) => e))?.status).toBe(422);
  });
});

describe("delivery log", () => {
  it("pages an alert's deliveries with a cursor, with counts, last answer and the next attempt", async () => {
    for (const name of ["a", "b", "c"]) await webhook(`log ${name}`, receiver.url(`/${name}`));
    const alertId = await insertAlert();
    await notify(alertId);
    receiver.answerAt("/b", 500);
    expect(await runDueJobs()).toBe(1);

    const first = await listDeliveries({ alertId, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.counts).toEqual({ total: 3, pending: 1, delivered: 2, failed: 0 });
    const second = await listDeliveries({ alertId, limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((d) => d.id)).size).toBe(3);
    expect(all.map((d) => d.id)).toEqual((await listDeliveries({ alertId })).items.map((d) => d.id));

    const failing = all.find((d) => d.channel.name === "log b")!;
    const [job] = await withPg(async (c) => (await c.query(`SELECT run_at FROM jobs WHERE kind = 'alerts.notify'`)).rows);
    expect(failing).toMatchObject({
      state: "open:1",
      status: "pending",
      attemptCount: 1,
      lastStatusCode: 500,
      lastError: "HTTP 500",
      deliveredAt: null,
      nextAttemptAt: new Date(job.run_at).toISOString(),
    });
    expect(new Date(failing.nextAttemptAt!).getTime()).toBeGreaterThan(new Date(failing.lastAttemptAt!).getTime());
    const delivered = all.find((d) => d.channel.name === "log a")!;
    expect(delivered).toMatchObject({ status: "delivered", attemptCount: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(delivered.deliveredAt).toEqual(expect.any(String));
    expect(delivered.attempts).toEqual([
      { at: delivered.lastAttemptAt, statusCode: 200, error: null, ms: expect.any(Number), permanent: false },
    ]);

    // An upper-case id is the same alert.
    expect((await listDeliveries({ alertId: alertId.toUpperCase() })).items).toHaveLength(3);
  });

  it("refuses a cursor it did not write and a limit out of range (422 naming the parameter)", async () => {
    const alertId = await insertAlert();
    for (const cursor of ["nope", "bm9wZQ", "a b", `${Buffer.from(`2026-01-01T00:00:00.000Z|${uuidv7()}`).toString("base64url")}!`]) {
      const error = toAppError(await listDeliveries({ alertId, cursor }).catch((e) => e));
      expect(error?.status, cursor).toBe(422);
      expect(error?.extra.errors?.[0]?.path).toBe("$.query.cursor");
    }
    for (const limit of [0, -1, 201, 1.5, Number.NaN]) {
      const error = toAppError(await listDeliveries({ alertId, limit }).catch((e) => e));
      expect(error?.status, String(limit)).toBe(422);
      expect(error?.extra.errors?.[0]?.path).toBe("$.query.limit");
    }
    // An empty cursor is the first page, as in the other lists.
    expect((await listDeliveries({ alertId, cursor: "" })).nextCursor).toBeNull();
    expect(await listDeliveries({ alertId, limit: 200 })).toEqual({
      items: [],
      nextCursor: null,
      counts: { total: 0, pending: 0, delivered: 0, failed: 0 },
    });
  });
});

describe("SSRF guard", () => {
  afterEach(allowTestReceivers);

  function guard(vars: { allowedHosts?: string; allowPrivate?: string }): void {
    setTestEnv({ VITRINE_NOTIFY_ALLOWED_HOSTS: vars.allowedHosts, VITRINE_NOTIFY_ALLOW_PRIVATE: vars.allowPrivate });
  }

  async function refusal(promise: Promise<unknown>): Promise<string> {
    const problem = toAppError(await promise.then(() => null).catch((e) => e));
    expect(problem?.status).toBe(422);
    const url = problem?.extra.errors?.find((e) => e.path === "$.url");
    expect(url, JSON.stringify(problem?.extra.errors)).toBeDefined();
    return url!.message;
  }

  it("refuses a channel with a loopback, private or metadata URL by default (422 naming $.url and why)", async () => {
    guard({});
    expect(await refusal(webhook("loopback", receiver.url()))).toMatch(/^must not point at 127\.0\.0\.1, a loopback address/);
    for (const [url, why] of [
      ["http://localhost:8080/hook", "loopback name"],
      ["http://LOCALHOST./hook", "loopback name"],
      ["http://2130706433/", "loopback address"],
      ["http://0x7f.1/", "loopback address"],
      ["http://[::1]/", "loopback address"],
      ["http://[::ffff:127.0.0.1]/", "loopback address"],
      ["http://10.1.2.3/", "private address"],
      ["http://172.16.0.1/", "private address"],
      ["http://192.168.1.1/", "private address"],
      ["http://100.64.0.1/", "carrier-grade NAT"],
      ["http://[fd00::1]/", "unique-local"],
      ["http://169.254.169.254/latest/meta-data/", "link-local"],
      ["http://[fe80::1]/", "link-local"],
      ["http://0.0.0.0/", "unspecified"],
    ] as const) {
      expect(await refusal(webhook(`bad ${url}`, url)), url).toContain(why);
    }
    expect(
      await refusal(createChannel({ actor, input: { kind: "slack", name: "s", url: "http://127.0.0.1/services/T/B/X" }, now: new Date() })),
    ).toContain("loopback");
    // A change of URL is checked as well.
    const ok = await webhook("public", "https://hooks.example.com/vitrine");
    expect(await refusal(updateChannel({ actor, id: ok.id, input: { url: "http://192.168.0.10/hook" }, now: new Date() }))).toContain(
      "private address",
    );
    expect((await listChannels()).map((c) => c.name)).toEqual(["public"]);
  });

  it("allows private receivers with VITRINE_NOTIFY_ALLOW_PRIVATE=1 but never link-local; VITRINE_NOTIFY_ALLOWED_HOSTS names hosts", async () => {
    guard({ allowPrivate: "1" });
    await webhook("loopback", receiver.url());
    await webhook("private", "http://10.1.2.3/hook");
    expect(await refusal(webhook("metadata", "http://169.254.169.254/"))).toContain("VITRINE_NOTIFY_ALLOWED_HOSTS");
    guard({ allowedHosts: "169.254.169.254:80, hooks.corp.example" });
    await webhook("named", "http://169.254.169.254/");
    expect(await refusal(webhook("other port", "http://169.254.169.254:8080/"))).toContain("link-local");
    expect(await refusal(webhook("loopback again", receiver.url("/again")))).toContain("loopback");
  });

  it("refuses at delivery a host name that resolves to loopback: failed at once, not retried, in the log", async () => {
    guard({});
    const port = new URL(receiver.url()).port;
    const channel = await webhook("rebinding", `http://hooks.example.test:${port}/hook`);
    const alertId = await insertAlert();
    const resolved: string[] = [];
    const toLoopback: Resolver = async (host) => {
      resolved.push(host);
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const outcome = await deliverAlertNotifications(sqlFromPool(), {
      alertId,
      stateKey: "open:1",
      now: new Date(),
      isLastAttempt: false,
      network: { resolve: toLoopback },
    });
    expect(outcome).toEqual({ delivered: 0, failed: 1, pending: 0 });
    expect(resolved).toEqual(["hooks.example.test"]);
    expect(receiver.requests).toHaveLength(0);
    const log = await listDeliveries({ alertId });
    expect(log.items).toEqual([
      expect.objectContaining({
        channel: { id: channel.id, name: "rebinding", kind: "webhook" },
        status: "failed",
        attemptCount: 1,
        lastStatusCode: null,
        lastError: expect.stringMatching(/^refused: hooks\.example\.test resolves to 127\.0\.0\.1, a loopback address/),
        nextAttemptAt: null,
      }),
    ]);
    expect(log.items[0]!.attempts[0]!.permanent).toBe(true);

    // One refused address among public ones is enough; IPv4-mapped IPv6 is its IPv4 address.
    const mixed: Resolver = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "::ffff:169.254.169.254", family: 6 },
    ];
    const other = await insertAlert({ label: "mixed" });
    await deliverAlertNotifications(sqlFromPool(), {
      alertId: other,
      stateKey: "open:1",
      now: new Date(),
      isLastAttempt: false,
      network: { resolve: mixed },
    });
    expect((await listDeliveries({ alertId: other })).items[0]).toMatchObject({
      status: "failed",
      lastError: expect.stringContaining("resolves to ::ffff:a9fe:a9fe (IPv4 169.254.169.254), a link-local address"),
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it("connects to the address it checked, not to a second DNS answer", async () => {
    // hooks.example.test does not exist in DNS: the request reaches the receiver only through the vetted answer.
    guard({ allowPrivate: "1" });
    const port = new URL(receiver.url()).port;
    await webhook("pinned", `http://hooks.example.test:${port}/pinned`);
    const alertId = await insertAlert();
    const outcome = await deliverAlertNotifications(sqlFromPool(), {
      alertId,
      stateKey: "open:1",
      now: new Date(),
      isLastAttempt: false,
      network: { resolve: async () => [{ address: "127.0.0.1", family: 4 }] },
    });
    expect(outcome).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(receiver.at("/pinned")).toHaveLength(1);
    expect(receiver.requests[0]!.headers.host).toBe(`hooks.example.test:${port}`);
  });

  it("fails a stored channel that points at loopback through the queue at once, without retries", async () => {
    const channel = await webhook("stored", receiver.url("/stored"));
    // As if saved before the guard, or under an opt-out since removed.
    guard({});
    await withPg((c) =>
      c.query(`UPDATE notification_channels SET url = $2 WHERE id = $1`, [
        channel.id,
        `http://localhost:${new URL(receiver.url()).port}/stored`,
      ]),
    );
    const alertId = await insertAlert();
    await notify(alertId);
    expect(await runDueJobs()).toBe(1);
    await passBackoff();
    expect(await runDueJobs()).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    const [job] = await withPg(
      async (c) => (await c.query(`SELECT attempts, done_at, failed_at FROM jobs WHERE kind = 'alerts.notify'`)).rows,
    );
    expect(job).toMatchObject({ attempts: 1, done_at: expect.any(Date), failed_at: null });
    expect((await listDeliveries({ alertId })).items[0]).toMatchObject({
      status: "failed",
      lastError: expect.stringMatching(/^refused: the URL must not point at localhost, a loopback name/),
    });
    // "Send test" says the same, and sends nothing.
    expect(await testChannel({ id: channel.id, now: new Date() })).toMatchObject({
      ok: false,
      statusCode: null,
      error: expect.stringContaining("loopback"),
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it("retries a DNS failure (it may be temporary)", async () => {
    guard({});
    await webhook("nxdomain", "http://hooks.example.test/hook");
    const alertId = await insertAlert();
    const nx: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND hooks.example.test"), { code: "ENOTFOUND" });
    };
    const error = await deliverAlertNotifications(sqlFromPool(), {
      alertId,
      stateKey: "open:1",
      now: new Date(),
      isLastAttempt: false,
      network: { resolve: nx },
    }).catch((e) => e);
    expect(error?.name).toBe("DeliveryIncomplete");
    expect((await listDeliveries({ alertId })).items[0]).toMatchObject({
      status: "pending",
      lastError: "could not resolve hooks.example.test: ENOTFOUND",
    });
  });
});

import "server-only";
import { randomUUID } from "node:crypto";
import net from "node:net";
import { hostname } from "node:os";
import tls from "node:tls";

// A minimal SMTP client (RFC 5321) for notification emails: EHLO, STARTTLS when the server offers
// it, AUTH PLAIN (only over TLS), one message with base64 text. No pooling, no attachments.

export type SmtpMessage = { from: string; to: string[]; subject: string; text: string };

type Reply = { code: number; lines: string[] };

class SmtpConnection {
  private buffer = "";
  private pending: Reply[] = [];
  private current: string[] = [];
  private waiter: ((r: Reply) => void) | null = null;
  private failure: Error | null = null;
  private failWaiter: ((e: Error) => void) | null = null;

  constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("the SMTP server closed the connection")));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf("\n"); nl !== -1; nl = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, "");
      this.buffer = this.buffer.slice(nl + 1);
      this.current.push(line.slice(4));
      if (line[3] !== "-") {
        const reply = { code: Number(line.slice(0, 3)), lines: this.current };
        this.current = [];
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = null;
          this.failWaiter = null;
          w(reply);
        } else this.pending.push(reply);
      }
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.failWaiter) {
      const f = this.failWaiter;
      this.waiter = null;
      this.failWaiter = null;
      f(error);
    }
  }

  read(): Promise<Reply> {
    const next = this.pending.shift();
    if (next) return Promise.resolve(next);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  async command(line: string | null, expect: number[], what: string): Promise<Reply> {
    if (line !== null) this.socket.write(`${line}\r\n`);
    const reply = await this.read();
    if (!expect.includes(reply.code)) throw new Error(`SMTP ${what}: ${reply.code} ${reply.lines.join(" ").slice(0, 200)}`);
    return reply;
  }

  /** Swaps the plain socket for a TLS one after STARTTLS. */
  async upgrade(servername: string): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("close");
    plain.removeAllListeners("error");
    const secure = tls.connect({ socket: plain, servername });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  write(data: string): void {
    this.socket.write(data);
  }

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  close(): void {
    this.socket.destroy();
  }
}

function encodeHeader(value: string): string {
  const clean = value.replace(/[\r\n]+/g, " ");
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, "utf8").toString("base64")}?=`;
}

function formatMessage(message: SmtpMessage, now: Date, domain: string): string {
  const body = Buffer.from(message.text.replace(/\r?\n/g, "\r\n"), "utf8")
    .toString("base64")
    .replace(/.{1,76}/g, "$&\r\n");
  return [
    `From: ${message.from}`,
    `To: ${message.to.join(", ")}`,
    `Subject: ${encodeHeader(message.subject)}`,
    `Date: ${now.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "Auto-Submitted: auto-generated",
    "",
    body,
  ].join("\r\n");
}

/** Sends one message through the server in `url` (smtp:// or smtps://); throws with the server's answer on failure. */
export async function sendSmtpMail(options: { url: string; message: SmtpMessage; now: Date; timeoutMs?: number }): Promise<void> {
  const url = new URL(options.url);
  const implicitTls = url.protocol === "smtps:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (implicitTls ? 465 : 587));
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const timeoutMs = options.timeoutMs ?? 10_000;

  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = implicitTls ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    s.once(implicitTls ? "secureConnect" : "connect", () => resolve(s));
    s.once("error", reject);
  });
  const conn = new SmtpConnection(socket);
  const timer = setTimeout(() => socket.destroy(new Error(`SMTP: no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    await conn.command(null, [220], "greeting");
    const me = hostname() || "vitrine";
    let ehlo = await conn.command(`EHLO ${me}`, [250], "EHLO");
    if (!conn.isTls && ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) {
      await conn.command("STARTTLS", [220], "STARTTLS");
      await conn.upgrade(host);
      ehlo = await conn.command(`EHLO ${me}`, [250], "EHLO");
    }
    if (user) {
      if (!conn.isTls) throw new Error("SMTP: the server offers no TLS, so the credentials in VITRINE_SMTP_URL are not sent");
      const plain = Buffer.from(`\u0000${user}\u0000${password}`, "utf8").toString("base64");
      await conn.command(`AUTH PLAIN ${plain}`, [235], "AUTH");
    }
    await conn.command(`MAIL FROM:<${options.message.from}>`, [250], "MAIL FROM");
    for (const to of options.message.to) await conn.command(`RCPT TO:<${to}>`, [250, 251], `RCPT TO <${to}>`);
    await conn.command("DATA", [354], "DATA");
    const data = formatMessage(options.message, options.now, options.message.from.split("@")[1] ?? "vitrine")
      .split("\r\n")
      .map((line) => (line.startsWith(".") ? `.${line}` : line))
      .join("\r\n");
    conn.write(`${data}\r\n.\r\n`);
    await conn.command(null, [250], "message");
    await conn.command("QUIT", [221], "QUIT").catch(() => undefined);
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

// The clients of bench:overload. Each client is one pipeline: it sends its batches of CDEvents one
// request at a time, in order, with its own API token. A 2xx acknowledges the events the answer lists
// as accepted or duplicate. On 429 or 503 the client waits as long as Retry-After says (plus a little
// jitter) and sends the SAME batch again (same bytes, so same event ids); on a connection error or a
// hung request it backs off and sends it again too. It gives up on a batch only when the drain
// deadline passes (reported as undelivered). Events are made from a real CDEvents fixture: only
// context.id and subject.id differ.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

export const OUTCOMES = [
  "2xx",
  "429",
  "503-shed",
  "503-pool",
  "503-db",
  "503-other",
  "5xx-other",
  "4xx-other",
  "connection-error",
  "timeout",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One request: times in ms since the phase started. */
export type RequestRecord = { sentAt: number; doneAt: number; outcome: Outcome; acked: number };

export type PhaseStats = {
  records: RequestRecord[];
  counts: Record<Outcome, number>;
  /** 429 and 503 answers without a usable Retry-After header. */
  retryAfterMissing: number;
  /** Bodies of unexpected answers (5xx other than 503, 4xx other than 429), the first few. */
  samples: string[];
  /** Event ids answered accepted or duplicate in a 2xx. */
  acked: Set<string>;
  /** Events put into a request at least once. */
  sent: number;
  /** Events the offered rate asked for while the phase ran (sent or not). */
  scheduled: number;
  /** Items answered "duplicate": an earlier attempt of the same batch was stored, but its answer never arrived. */
  duplicateAnswers: number;
  /** Items a 2xx answered as rejected (the bench's documents are valid: must be 0). */
  rejectedItems: number;
  /** Events still unacknowledged when the drain deadline passed. */
  undelivered: number;
  /** When the last client finished (ms since the phase started). */
  drainedAt: number;
};

export function newStats(): PhaseStats {
  return {
    records: [],
    counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
    retryAfterMissing: 0,
    samples: [],
    acked: new Set(),
    sent: 0,
    scheduled: 0,
    duplicateAnswers: 0,
    rejectedItems: 0,
    undelivered: 0,
    drainedAt: 0,
  };
}

type Template = { context: Record<string, unknown>; subject: Record<string, unknown> };

/** The CDEvents conformance fixture artifact_published.json (../shared/fixtures, or BENCH_FIXTURE). */
export function loadTemplate(): { template: Template; path: string } {
  const path =
    process.env.BENCH_FIXTURE ?? join(process.cwd(), "..", "shared", "fixtures", "cdevents", "conformance", "artifact_published.json");
  const template = JSON.parse(readFileSync(path, "utf8")) as Template;
  if (!template.context || !template.subject) throw new Error(`${path} is not a CDEvent`);
  return { template, path };
}

/** The template with its own event id and a digest-pinned artefact of its own. */
export function makeEvent(template: Template, id: string): Record<string, unknown> {
  const digest = createHash("sha256").update(id).digest("hex");
  return {
    ...template,
    context: { ...template.context, id },
    subject: { ...template.subject, id: `pkg:oci/myapp@sha256%3A${digest}?repository_url=mygit.com/myorg/myapp` },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function classify503(body: string): Outcome {
  if (/over capacity: this instance/.test(body)) return "503-shed";
  if (/no database connection came free/.test(body)) return "503-pool";
  if (/database is unreachable/.test(body)) return "503-db";
  return "503-other";
}

export type ClientsOptions = {
  url: string;
  tokens: string[];
  clients: number;
  batch: number;
  /** Events per second each client is offered; null: closed loop (the next batch as soon as one is acknowledged). */
  ratePerClient: number | null;
  /** New batches are made for this long (ms). */
  generateMs: number;
  /** After that, unacknowledged batches are retried for at most this long (ms). */
  drainMs: number;
  /** Event id of a client's n-th event. */
  eventId: (client: number, n: number) => string;
  template: Template;
  stats: PhaseStats;
  /** A request is abandoned (and retried) after this long. */
  requestTimeoutMs?: number;
};

/** Runs the clients until every one has made its batches and delivered (or given up on) each; resolves then. */
export async function runClients(o: ClientsOptions): Promise<void> {
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  const deadline = o.generateMs + o.drainMs;
  const timeoutMs = o.requestTimeoutMs ?? 60_000;
  const s = o.stats;

  const deliver = async (token: string, ids: string[], body: string) => {
    let connectionFailures = 0;
    for (;;) {
      if (elapsed() > deadline) {
        s.undelivered += ids.length;
        return;
      }
      const sentAt = elapsed();
      let outcome: Outcome;
      let wait = 0;
      let acked = 0;
      try {
        const res = await fetch(`${o.url}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        connectionFailures = 0;
        if (res.status >= 200 && res.status < 300) {
          const answer = JSON.parse(text) as { results?: Array<{ index: number; status: string }> };
          for (const r of answer.results ?? []) {
            if (r.status === "accepted" || r.status === "duplicate") {
              s.acked.add(ids[r.index]!);
              acked++;
              if (r.status === "duplicate") s.duplicateAnswers++;
            } else s.rejectedItems++;
          }
          s.records.push({ sentAt, doneAt: elapsed(), outcome: "2xx", acked });
          s.counts["2xx"]++;
          return;
        }
        if (res.status === 429 || res.status === 503) {
          outcome = res.status === 429 ? "429" : classify503(text);
          const ra = retryAfterMs(res.headers.get("retry-after"));
          if (ra === null) s.retryAfterMissing++;
          wait = (ra ?? 1000) + Math.random() * 250;
        } else {
          outcome = res.status >= 500 ? "5xx-other" : "4xx-other";
          if (s.samples.length < 5) s.samples.push(`${res.status} ${text.slice(0, 300)}`);
          // A 4xx for a valid document is a bug (of the bench or the app): give the batch up.
          if (outcome === "4xx-other") {
            s.records.push({ sentAt, doneAt: elapsed(), outcome, acked: 0 });
            s.counts[outcome]++;
            s.undelivered += ids.length;
            return;
          }
          wait = 1000;
        }
      } catch (error) {
        const name = (error as { name?: string }).name;
        outcome = name === "TimeoutError" || name === "AbortError" ? "timeout" : "connection-error";
        connectionFailures++;
        wait = Math.min(2000, 100 * 2 ** connectionFailures) * (0.5 + Math.random() / 2);
      }
      s.records.push({ sentAt, doneAt: elapsed(), outcome, acked: 0 });
      s.counts[outcome]++;
      await sleep(Math.min(wait, deadline - elapsed() + 1));
    }
  };

  const client = async (i: number) => {
    const token = o.tokens[i % o.tokens.length]!;
    const interval = o.ratePerClient ? (o.batch / o.ratePerClient) * 1000 : 0;
    // Clients start spread over one interval, not all at once.
    const offset = (i / o.clients) * interval;
    if (interval > 0) s.scheduled += o.generateMs > offset ? (Math.floor((o.generateMs - offset - 1e-9) / interval) + 1) * o.batch : 0;
    let n = 0;
    for (let b = 0; ; b++) {
      const now = elapsed();
      if (now >= o.generateMs) break;
      const due = offset + b * interval;
      if (now < due) {
        await sleep(Math.min(due, o.generateMs) - now);
        if (elapsed() >= o.generateMs) break;
      }
      const ids = Array.from({ length: o.batch }, () => o.eventId(i, n++));
      const body = JSON.stringify(ids.map((id) => makeEvent(o.template, id)));
      s.sent += ids.length;
      if (interval === 0) s.scheduled += ids.length;
      await deliver(token, ids, body);
    }
  };

  await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  s.drainedAt = elapsed();
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

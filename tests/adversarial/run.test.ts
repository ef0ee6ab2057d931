// npm run test:adversarial: the hostile input corpus (tests/adversarial/corpus.ts) against the built app over real
// HTTP, with ingest, admission and read tokens and signed-in on-call and compliance sessions. Every answer must be a
// 4xx application/problem+json that says what is wrong (a batch: 200 rejecting every item; a read: what its value's
// class may get), never a 5xx; the server must answer /api/health within 1 s between batches; and afterwards the
// database must hold nothing from the corpus. Then valid documents with hostile content: stored or refused, never a
// 5xx, and the ledger still verifies. Prints a table per target: requests tried, answers by class, worst latency.
//
//   VITRINE_ADVERSARIAL_SEED=<n>        another corpus (default 20261126; the seed is printed)
//   VITRINE_ADVERSARIAL_PER_TARGET=<n>  distinct requests per route and per parameter (default 1000)

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join, relative, sep } from "node:path";
import { encode } from "next-auth/jwt";
import { createMessage, generateKey, readPrivateKey, sign } from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "@/lib/server/tokens/create-token";
import { createUser } from "@/lib/server/users/create-user";
import { type AppServer, startAppServer } from "../helpers/app-server";
import { databaseKind, databaseUrl, resetDatabase, setupTestDatabase, withPg } from "../helpers/db";
import { fixtureBytes } from "../helpers/fixtures";
import {
  buildCorpus,
  type CorpusCase,
  type CorpusMaterial,
  hostileValidCorpus,
  type Principal,
  readParamSpecs,
  validSamples,
} from "./corpus";

setupTestDatabase();

const SEED = Number(process.env.VITRINE_ADVERSARIAL_SEED || 20261126);
const PER_TARGET = Number(process.env.VITRINE_ADVERSARIAL_PER_TARGET || 1000);
const CONCURRENCY = 8;
/** Requests between two health probes. */
const BATCH = 40;
const HEALTH_BUDGET_MS = 1000;
/** Valid documents with hostile content, sent after the database check. */
const HOSTILE_VALID = 180;
const NEXTAUTH_SECRET = "adversarial-test-secret-0123456789abcdef";
/** Tables whose rows come from evidence and governance: none may change. The others are bookkeeping (jobs, rate-limit buckets, checkpoints of an unchanged head). */
const BOOKKEEPING = new Set(["jobs", "rate_limit_buckets", "ledger_checkpoints", "signing_keys", "compliance_snapshots"]);

type Stats = {
  target: string;
  tried: number;
  ok2xx: number;
  batch: number;
  c4xx: number;
  c5xx: number;
  other: number;
  maxMs: number;
  failures: string[];
};

let server: AppServer;
const auth = new Map<Principal, Record<string, string>>();

/** Every route.ts under app/api. */
function routeFiles(dir = join(process.cwd(), "app", "api")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(join(dir, e.name)) : e.name === "route.ts" ? [join(dir, e.name)] : [],
  );
}

/** app/api/v1/lineage/[digest]/route.ts -> /api/v1/lineage/{digest} */
function routeOf(file: string): string {
  const dir = relative(join(process.cwd(), "app"), file).split(sep).slice(0, -1);
  return `/${dir.map((d) => d.replace(/^\[(?:\.\.\.)?(.+)\]$/, "{$1}")).join("/")}`;
}

function routeExists(route: string): boolean {
  const dir = route
    .split("/")
    .filter(Boolean)
    .map((d) => d.replace(/^\{(.+)\}$/, "[$1]"));
  return existsSync(join(process.cwd(), "app", ...dir, "route.ts"));
}

/** The top-level keys of a zod object schema (through pipes and wrappers). */
function shapeKeys(schema: unknown): string[] {
  type Node = { shape?: Record<string, unknown>; _zod?: { def?: { in?: unknown; innerType?: unknown } } } | undefined;
  let at = schema as Node;
  for (let i = 0; i < 6 && at; i++) {
    if (at.shape) return Object.keys(at.shape);
    at = (at._zod?.def?.in ?? at._zod?.def?.innerType) as Node;
  }
  throw new Error("not an object schema");
}

/** Keys of `const <name> = z.object({ ... })` written in the route file itself (its schema is not exported). */
function localSchemaKeys(text: string, name: string): string[] {
  const start = text.indexOf(`const ${name} = z`);
  const open = start < 0 ? -1 : text.indexOf("{", text.indexOf("object(", start));
  if (open < 0) throw new Error(`no z.object for ${name}`);
  const keys: string[] = [];
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if ("{([".includes(c)) depth++;
    else if ("})]".includes(c)) {
      if (--depth === 0) break;
    } else if (c === "\n" && depth === 1) {
      const key = /^\s*([A-Za-z_$][\w$]*)\s*:/.exec(text.slice(i + 1, i + 200));
      if (key?.[1]) keys.push(key[1]);
    }
  }
  return keys;
}

/** Every GET route in app/ that declares a query schema, with the schema's parameters. */
async function discoverQueryParams(): Promise<Array<{ route: string; params: string[] }>> {
  const out: Array<{ route: string; params: string[] }> = [];
  for (const file of routeFiles()) {
    const text = readFileSync(file, "utf8");
    const start = text.indexOf("export const GET = withApi(");
    const name = start < 0 ? undefined : /\bquery:\s*(\w+)/.exec(text.slice(start, text.indexOf("=>", start)))?.[1];
    if (!name) continue;
    const from = new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*"([^"]+)"`).exec(text)?.[1];
    const params = from ? shapeKeys(((await import(from)) as Record<string, unknown>)[name]) : localSchemaKeys(text, name);
    out.push({ route: routeOf(file), params });
  }
  return out;
}

/** Real tools' output from the shared fixtures, and an OpenPGP signature made here. */
async function loadMaterial(): Promise<Omit<CorpusMaterial, "knownDigest">> {
  const messageBundle = JSON.parse(fixtureBytes("sigstore", "happy-path-v0.3", "bundle.sigstore.json").toString("utf8"));
  const dsseBundle = JSON.parse(fixtureBytes("sigstore", "happy-path-intoto-in-dsse-v3", "bundle.sigstore.json").toString("utf8"));
  const { privateKey } = await generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: "adversarial", email: "adv@example.test" }],
    format: "armored",
  });
  const pgpSignature = (await sign({
    message: await createMessage({ text: "sha256:0000000000000000000000000000000000000000000000000000000000000000" }),
    signingKeys: await readPrivateKey({ armoredKey: privateKey }),
    detached: true,
  })) as string;
  const certificateDer = String(messageBundle.verificationMaterial.certificate.rawBytes);
  return { messageBundle, dsseBundle, pgpSignature, certificateDer };
}

/**
 * A body over the limit, on a connection of its own: the server answers 413 before it has read it all and then
 * closes the connection, which a pooled client might otherwise hand to the next request.
 */
function sendOversize(
  url: string,
  headers: Record<string, string>,
  size: number,
  chunked: boolean,
): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      url,
      { method: "POST", agent: false, headers: chunked ? headers : { ...headers, "content-length": String(size) } },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          });
          req.destroy();
        });
        res.on("error", reject);
      },
    );
    // The server may stop reading once it has answered: a reset while writing is expected, the answer is what counts.
    req.on("error", (error) => setTimeout(() => reject(error), 3000));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    // With Content-Length, the declared size alone must be refused: the first chunk is sent, then the answer awaited.
    const limit = chunked ? size : chunk.length;
    let sent = 0;
    const pump = () => {
      while (sent < limit && !answered) {
        const part = chunk.subarray(0, Math.min(chunk.length, limit - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once("drain", pump);
      }
      if (chunked && !answered) req.end();
    };
    pump();
  });
}

async function send(c: CorpusCase, principal: Principal): Promise<{ status: number; type: string; text: string; ms: number }> {
  const headers = { ...(auth.get(principal) ?? {}), ...c.headers };
  const url = `${server.url}${c.path}`;
  const started = performance.now();
  if (c.body && !(c.body instanceof Uint8Array)) {
    // A server that stops reading a body and closes can have its answer overtaken by the TCP reset of the bytes it
    // left unread (EPIPE/ECONNRESET here, before the 413 is read): the same request is sent again, a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await sendOversize(url, headers, c.body.oversize, c.body.chunked);
        return { ...answer, ms: performance.now() - started };
      } catch (error) {
        if (attempt >= 4 || !/EPIPE|ECONNRESET|socket hang up/.test((error as Error).message)) throw error;
      }
    }
  }
  const res = await fetch(url, { method: c.method, headers, body: c.body && new Uint8Array(c.body), signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", text, ms: performance.now() - started };
}

type ProblemBody = {
  status?: unknown;
  title?: unknown;
  detail?: unknown;
  requestId?: unknown;
  errors?: Array<{ path?: unknown; message?: unknown }>;
};

/** Why a 4xx answer is not a problem that names what is wrong, or null. */
function problemFault(status: number, type: string, text: string): string | null {
  if (!/^application\/problem\+json\b/.test(type)) return `a ${status} with content-type "${type}", not application/problem+json`;
  let p: ProblemBody;
  try {
    p = JSON.parse(text) as ProblemBody;
  } catch {
    return `a ${status} problem that is not JSON`;
  }
  if (p.status !== status) return `a problem whose status ${String(p.status)} is not the answer's ${status}`;
  if (typeof p.detail !== "string" || p.detail.trim() === "") return "a problem without a detail";
  if (typeof p.requestId !== "string") return "a problem without a requestId";
  if (status === 422 && (!Array.isArray(p.errors) || p.errors.length === 0)) return "a 422 that names no field (errors is empty)";
  for (const e of p.errors ?? []) {
    if (typeof e.path !== "string" || typeof e.message !== "string" || e.message === "") return "a field error without a path or message";
  }
  return null;
}

/** What is wrong with an answer, or null when it is what the corpus expects. */
function judge(c: CorpusCase, r: { status: number; type: string; text: string }): string | null {
  const { expect: want } = c;
  if (want.kind === "problem") {
    if (r.status < 400 || r.status >= 500) return `answered ${r.status}, expected a 4xx problem: ${r.text.slice(0, 300)}`;
    if (want.status && !want.status.includes(r.status))
      return `answered ${r.status}, expected ${want.status.join(" or ")}: ${r.text.slice(0, 300)}`;
    return problemFault(r.status, r.type, r.text);
  }
  if (want.kind === "batch-rejected") {
    if (r.status !== 200) return `answered ${r.status}, expected 200 rejecting every item: ${r.text.slice(0, 300)}`;
    const answer = JSON.parse(r.text) as {
      accepted: number;
      duplicates: number;
      rejected: number;
      results: Array<{ status: string; problem?: { detail?: string; errors?: unknown[] } }>;
    };
    if (answer.accepted !== 0 || answer.duplicates !== 0)
      return `a batch answer that accepted ${answer.accepted} and found ${answer.duplicates} duplicates: ${r.text.slice(0, 300)}`;
    if (answer.rejected !== answer.results.length || answer.rejected === 0)
      return `a batch answer with ${answer.rejected} rejected of ${answer.results.length}`;
    for (const item of answer.results) {
      if (item.status !== "rejected" || !item.problem?.detail || !item.problem.errors?.length)
        return `a rejected item that names no problem: ${JSON.stringify(item).slice(0, 300)}`;
    }
    return null;
  }
  if (want.kind === "stored-or-refused") {
    if (r.status >= 400 && r.status < 500) return problemFault(r.status, r.type, r.text);
    return r.status === 200 || r.status === 201 ? null : `answered ${r.status}: ${r.text.slice(0, 300)}`;
  }
  if (!want.status.includes(r.status)) return `answered ${r.status}, expected ${want.status.join(" or ")}: ${r.text.slice(0, 300)}`;
  if (r.status >= 400) return problemFault(r.status, r.type, r.text);
  if (/^text\/csv\b/.test(r.type)) return null;
  if (!/^application\/json\b/.test(r.type)) return `a ${r.status} with content-type "${r.type}"`;
  try {
    JSON.parse(r.text);
  } catch {
    return `a ${r.status} that is not JSON`;
  }
  return null;
}

async function probeHealth(): Promise<{ ms: number; fault: string | null }> {
  const started = performance.now();
  try {
    const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
    await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) return { ms, fault: `/api/health answered ${res.status}` };
    return { ms, fault: ms > HEALTH_BUDGET_MS ? `/api/health took ${Math.round(ms)} ms` : null };
  } catch (error) {
    return { ms: performance.now() - started, fault: `/api/health failed: ${(error as Error).message}` };
  }
}

async function tableCounts(): Promise<Map<string, number>> {
  return withPg(async (c) => {
    const { rows } = await c.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename",
    );
    const counts = new Map<string, number>();
    for (const { tablename } of rows) {
      const [row] = (await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${tablename}"`)).rows;
      counts.set(tablename, Number(row?.n ?? 0));
    }
    return counts;
  });
}

/** Waits until no job is due or running: what the valid samples set off (evaluations, alerts) has happened. */
async function settle(): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const due = await withPg(async (c) => {
      const { rows } = await c.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM jobs WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= now() + interval '15 seconds'",
      );
      return Number(rows[0]?.n ?? 0);
    });
    if (due === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the job queue did not drain within 2 minutes");
}

function table(stats: Stats[]): string {
  const head = ["target", "tried", "4xx", "5xx", "2xx", "batch 200", "other", "max ms"];
  const rows = stats.map((s) => [s.target, s.tried, s.c4xx, s.c5xx, s.ok2xx, s.batch, s.other, Math.round(s.maxMs)].map(String));
  const total = stats.reduce(
    (t, s) => ({
      tried: t.tried + s.tried,
      c4xx: t.c4xx + s.c4xx,
      c5xx: t.c5xx + s.c5xx,
      ok2xx: t.ok2xx + s.ok2xx,
      batch: t.batch + s.batch,
      other: t.other + s.other,
      maxMs: Math.max(t.maxMs, s.maxMs),
    }),
    {
      tried: 0,
      c4xx: 0,
      c5xx: 0,
      ok2xx: 0,
      batch: 0,
      other: 0,
      maxMs: 0,
    },
  );
  rows.push(["total", total.tried, total.c4xx, total.c5xx, total.ok2xx, total.batch, total.other, Math.round(total.maxMs)].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? ":" : "") + "-".repeat(w + (i === 0 ? 1 : 1)) + (i === 0 ? "" : ":")).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

type Health = { worst: number; faults: string[] };

/** Sends a target's requests, CONCURRENCY at a time, probing /api/health after every BATCH; answers judged as they come. */
async function runTarget(name: string, principal: Principal, cases: Iterator<CorpusCase>, health: Health): Promise<Stats> {
  const s: Stats = { target: name, tried: 0, ok2xx: 0, batch: 0, c4xx: 0, c5xx: 0, other: 0, maxMs: 0, failures: [] };
  let done = false;
  while (!done) {
    const batch: CorpusCase[] = [];
    for (let i = 0; i < BATCH; i++) {
      const next = cases.next();
      if (next.done) {
        done = true;
        break;
      }
      batch.push(next.value);
    }
    let at = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (at < batch.length) {
          const c = batch[at++] as CorpusCase;
          s.tried++;
          let r: { status: number; type: string; text: string; ms: number };
          try {
            r = await send(c, principal);
          } catch (error) {
            s.other++;
            s.failures.push(`${c.label} ${c.method} ${c.path.slice(0, 120)}: the request failed: ${(error as Error).message}`);
            continue;
          }
          s.maxMs = Math.max(s.maxMs, r.ms);
          if (r.status >= 500) s.c5xx++;
          else if (r.status >= 400) s.c4xx++;
          else if (r.status === 200 && c.expect.kind === "batch-rejected") s.batch++;
          else if (r.status >= 200 && r.status < 300) s.ok2xx++;
          else s.other++;
          const fault = judge(c, r);
          if (fault) s.failures.push(`${c.label} ${c.method} ${c.path.slice(0, 160)}: ${fault}`);
        }
      }),
    );
    const probe = await probeHealth();
    health.worst = Math.max(health.worst, probe.ms);
    if (probe.fault) health.faults.push(`${name} after ${s.tried}: ${probe.fault}`);
    expect(server.process.exitCode, "the app server exited").toBeNull();
  }
  process.stdout.write(
    `${name}: ${s.tried} tried, ${s.c4xx} 4xx, ${s.c5xx} 5xx, ${s.failures.length} failures, max ${Math.round(s.maxMs)} ms\n`,
  );
  return s;
}

describe("hostile input", () => {
  let material: CorpusMaterial;

  beforeAll(async () => {
    await resetDatabase();
    server = await startAppServer({
      databaseUrl: databaseUrl(),
      embedded: databaseKind() === "embedded",
      port: 3970 + Math.floor(Math.random() * 9),
      // The corpus is one token's flood: the per-token budget would answer 429 before anything is read.
      env: { VITRINE_INGEST_RATE_PER_MINUTE: "100000000", NEXTAUTH_SECRET },
    });
    const system = { kind: "system", name: "adversarial" } as const;
    const now = new Date();
    for (const scope of ["ingest", "admission", "read"] as const) {
      const token = await createToken({ actor: system, input: { name: `adversarial ${scope}`, scopes: [scope] }, now });
      auth.set(scope, { authorization: `Bearer ${token.secret}` });
    }
    for (const role of ["oncall", "compliance"] as const) {
      const user = await createUser({
        actor: system,
        input: { email: `${role}@adversarial.test`, name: `Adversarial ${role}`, role, password: "adversarial-password-123" },
        now,
      });
      const session = await encode({ token: { sub: user.id, email: user.email }, secret: NEXTAUTH_SECRET, maxAge: 24 * 3600 });
      auth.set(`session:${role}`, { cookie: `next-auth.session-token=${session}` });
    }
    material = { ...(await loadMaterial()), knownDigest: "" };
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("has hostile values for every query parameter of every GET route in app/", async () => {
    const discovered = await discoverQueryParams();
    const specs = readParamSpecs({ knownDigest: `sha256:${"0".repeat(64)}` });
    const want = new Set(discovered.flatMap((d) => d.params.map((p) => `${d.route} ?${p}`)));
    const have = new Set(specs.filter((s) => routeExists(s.route)).map((s) => `${s.route} ?${s.param}`));
    expect(discovered.length).toBeGreaterThan(5);
    expect(
      [...want].filter((k) => !have.has(k)),
      "query parameters without hostile values in tests/adversarial/corpus.ts",
    ).toEqual([]);
    expect(
      [...have].filter((k) => !want.has(k)),
      "corpus entries for query parameters that no longer exist",
    ).toEqual([]);
  });

  it(
    `answers every request of the corpus with a 4xx problem, never a 5xx, stays up, and stores nothing (seed ${SEED})`,
    async () => {
      // The bases the corpus breaks are valid: each is accepted as it is (and is the database's baseline).
      for (const sample of validSamples(SEED, material)) {
        const res = await fetch(`${server.url}${sample.route}`, {
          method: "POST",
          headers: { ...auth.get(sample.principal), "content-type": sample.contentType, ...(sample.headers ?? {}) },
          body: new Uint8Array(sample.body),
        });
        const text = await res.text();
        expect([200, 201], `${sample.label}: ${text.slice(0, 500)}`).toContain(res.status);
        if (res.status === 200 && sample.route !== "/api/v1/admission/review") {
          const answer = JSON.parse(text) as { status?: string; accepted?: number };
          expect(answer.status === "accepted" || answer.accepted === 1, `${sample.label}: ${text.slice(0, 500)}`).toBe(true);
        }
        if (sample.label === "CDEvent") material.knownDigest = (JSON.parse(text) as { artifact: string }).artifact;
      }
      expect(material.knownDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      await settle();
      const before = await tableCounts();
      const corpusStart = new Date();

      const stats: Stats[] = [];
      const health: Health = { worst: 0, faults: [] };
      for (const target of buildCorpus({ seed: SEED, perTarget: PER_TARGET, material, exists: routeExists })) {
        stats.push(await runTarget(target.name, target.principal, target.generate(), health));
      }

      await settle();
      const after = await tableCounts();
      const newAlerts = await withPg(async (c) =>
        (
          await c.query<{ rule: string; summary: string; first_fired_at: Date }>(
            "SELECT rule, summary, first_fired_at FROM alerts WHERE created_at > $1 ORDER BY created_at",
            [corpusStart],
          )
        ).rows.map((r) => `${r.rule} at ${r.first_fired_at.toISOString()}: ${r.summary}`),
      );
      const changed = [...after.entries()]
        .filter(([t, n]) => !BOOKKEEPING.has(t) && n !== before.get(t))
        .map(([t, n]) => `${t}: ${before.get(t)} -> ${n}`);

      // Then valid documents with hostile content, which may be stored: accepted or refused, never a 5xx, and the
      // ledger still verifies.
      const hostileValid = hostileValidCorpus(SEED, HOSTILE_VALID);
      stats.push(await runTarget("valid documents, hostile content", "ingest", hostileValid.values(), health));
      const verify = await fetch(`${server.url}/api/v1/ledger/verify`, { headers: auth.get("read") });
      const ledger = (await verify.json()) as { valid?: boolean; firstBrokenSequence?: unknown };
      // What they set off in the background (evaluations, alerts) ran without failing.
      await settle();
      const failedJobs = await withPg(async (c) =>
        (
          await c.query<{ kind: string; last_error: string }>("SELECT kind, last_error FROM jobs WHERE last_error IS NOT NULL LIMIT 5")
        ).rows.map((r) => `${r.kind}: ${r.last_error.slice(0, 300)}`),
      );

      process.stdout.write(
        `\nHostile input corpus, seed ${SEED}, ${PER_TARGET} per target, against ${databaseKind() === "embedded" ? "embedded PGlite" : "Postgres"}\n${table(stats)}\n` +
          `health probes: worst ${Math.round(health.worst)} ms (budget ${HEALTH_BUDGET_MS} ms), ${health.faults.length} over budget or failed\n`,
      );
      const failures = stats.flatMap((s) => s.failures.map((f) => `${s.target}: ${f}`));
      if (failures.length)
        process.stdout.write(`\n${failures.length} unexpected answers; the first 60:\n${failures.slice(0, 60).join("\n")}\n`);
      if (health.faults.length) process.stdout.write(`\nhealth: ${health.faults.slice(0, 20).join("\n")}\n`);
      if (changed.length) process.stdout.write(`\ntables changed by the corpus: ${changed.join(", ")}\n`);
      if (newAlerts.length)
        process.stdout.write(`\nalerts raised while the corpus ran (${corpusStart.toISOString()}):\n${newAlerts.join("\n")}\n`);

      for (const s of stats.slice(0, -1)) expect(s.tried, `${s.target} tried too few`).toBeGreaterThanOrEqual(PER_TARGET);
      expect(
        stats.reduce((n, s) => n + s.c5xx, 0),
        "5xx answers",
      ).toBe(0);
      expect(failures.slice(0, 20)).toEqual([]);
      expect(health.faults).toEqual([]);
      expect(ledger, "the ledger verifies after the hostile valid documents").toMatchObject({ valid: true, firstBrokenSequence: null });
      expect(changed, "the database holds something from the corpus").toEqual([]);
      expect(failedJobs, "background jobs that failed").toEqual([]);
      expect(server.process.exitCode, "the app server exited").toBeNull();
    },
    3 * 3600_000,
  );
});

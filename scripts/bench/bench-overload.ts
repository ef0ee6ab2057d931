// npm run bench:overload - overload without loss.
//
// On a Postgres cluster of its own (initdb in a temporary folder, so it may restart it) and the built
// app served on a free port:
// 1. calibration: --clients clients, each sending its next batch as soon as the last is answered,
//    measured for --calibration-seconds after a 3 s warm-up: the events acknowledged per second are
//    the sustainable rate, provided no answer was 429 or 503 (else the calibration is repeated with
//    half the clients);
// 2. three phases, each offering --factor (4) times that rate for --duration seconds from factor x
//    --clients clients (each offered the per-client rate of the calibration), then waiting until
//    every batch sent at least once is acknowledged: (a) overload alone, (b) with `pg_ctl restart -m
//    fast` in the middle (the app is not restarted), (c) with the app killed (SIGKILL, its whole
//    process group) in the middle and started again on the same port;
// 3. after each phase: every acknowledged event id must be stored exactly once (documents: event_id,
//    event_source, event_type), each stored document must have its ledger entry, and the ledger must
//    verify (`vitrine ledger verify`).
// It prints a table per phase and a last JSON line {"bench":"overload",...}. With --ci it exits 1 when
// an invariant breaks; 2 on bad flags.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ingestInFlightLimit } from "@/lib/api/load-shedding";
import { closeDb, createDb, setDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { createToken } from "@/lib/server/tokens/create-token";
import { appProcess, ensureBuild } from "./overload-app";
import { type OverloadArgs, type PhaseName, parseOverloadArgs, USAGE, UsageError } from "./overload-args";
import { loadTemplate, newStats, OUTCOMES, type PhaseStats, percentile, runClients } from "./overload-load";
import { freePort, type OwnPostgres, startOwnPostgres } from "./overload-postgres";

const PHASE_PREFIX: Record<PhaseName | "calibration", string> = {
  calibration: "cal",
  overload: "ovl",
  "postgres-restart": "pgr",
  "app-crash": "crash",
};

type StoredCheck = {
  stored: number;
  storedRows: number;
  ackedMissing: number;
  duplicates: number;
  storedNotAcked: number;
  wrongIdentity: number;
  withoutLedgerEntry: number;
  /** Background jobs (re-evaluation after ingest) still waiting, and failed for good, after the phase. */
  jobsWaiting: number;
  jobsFailed: number;
};

type LedgerCheck = { valid: boolean; entries: number; reason: string | null; seconds: number };

type Fault = { kind: string; atMs: number; tookMs: number; appRestarted: boolean };

type PhaseResult = {
  name: PhaseName;
  durationSeconds: number;
  clients: number;
  targetEventsPerSecond: number;
  stats: PhaseStats;
  stored: StoredCheck;
  ledger: LedgerCheck;
  fault: Fault | null;
  recoverySeconds: number | null;
  faultErrorsEndedSeconds: number | null;
};

const loadNow = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a";
}

async function checkStored(
  url: string,
  prefix: string,
  acked: Set<string>,
  template: { context: Record<string, unknown> },
): Promise<StoredCheck> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ event_id: string; n: number; ok: boolean }>(
      `SELECT event_id, count(*)::int AS n, bool_and(event_source = $2 AND event_type = $3) AS ok
         FROM documents WHERE event_id LIKE $1 GROUP BY event_id`,
      [`${prefix}-%`, template.context.source, template.context.type],
    );
    const { rows: noLedger } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM documents d
        WHERE d.event_id LIKE $1
          AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.document_id = d.id AND l.kind = 'document.accepted')`,
      [`${prefix}-%`],
    );
    const { rows: jobs } = await c.query<{ waiting: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL)::int AS waiting,
              count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed FROM jobs`,
    );
    const stored = new Set(rows.map((r) => r.event_id));
    let ackedMissing = 0;
    for (const id of acked) if (!stored.has(id)) ackedMissing++;
    return {
      stored: stored.size,
      storedRows: rows.reduce((sum, r) => sum + r.n, 0),
      ackedMissing,
      duplicates: rows.filter((r) => r.n > 1).length,
      storedNotAcked: rows.filter((r) => !acked.has(r.event_id)).length,
      wrongIdentity: rows.filter((r) => !r.ok).length,
      withoutLedgerEntry: noLedger[0]?.n ?? 0,
      jobsWaiting: jobs[0]?.waiting ?? 0,
      jobsFailed: jobs[0]?.failed ?? 0,
    };
  } finally {
    await c.end();
  }
}

/** `vitrine ledger verify` (the CLI) against the bench's database, with the app's signing key folder. */
function verifyLedgerCli(databaseUrl: string, dataDir: string): Promise<LedgerCheck> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith("VITRINE_")) delete env[k];
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", join(process.cwd(), "scripts", "cli.ts"), "ledger", "verify"],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...env, DATABASE_URL: databaseUrl, VITRINE_DATA_DIR: dataDir, VITRINE_LOG_LEVEL: "error" },
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => {
      const seconds = (Date.now() - t0) / 1000;
      try {
        const line = out.trim().split("\n").pop() ?? "";
        const result = JSON.parse(line) as { valid: boolean; entries: number; reason: string | null };
        resolve({ valid: result.valid && code === 0, entries: result.entries, reason: result.reason, seconds });
      } catch {
        resolve({ valid: false, entries: 0, reason: `ledger verify exited ${code}: ${(err || out).trim().slice(-500)}`, seconds });
      }
    });
  });
}

async function createTokens(databaseUrl: string, count: number): Promise<string[]> {
  const client = createDb({ url: databaseUrl, poolMax: 2 });
  setDb(client);
  try {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const token = await createToken({
        actor: { kind: "system", name: "bench-overload" },
        input: { name: `overload-pipeline-${i}`, scopes: ["ingest"] },
        now: new Date(),
      });
      tokens.push(token.secret);
    }
    return tokens;
  } finally {
    await closeDb(client);
    setDb(undefined);
  }
}

function latencies(stats: PhaseStats): number[] {
  return stats.records.filter((r) => r.outcome === "2xx").map((r) => r.doneAt - r.sentAt);
}

function ackedPerSecond(stats: PhaseStats, untilMs: number): number[] {
  const buckets = Array.from({ length: Math.ceil(untilMs / 1000) }, () => 0);
  for (const r of stats.records) if (r.outcome === "2xx" && r.doneAt < untilMs) buckets[Math.floor(r.doneAt / 1000)]! += r.acked;
  return buckets;
}

function printPhase(p: PhaseResult, calibrated: number): void {
  const s = p.stats;
  const dMs = p.durationSeconds * 1000;
  const ackedInPhase = s.records.filter((r) => r.outcome === "2xx" && r.doneAt <= dMs).reduce((sum, r) => sum + r.acked, 0);
  const okRequests = s.records.filter((r) => r.outcome === "2xx" && r.doneAt <= dMs).length;
  const lat = latencies(p.stats);
  const c = s.counts;
  const rows: Array<[string, string]> = [
    ["duration", `${p.durationSeconds} s of overload, then ${fmt((s.drainedAt - dMs) / 1000, 1)} s until every retry was acknowledged`],
    ["clients", `${p.clients} (each a pipeline sending one request at a time, with its own token)`],
    [
      "target rate (offered)",
      `${fmt(p.targetEventsPerSecond)} events/s (${fmt(p.targetEventsPerSecond / calibrated, 1)} x the calibrated ${fmt(calibrated)})`,
    ],
    [
      "events offered / sent",
      `${fmt(s.scheduled)} / ${fmt(s.sent)} (${fmt(s.scheduled - s.sent)} never sent: the clients' backlog while told to wait)`,
    ],
    [
      "achieved 2xx during the phase",
      `${fmt(ackedInPhase / p.durationSeconds)} events/s, ${fmt(okRequests / p.durationSeconds, 1)} requests/s`,
    ],
    ["2xx latency p50 / p95 / p99", `${[50, 95, 99].map((q) => fmt(percentile(lat, q))).join(" / ")} ms`],
    ["answers 2xx", fmt(c["2xx"])],
    ["answers 429", fmt(c["429"])],
    [
      "answers 503",
      `${fmt(c["503-shed"] + c["503-pool"] + c["503-db"] + c["503-other"])} (shed at the in-flight cap ${fmt(c["503-shed"])}, no pooled connection in time ${fmt(c["503-pool"])}, database unreachable ${fmt(c["503-db"])}, other ${fmt(c["503-other"])})`,
    ],
    ["answers 5xx other than 503", fmt(c["5xx-other"])],
    ["answers 4xx other than 429", fmt(c["4xx-other"])],
    ["connection errors / hung requests (> 60 s)", `${fmt(c["connection-error"])} / ${fmt(c.timeout)}`],
    ["429/503 without Retry-After", fmt(s.retryAfterMissing)],
    ["acked events", fmt(s.acked.size)],
    [
      "stored events (distinct ids)",
      `${fmt(p.stored.stored)} (${fmt(p.stored.storedNotAcked)} stored but never acked; ${fmt(s.duplicateAnswers)} acked as duplicates of an attempt whose answer was lost)`,
    ],
    ["acked but missing (must be 0)", fmt(p.stored.ackedMissing)],
    ["stored more than once (must be 0)", fmt(p.stored.duplicates)],
    ["undelivered at the drain deadline / rejected items", `${fmt(s.undelivered)} / ${fmt(s.rejectedItems)}`],
    ["documents without their ledger entry", fmt(p.stored.withoutLedgerEntry)],
    ["background jobs waiting / failed after the phase", `${fmt(p.stored.jobsWaiting)} / ${fmt(p.stored.jobsFailed)}`],
    [
      "ledger verifies",
      `${p.ledger.valid ? "yes" : `NO: ${p.ledger.reason}`} (${fmt(p.ledger.entries)} entries, ${fmt(p.ledger.seconds, 1)} s)`,
    ],
  ];
  if (p.fault) {
    rows.push([
      "fault",
      `${p.fault.kind} at ${fmt(p.fault.atMs / 1000, 1)} s, took ${fmt(p.fault.tookMs / 1000, 2)} s${p.fault.kind === "pg_ctl restart -m fast" ? `; app restarted: ${p.fault.appRestarted ? "YES" : "no (same process)"}` : ""}`,
    ]);
    rows.push([
      "recovery after the fault",
      `first 2xx ${p.recoverySeconds === null ? "never" : `${fmt(p.recoverySeconds, 2)} s`} after it (to a request sent after it); last 503-unreachable/connection error ${p.faultErrorsEndedSeconds === null ? "none" : `${fmt(p.faultErrorsEndedSeconds, 2)} s`} after it`,
    ]);
  }
  console.log(`\n-- phase ${p.name}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(52)} ${v}`);
  console.log(`  acked events per second: ${ackedPerSecond(s, dMs).join(" ")}`);
  if (s.samples.length) console.log(`  unexpected answers (first ${s.samples.length}):\n    ${s.samples.join("\n    ")}`);
}

/** One column per phase, the figures the task is judged by. */
function printSummary(results: PhaseResult[], calibrated: number): void {
  if (results.length === 0) return;
  const col = (p: PhaseResult): string[] => {
    const c = p.stats.counts;
    const dMs = p.durationSeconds * 1000;
    const acked = p.stats.records.filter((r) => r.outcome === "2xx" && r.doneAt <= dMs).reduce((sum, r) => sum + r.acked, 0);
    return [
      `${p.durationSeconds} s`,
      fmt(p.targetEventsPerSecond),
      `${fmt(acked / p.durationSeconds)} (${fmt((acked / p.durationSeconds / calibrated) * 100)} %)`,
      fmt(c["2xx"]),
      fmt(c["429"]),
      fmt(c["503-shed"] + c["503-pool"] + c["503-db"] + c["503-other"]),
      fmt(c["5xx-other"]),
      fmt(c["connection-error"] + c.timeout),
      fmt(p.stats.retryAfterMissing),
      fmt(p.stats.acked.size),
      fmt(p.stored.stored),
      fmt(p.stored.ackedMissing),
      fmt(p.stored.duplicates),
      p.ledger.valid ? "yes" : "NO",
      p.fault ? (p.recoverySeconds === null ? "never" : `${fmt(p.recoverySeconds, 2)} s`) : "-",
    ];
  };
  const labels = [
    "duration",
    "target events/s",
    "achieved 2xx events/s (of calibrated)",
    "answers 2xx",
    "answers 429",
    "answers 503",
    "answers 5xx other",
    "connection errors + hung",
    "429/503 without Retry-After",
    "acked events",
    "stored events",
    "acked but missing",
    "duplicates",
    "ledger valid",
    "recovery (fault -> first 2xx)",
  ];
  const cols = results.map(col);
  const widths = results.map((p, i) => Math.max(p.name.length, ...cols[i]!.map((v) => v.length)));
  console.log(`
summary (calibrated sustainable rate ${fmt(calibrated)} events/s)`);
  console.log(`  ${"".padEnd(40)} ${results.map((p, i) => p.name.padStart(widths[i]!)).join("  ")}`);
  labels.forEach((label, row) => {
    console.log(`  ${label.padEnd(40)} ${cols.map((c, i) => c[row]!.padStart(widths[i]!)).join("  ")}`);
  });
}

function failuresOf(p: PhaseResult): string[] {
  const f: string[] = [];
  const c = p.stats.counts;
  if (p.stored.ackedMissing > 0) f.push(`${p.name}: ${p.stored.ackedMissing} acknowledged events are not stored`);
  if (p.stored.duplicates > 0) f.push(`${p.name}: ${p.stored.duplicates} events are stored more than once`);
  if (p.stored.wrongIdentity > 0) f.push(`${p.name}: ${p.stored.wrongIdentity} events stored with another source or type`);
  if (c["5xx-other"] > 0) f.push(`${p.name}: ${c["5xx-other"]} answers were a 5xx other than 503`);
  if (p.stats.retryAfterMissing > 0) f.push(`${p.name}: ${p.stats.retryAfterMissing} 429/503 answers had no Retry-After`);
  if (c.timeout > 0) f.push(`${p.name}: ${c.timeout} requests hung for more than 60 s`);
  if (p.stats.undelivered > 0) f.push(`${p.name}: ${p.stats.undelivered} events were still not acknowledged at the drain deadline`);
  if (p.stats.rejectedItems > 0 || c["4xx-other"] > 0)
    f.push(`${p.name}: valid documents were refused (${p.stats.rejectedItems} items, ${c["4xx-other"]} requests)`);
  if (!p.ledger.valid) f.push(`${p.name}: the ledger does not verify (${p.ledger.reason})`);
  if (p.stored.withoutLedgerEntry > 0) f.push(`${p.name}: ${p.stored.withoutLedgerEntry} stored documents have no ledger entry`);
  if (p.fault?.kind === "pg_ctl restart -m fast" && p.fault.appRestarted) f.push(`${p.name}: the app died during the Postgres restart`);
  return f;
}

async function main(args: OverloadArgs) {
  console.log(`bench:overload: load average ${loadNow()} at start (other work on this machine inflates latencies)`);
  const { template, path: fixturePath } = loadTemplate();
  const distDir = process.env.VITRINE_NEXT_DIST_DIR || ".next-bench-overload";
  const build = ensureBuild(distDir, args.rebuild);
  console.log(
    `app build: ${build.distDir} (${build.built ? "built now" : `reused, built ${fmt(build.ageMinutes)} min ago; --rebuild to rebuild`})`,
  );
  const work = mkdtempSync(join(tmpdir(), "vitrine-overload-"));
  let postgres: OwnPostgres | null = null;
  let app: ReturnType<typeof appProcess> | null = null;
  const cleanup = async () => {
    await app?.stop().catch(() => {});
    postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    postgres = await startOwnPostgres({ database: "vitrine_overload" });
    const pgUrl = postgres.url;
    await migrate({ url: pgUrl });
    const overloadClients = Math.ceil(args.factor * args.clients);
    const tokens = await createTokens(pgUrl, Math.max(overloadClients, args.clients));
    const port = await freePort();
    const dataDir = join(work, "data");
    app = appProcess({ port, databaseUrl: pgUrl, distDir, dataDir, logFile: join(work, "app.log") });
    const startMs = await app.start();
    console.log(
      `Postgres ${postgres.version} (own cluster in ${postgres.dataDir}) on 127.0.0.1:${postgres.port}; app on ${app.url} (VITRINE_DB_POOL_MAX 10, so an ingestion in-flight cap of ${ingestInFlightLimit(10)}), up in ${fmt(startMs / 1000, 1)} s`,
    );
    console.log(`documents: ${fixturePath} with context.id and subject.id varied; ${args.batch} per request`);

    // 1. Calibration.
    let clients = args.clients;
    let calibrated = 0;
    let calStats: PhaseStats = newStats();
    for (let attempt = 0; ; attempt++) {
      calStats = newStats();
      // The first requests load the route's modules and fill caches: not measured.
      const warmMs = 3000;
      await runClients({
        url: app.url,
        tokens,
        clients,
        batch: args.batch,
        ratePerClient: null,
        generateMs: warmMs + args.calibrationSeconds * 1000,
        drainMs: 60_000,
        eventId: (c, n) => `${PHASE_PREFIX.calibration}-a${attempt}-c${c}-${n}`,
        template,
        stats: calStats,
      });
      const inWindow = calStats.records.filter(
        (r) => r.outcome === "2xx" && r.doneAt >= warmMs && r.doneAt < warmMs + args.calibrationSeconds * 1000,
      );
      calibrated = inWindow.reduce((sum, r) => sum + r.acked, 0) / args.calibrationSeconds;
      const refused =
        calStats.counts["429"] +
        calStats.counts["503-shed"] +
        calStats.counts["503-pool"] +
        calStats.counts["503-db"] +
        calStats.counts["503-other"];
      console.log(
        `calibration: ${clients} clients closed-loop, ${args.calibrationSeconds} s after a 3 s warm-up: ${fmt(calibrated)} events/s, ${fmt(inWindow.length / args.calibrationSeconds, 1)} requests/s, p95 ${fmt(percentile(latencies(calStats), 95))} ms, ${refused} answers 429/503`,
      );
      if (refused === 0 || clients === 1 || attempt >= 2) break;
      clients = Math.max(1, Math.floor(clients / 2));
      console.log(`  429/503 seen: not a sustainable rate; again with ${clients} clients`);
    }
    if (!(calibrated > 0)) throw new Error("the calibration acknowledged nothing");
    const calCheck = await checkStored(pgUrl, PHASE_PREFIX.calibration, calStats.acked, template);

    // 2. Phases.
    const results: PhaseResult[] = [];
    const nClients = Math.ceil(args.factor * clients);
    const target = args.factor * calibrated;
    for (const name of args.phases) {
      console.log(`\n== phase ${name}: ${fmt(target)} events/s offered by ${nClients} clients for ${args.duration} s (load ${loadNow()})`);
      const stats = newStats();
      const durationMs = args.duration * 1000;
      let fault: Fault | null = null;
      const pidBefore = app.pid();
      const faultAt = durationMs / 2;
      const phaseStart = performance.now();
      const currentApp = app;
      const currentPg = postgres;
      const faulting =
        name === "overload"
          ? Promise.resolve()
          : new Promise<void>((resolve, reject) => {
              setTimeout(() => {
                const at = performance.now() - phaseStart;
                const run =
                  name === "postgres-restart"
                    ? currentPg.restart().then((ms) => {
                        fault = { kind: "pg_ctl restart -m fast", atMs: at, tookMs: ms, appRestarted: false };
                      })
                    : currentApp
                        .kill()
                        .then(() => currentApp.start())
                        .then((ms) => {
                          fault = {
                            kind: "app SIGKILL (process group), started again on the same port",
                            atMs: at,
                            tookMs: ms,
                            appRestarted: true,
                          };
                        });
                run.then(resolve, reject);
              }, faultAt);
            });
      await Promise.all([
        runClients({
          url: app.url,
          tokens,
          clients: nClients,
          batch: args.batch,
          ratePerClient: target / nClients,
          generateMs: durationMs,
          drainMs: 120_000 + durationMs,
          eventId: (c, n) => `${PHASE_PREFIX[name]}-c${c}-${n}`,
          template,
          stats,
        }),
        faulting,
      ]);
      const f = fault as Fault | null;
      if (f && name === "postgres-restart") f.appRestarted = !app.alive() || app.pid() !== pidBefore;
      let recoverySeconds: number | null = null;
      let faultErrorsEndedSeconds: number | null = null;
      if (f) {
        const firstOk = stats.records
          .filter((r) => r.outcome === "2xx" && r.sentAt >= f.atMs)
          .reduce((min, r) => Math.min(min, r.doneAt), Number.POSITIVE_INFINITY);
        recoverySeconds = Number.isFinite(firstOk) ? (firstOk - f.atMs) / 1000 : null;
        const lastErr = stats.records
          .filter((r) => (r.outcome === "503-db" || r.outcome === "connection-error") && r.doneAt >= f.atMs)
          .reduce((max, r) => Math.max(max, r.doneAt), Number.NEGATIVE_INFINITY);
        faultErrorsEndedSeconds = Number.isFinite(lastErr) ? (lastErr - f.atMs) / 1000 : null;
      }
      const stored = await checkStored(pgUrl, PHASE_PREFIX[name], stats.acked, template);
      const ledger = await verifyLedgerCli(pgUrl, dataDir);
      const result: PhaseResult = {
        name,
        durationSeconds: args.duration,
        clients: nClients,
        targetEventsPerSecond: target,
        stats,
        stored,
        ledger,
        fault: f,
        recoverySeconds,
        faultErrorsEndedSeconds,
      };
      results.push(result);
      printPhase(result, calibrated);
    }

    // 3. Verdict.
    printSummary(results, calibrated);
    const failures = results.flatMap(failuresOf);
    if (calCheck.ackedMissing > 0 || calCheck.duplicates > 0)
      failures.push(`calibration: ${calCheck.ackedMissing} acked events missing, ${calCheck.duplicates} stored twice`);
    if (calStats.counts["5xx-other"] > 0) failures.push(`calibration: ${calStats.counts["5xx-other"]} answers were a 5xx other than 503`);
    const appErrors = readFileSync(app.logFile, "utf8")
      .split("\n")
      .filter((l) => l.includes('"unhandled error"'));
    console.log(`\nload average ${loadNow()} at the end. App log: ${appErrors.length} unhandled errors.`);
    if (appErrors.length) console.log(`  ${appErrors.slice(0, 3).join("\n  ")}`);
    console.log(
      `Method: the sustainable rate is what ${clients} clients sending back to back got acknowledged with no 429/503; each phase offers ${args.factor}x that rate from ${nClients} clients, each a pipeline sending one request at a time and honouring Retry-After. The server refuses ingestion past its in-flight cap (2 x VITRINE_DB_POOL_MAX, at least 16) with 503 + Retry-After, so the excess waits at the clients (offered but never sent) instead of inside the server.`,
    );
    console.log(
      failures.length
        ? `\nFAILED:\n  ${failures.join("\n  ")}`
        : "\nEvery acknowledged event was stored exactly once; no 5xx but 503; every 429/503 had Retry-After; the ledger verifies.",
    );
    const phaseJson = results.map((p) => {
      const dMs = p.durationSeconds * 1000;
      const ackedInPhase = p.stats.records.filter((r) => r.outcome === "2xx" && r.doneAt <= dMs).reduce((sum, r) => sum + r.acked, 0);
      const c = p.stats.counts;
      return {
        name: p.name,
        targetEventsPerSecond: Math.round(p.targetEventsPerSecond),
        achievedEventsPerSecond: Math.round(ackedInPhase / p.durationSeconds),
        p95Ms: Math.round(percentile(latencies(p.stats), 95)),
        answers: Object.fromEntries(OUTCOMES.map((o) => [o, c[o]])),
        retryAfterMissing: p.stats.retryAfterMissing,
        acked: p.stats.acked.size,
        stored: p.stored.stored,
        ackedMissing: p.stored.ackedMissing,
        duplicates: p.stored.duplicates,
        storedNotAcked: p.stored.storedNotAcked,
        ackedAsDuplicate: p.stats.duplicateAnswers,
        ledgerValid: p.ledger.valid,
        drainSeconds: +((p.stats.drainedAt - dMs) / 1000).toFixed(1),
        ...(p.fault
          ? {
              faultSeconds: +(p.fault.tookMs / 1000).toFixed(2),
              recoverySeconds: p.recoverySeconds === null ? null : +p.recoverySeconds.toFixed(2),
            }
          : {}),
      };
    });
    console.log(
      JSON.stringify({
        bench: "overload",
        durationSeconds: args.duration,
        batch: args.batch,
        factor: args.factor,
        loadAverage: loadavg().map((l) => +l.toFixed(2)),
        calibration: { clients, eventsPerSecond: Math.round(calibrated) },
        phases: phaseJson,
        ok: failures.length === 0,
      }),
    );
    return failures.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

let args: OverloadArgs;
try {
  args = parseOverloadArgs(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`bench:overload: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  throw error;
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
main(args).then(
  (code) => process.exit(args.ci ? code : 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

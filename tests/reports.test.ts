// Signed compliance reports (issue 7 items 2-4) from a small seeded story, through the real verbs:
// each format exported, parsed and checked against the compliance numbers (getCompliance), verified
// (server verb and CLI, online and offline), and one changed byte anywhere makes it invalid. The
// job path (progress, history), and a scheduled report delivered to a webhook.
import { spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenActor, UserActor } from "@/lib/auth/actor";
import { sqlFromPool } from "@/lib/db/sql";
import { CSV_COLUMNS, type ReportRow, type ReportSummary } from "@/lib/domain/report";
import { findPdfSignatureSlot, parseSignature } from "@/lib/domain/report-signature";
import { triageAlert } from "@/lib/server/alerts/triage-alert";
import { getCompliance } from "@/lib/server/compliance/get-compliance";
import {
  ingestAttestationsRequest,
  ingestEventsRequest,
  ingestSignaturesRequest,
  ingestVerificationsRequest,
} from "@/lib/server/ingest/ingest-requests";
import { runDueJobs } from "@/lib/server/jobs/worker";
import { createChannel } from "@/lib/server/notifications/create-channel";
import { exportReportNow } from "@/lib/server/reports/export-report-now";
import { createReportExport, getReportExportOrThrow, listReportExports, type ReportExportView } from "@/lib/server/reports/report-exports";
import { createReportSchedule } from "@/lib/server/reports/report-schedules";
import { CHUNK_BYTES, ChunkSink, readReportContent, reportContentStream } from "@/lib/server/reports/report-store";
import { ZReportRequest } from "@/lib/server/reports/schemas";
import { verifyReportFile } from "@/lib/server/reports/verify-report";
import { getSigningKey } from "@/lib/server/signing/signing-key";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { verifyAttestations } from "@/lib/server/verification/verify-attestation";
import { preAuthEncoding } from "@/lib/verify/dsse";
import { runVitrine } from "./helpers/cli";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const REPO = "registry.acme.dev";
const IN_TOTO = "application/vnd.in-toto+json";
const DAY = 86_400_000;
const system = { kind: "system", name: "test" } as const;
const digestOf = (label: string) => `sha256:${createHash("sha256").update(`${label}-${randomUUID()}`).digest("hex")}`;
const ago = (days: number) => new Date(Date.now() - days * DAY);

let ingest: TokenActor;
let officer: UserActor;
let release: ReturnType<typeof generateKeyPairSync>;
let work: string;

const json = (body: unknown) => ({
  actor: ingest,
  headers: new Headers({ "content-type": "application/json" }),
  body: Buffer.from(JSON.stringify(body)),
  idempotencyKey: null,
  now: new Date(),
});

function cosign(digest: string, privateKey: KeyObject) {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": `${REPO}/app` },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
  return {
    artifact: digest,
    format: "cosign",
    payload: payload.toString("base64"),
    signature: sign("sha256", payload, privateKey).toString("base64"),
  };
}

async function signed(digest: string) {
  const { answer } = await ingestSignaturesRequest(json(cosign(digest, release.privateKey)));
  expect(answer.accepted).toBe(1);
}

/** SLSA v1 provenance for `digest` built from a commit, in a DSSE envelope signed by the trusted key. */
async function provenance(digest: string, commit: string) {
  const payload = Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: `${REPO}/app`, digest: { sha256: digest.slice(7) } }],
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: {
          buildType: "https://actions.github.io/buildtypes/workflow/v1",
          resolvedDependencies: [{ uri: "git+https://github.com/acme/app@refs/heads/main", digest: { gitCommit: commit } }],
        },
        runDetails: {
          builder: { id: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main" },
          metadata: { invocationId: `run-${commit.slice(0, 8)}` },
        },
      },
    }),
  );
  const sig = sign("sha256", preAuthEncoding(IN_TOTO, payload), { key: release.privateKey, dsaEncoding: "der" });
  const { answer } = await ingestAttestationsRequest(
    json({ envelope: { payloadType: IN_TOTO, payload: payload.toString("base64"), signatures: [{ sig: sig.toString("base64") }] } }),
  );
  expect(answer.results[0]?.status, JSON.stringify(answer.results[0])).toBe("accepted");
  const rows = await db().attestation.findMany({ where: { verdict: null }, select: { id: true } });
  if (rows.length) await verifyAttestations({ ids: rows.map((r) => r.id), now: new Date() });
}

async function publish(digest: string, tag: string) {
  const { answer } = await ingestEventsRequest(
    json({
      context: {
        specversion: "0.5.1",
        id: randomUUID(),
        source: "/ci",
        type: "dev.cdevents.artifact.published.0.3.0",
        timestamp: ago(25).toISOString(),
      },
      subject: { id: `pkg:oci/app@sha256%3A${digest.slice(7)}?repository_url=${REPO}/app&tag=${tag}`, content: {} },
    }),
  );
  expect(answer.accepted).toBe(1);
}

async function deploy(options: { environment: string; workload: string; at: Date; digest?: string; tag?: string }) {
  const artifactId = options.digest
    ? `pkg:oci/app@sha256%3A${options.digest.slice(7)}?repository_url=${REPO}/app`
    : `pkg:oci/app?repository_url=${REPO}/app&tag=${options.tag}`;
  const { answer } = await ingestEventsRequest(
    json({
      context: {
        specversion: "0.5.1",
        id: randomUUID(),
        source: "/argo",
        type: "dev.cdevents.service.deployed.0.3.0",
        timestamp: options.at.toISOString(),
      },
      subject: { id: options.workload, content: { environment: { id: options.environment }, artifactId } },
    }),
  );
  expect(answer.accepted).toBe(1);
}

async function admitted(digest: string) {
  const { answer } = await ingestVerificationsRequest(
    json({
      apiVersion: "vitrine.dev/v1",
      kind: "AdmissionDecision",
      verifier: "policy-controller",
      allowed: true,
      image: `${REPO}/app@${digest}`,
      policy: "signed-images",
      environment: "prod",
      message: "ok",
    }),
  );
  expect(answer.accepted).toBe(1);
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

const vitrine = (args: string[]) => runVitrine(args);

const request = (input: Record<string, string>) => ZReportRequest.parse(input);
const counts = (s: ReportSummary) => ({ ...s });

async function exported(format: "csv" | "json" | "pdf", extra: Record<string, string> = {}) {
  const view = await exportReportNow({ actor: officer, input: request({ environment: "prod", format, ...extra }), now: new Date() });
  expect(view.status).toBe("done");
  return { view, bytes: await readReportContent(view.id) };
}

describe("compliance reports", () => {
  let compliance: Awaited<ReturnType<typeof getCompliance>>;
  let windowFrom: string;
  let windowTo: string;

  beforeAll(async () => {
    await resetDatabase();
    work = mkdtempSync(join(tmpdir(), "vitrine-reports-test-"));
    const t = await db().apiToken.create({ data: { name: "i", prefix: "vtr_i", tokenHash: "f".repeat(64), scopes: ["ingest"] } });
    ingest = { kind: "token", id: t.id, name: "i", scopes: ["ingest"] };
    const u = await db().user.create({ data: { email: "officer@example.com", role: "compliance", name: "Officer" } });
    officer = { kind: "user", id: u.id, email: u.email, name: u.name, role: "compliance" };
    release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await createTrustedKey({
      actor: system,
      input: { name: "release", publicKey: release.publicKey.export({ type: "spki", format: "pem" }).toString() },
      now: new Date(),
    });
    await runDueJobs();

    // prod: api runs A (signed, provenance, admitted); web runs B (unsigned); worker runs a tag (not pinned)
    // whose alert is suppressed; old ran D until it was replaced by A ten days ago. dev runs A too.
    const [A, B, C, D] = [digestOf("a"), digestOf("b"), digestOf("c"), digestOf("d")] as [string, string, string, string];
    for (const d of [A, C, D]) await signed(d);
    await provenance(A, "c0ffee".padEnd(40, "0"));
    await admitted(A);
    await publish(C, "1.0");
    await deploy({ environment: "prod", workload: "old", digest: D, at: ago(20) });
    await runDueJobs();
    await deploy({ environment: "prod", workload: "old", digest: A, at: ago(10) });
    await deploy({ environment: "prod", workload: "api", digest: A, at: ago(3) });
    await deploy({ environment: "prod", workload: "web", digest: B, at: ago(2) });
    await deploy({ environment: "prod", workload: "worker", tag: "1.0", at: ago(1) });
    await deploy({ environment: "dev", workload: "api", digest: A, at: ago(1) });
    await runDueJobs();
    const mutable = await db().alert.findFirstOrThrow({ where: { rule: "mutable-reference-deployed", environment: "prod" } });
    await triageAlert({
      actor: { kind: "user", id: u.id, email: u.email, name: u.name, role: "admin" },
      id: mutable.id,
      action: "suppress",
      input: { justification: "pinned in the next release (CHG-1234)", until: new Date(Date.now() + 7 * DAY).toISOString() },
      now: new Date(),
    });
    const now = new Date();
    windowTo = now.toISOString();
    windowFrom = new Date(now.getTime() - 30 * DAY).toISOString();
    compliance = await getCompliance({ environment: "prod", window: { from: new Date(windowFrom), to: now }, now });
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the story has the numbers it was built for", () => {
    // Five prod deployments in 30 days (old ran D, then A); four pinned; B is the only unsigned one.
    expect(compliance.deployments).toMatchObject({ total: 5, pinned: 4, verifiedSignature: 4, verifiedProvenance: 2, admitted: 2 });
    expect(compliance.exceptions).toHaveLength(1);
  });

  it("CSV: one row per deployment with the compliance flags; the rows add up to the compliance numbers", async () => {
    const { view, bytes } = await exported("csv", { from: windowFrom, to: windowTo });
    const text = bytes.toString("utf8");
    // Plain RFC 4180 from the first byte: the header row, no comment line a parser would trip on.
    expect(text.startsWith("deployment_id,environment,")).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(compliance.deployments.total);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const tally = (name: (typeof CSV_COLUMNS)[number]) => rows.filter((r) => r[col(name)] === "true").length;
    expect({
      total: rows.length,
      pinned: tally("pinned"),
      verifiedSignature: tally("verified_signature"),
      verifiedProvenance: tally("verified_provenance"),
      admitted: tally("admitted"),
      compliant: tally("compliant"),
    }).toEqual(compliance.deployments);
    expect(view.summary).toEqual(compliance.deployments);
    const web = rows.find((r) => r[col("workload")] === "web")!;
    expect(web[col("signatures")]).toBe("");
    expect(web[col("policy_result")]).toBe("fail");
    expect(web[col("failed_requirements")]).toContain("signatures");
    expect(web[col("open_alerts")]).toMatch(/^[0-9a-f-]{36}/);
    const api = rows.find((r) => r[col("workload")] === "api")!;
    expect(api[col("signatures")]).toBe("cosign=verified");
    expect(api[col("signers")]).toContain("release");
    expect(api[col("provenance_builders")]).toContain("release.yml");
    expect(api[col("source_commits")]).toContain("@c0ffee");
    expect(api[col("verifier_results")]).toBe("policy-controller=pass");
    expect(rows.find((r) => r[col("workload")] === "worker")![col("reference")]).toContain("tag=1.0");
    // The signature is beside the file: header value, .sig, and the ledger records the export.
    const sig = parseSignature(view.signature!);
    expect(sig.ok && sig.value.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const entry = await db().ledgerEntry.findFirstOrThrow({ where: { kind: "report.exported", subject: `report:${view.id}` } });
    expect(entry.payload).toMatchObject({ sha256: `sha256:${view.sha256}`, format: "csv", rows: 5, environment: "prod" });
    expect(entry.actor).toBe(`user:${officer.id}`);
  });

  it("a narrower window leaves out what ended before it", async () => {
    const from = ago(5).toISOString();
    const { view } = await exported("csv", { from });
    const numbers = await getCompliance({ environment: "prod", window: { from: new Date(from), to: new Date(view.to) }, now: new Date() });
    expect(view.rowsTotal).toBe(4);
    expect(view.summary).toEqual(numbers.deployments);
  });

  it("JSON: the rows, the summary (== compliance), exceptions and evidence references, signed inside", async () => {
    const { view, bytes } = await exported("json", { from: windowFrom, to: windowTo });
    const report = JSON.parse(bytes.toString("utf8")) as {
      type: string;
      reportId: string;
      environment: string;
      summary: ReportSummary;
      rows: ReportRow[];
      exceptions: Array<{ rule: string; justification: string }>;
      checkpoint: { sequence: string; headHash: string; signature: string };
      signature: { keyId: string; value: string; statement: string };
    };
    expect(report.type).toBe("vitrine.compliance-report/v1");
    expect(report.reportId).toBe(view.id);
    expect(counts(report.summary)).toEqual(compliance.deployments);
    expect(report.rows).toHaveLength(compliance.deployments.total);
    expect(report.exceptions).toEqual([
      expect.objectContaining({ rule: "mutable-reference-deployed", justification: "pinned in the next release (CHG-1234)" }),
    ]);
    expect(report.checkpoint.sequence).toBe(view.checkpointSequence);
    expect(report.signature.keyId).toBe((await getSigningKey()).fingerprint);
    // Every row names its documents and the ledger entries that recorded them; they exist.
    const api = report.rows.find((r) => r.workload === "api")!;
    expect(api.evidence.documents.length).toBeGreaterThanOrEqual(4);
    expect(api.evidence.ledger.length).toBeGreaterThanOrEqual(api.evidence.documents.length);
    for (const id of api.evidence.documents) expect(await db().document.count({ where: { id } })).toBe(1);
    for (const seq of api.evidence.ledger) expect(await db().ledgerEntry.count({ where: { sequence: BigInt(seq) } })).toBe(1);
    // The checkpoint embedded is a real, signed checkpoint.
    expect(
      await db().ledgerCheckpoint.count({
        where: { sequence: BigInt(report.checkpoint.sequence), signature: report.checkpoint.signature },
      }),
    ).toBe(1);
  });

  it("PDF: pages render, and the text has the environment, the period and the figures", async () => {
    const { view, bytes } = await exported("pdf", { from: windowFrom, to: windowTo });
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect(findPdfSignatureSlot(bytes).ok).toBe(true);
    const file = join(work, "report.pdf");
    writeFileSync(file, bytes);
    const text = spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain("Compliance report");
    expect(text.stdout).toContain("Deployments in prod");
    expect(text.stdout).toContain(`${compliance.deployments.pinned} of ${compliance.deployments.total}`);
    expect(text.stdout).toContain(`${compliance.deployments.compliant} of ${compliance.deployments.total}`);
    expect(text.stdout).toContain("CHG-1234");
    expect(text.stdout).toContain(view.id);
    const info = spawnSync("pdfinfo", [file], { encoding: "utf8" });
    expect(info.status, info.stderr).toBe(0);
    const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    const render = spawnSync("pdftoppm", ["-png", "-r", "40", file, join(work, "page")], { encoding: "utf8" });
    expect(render.status, render.stderr).toBe(0);
    expect(readdirSync(work).filter((f) => /^page-\d+\.png$/.test(f))).toHaveLength(pages);
  });

  it("each format verifies; one changed byte anywhere, or the wrong signature, makes it invalid", async () => {
    const all = await Promise.all((["csv", "json", "pdf"] as const).map((f) => exported(f)));
    for (const { view, bytes } of all) {
      const signature = view.format === "csv" ? view.signature : null;
      const ok = await verifyReportFile({ bytes, signature });
      expect(ok, ok.reason ?? "").toMatchObject({ valid: true, reportId: view.id, format: view.format, recorded: true });
      expect(ok.exportedAt).toBe(view.exportedAt);
      expect(ok.checkpoint?.sequence).toBe(view.checkpointSequence);
      // First, middle and last byte, and (PDF) a byte of the signature slot's padding.
      const spots = [0, Math.floor(bytes.length / 2), bytes.length - 1];
      if (view.format === "pdf") {
        const slot = findPdfSignatureSlot(bytes);
        if (slot.ok) spots.push(slot.value.end - 1, slot.value.start + 5);
      }
      for (const at of spots) {
        const bad = await verifyReportFile({ bytes: flip(bytes, at), signature });
        expect(bad.valid, `${view.format} with byte ${at} changed`).toBe(false);
        expect(bad.reason).toBeTruthy();
      }
    }
    const [csv, json] = all as [(typeof all)[0], (typeof all)[1]];
    expect(await verifyReportFile({ bytes: csv.bytes, signature: null })).toMatchObject({
      valid: false,
      reason: expect.stringContaining("Vitrine-Signature"),
    });
    expect((await verifyReportFile({ bytes: csv.bytes, signature: json.view.signature })).valid).toBe(false);
    expect((await verifyReportFile({ bytes: json.bytes, signature: csv.view.signature })).valid).toBe(false);
    expect((await verifyReportFile({ bytes: Buffer.from("deployment_id\r\n"), signature: "nonsense" })).valid).toBe(false);
  });

  it("the CLI verifies with the database and offline with --public-key; exit 1 and the reason when a byte changed", async () => {
    const { view, bytes } = await exported("csv");
    const file = join(work, view.fileName);
    writeFileSync(file, bytes);
    writeFileSync(`${file}.sig`, `${view.signature}\n`);
    const pem = join(work, "vitrine.pem");
    writeFileSync(pem, (await getSigningKey()).publicKeyPem);
    const pdf = await exported("pdf");
    const pdfFile = join(work, pdf.view.fileName);
    writeFileSync(pdfFile, pdf.bytes);
    const tampered = join(work, "tampered.csv");
    writeFileSync(tampered, flip(bytes, 40));
    // Each is a process start (tsx): three at a time on a busy machine.
    const [online, offline, pdfOffline] = await Promise.all([
      vitrine(["report", "verify", file]),
      vitrine(["report", "verify", file, "--signature", `${file}.sig`, "--public-key", pem]),
      vitrine(["report", "verify", pdfFile, "--public-key", pem]),
    ]);
    const [bad, missing, usage] = await Promise.all([
      vitrine(["report", "verify", tampered, "--signature", `${file}.sig`, "--public-key", pem]),
      vitrine(["report", "verify", tampered, "--public-key", pem]),
      vitrine(["report", "verify"]),
    ]);
    expect(online.code, online.stderr).toBe(0);
    expect(JSON.parse(online.stdout)).toMatchObject({
      valid: true,
      reportId: view.id,
      recorded: true,
      checkpoint: { sequence: view.checkpointSequence },
    });
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ valid: true, reportId: view.id, exportedAt: view.exportedAt });
    expect(pdfOffline.code, pdfOffline.stderr).toBe(0);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, reason: expect.stringContaining("changed") });
    expect(bad.stderr).toContain("not valid");
    expect(missing.code).toBe(1);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: vitrine report verify/);
  }, 300_000);

  it("queued exports run as jobs with progress, and the history lists them newest first", async () => {
    const view = await createReportExport({
      actor: officer,
      input: request({ environment: "prod", format: "json" }),
      now: new Date(),
      queue: true,
    });
    expect(view.status).toBe("pending");
    await runDueJobs();
    const done = await getReportExportOrThrow(view.id);
    expect(done).toMatchObject({ status: "done", rowsDone: 5, rowsTotal: 5, exportedByName: "officer@example.com" });
    const verified = await verifyReportFile({ bytes: await readReportContent(view.id), signature: null });
    expect(verified.valid).toBe(true);
    const history = await listReportExports({ limit: 2 });
    expect(history.items[0]?.id).toBe(view.id);
    expect(history.nextCursor).not.toBeNull();
    const next = await listReportExports({ limit: 2, cursor: history.nextCursor! });
    expect(next.items.map((i) => i.id)).not.toContain(view.id);
  });

  it("stores a large export in 1 MiB chunks and streams it back byte for byte", async () => {
    const view = await createReportExport({ actor: officer, input: request({ environment: "prod" }), now: new Date(), queue: false });
    const bytes = randomBytes(CHUNK_BYTES * 2 + 12_345);
    const sink = new ChunkSink(view.id);
    for (let at = 0; at < bytes.length; at += 300_001) await sink.write(bytes.subarray(at, at + 300_001));
    await sink.end();
    expect(sink.size).toBe(bytes.length);
    expect(sink.hash.digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(await db().reportExportChunk.count({ where: { reportId: view.id } })).toBe(3);
    expect((await readReportContent(view.id)).equals(bytes)).toBe(true);
    const streamed: Buffer[] = [];
    for await (const chunk of reportContentStream(view.id) as unknown as AsyncIterable<Uint8Array>) streamed.push(Buffer.from(chunk));
    expect(Buffer.concat(streamed).equals(bytes)).toBe(true);
  });

  it("refuses an unknown environment and an empty window, and exports nothing", async () => {
    const before = await db().reportExport.count();
    await expect(exportReportNow({ actor: officer, input: request({ environment: "nowhere" }), now: new Date() })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(
      exportReportNow({ actor: officer, input: request({ environment: "prod", from: "2026-02-01", to: "2026-01-01" }), now: new Date() }),
    ).rejects.toMatchObject({ code: "unprocessable" });
    expect(ZReportRequest.safeParse({ environment: "prod", format: "docx" }).success).toBe(false);
    expect(await db().reportExport.count()).toBe(before);
  });

  describe("scheduled reports", () => {
    let server: Server;
    const received: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => {
          body += c.toString("utf8");
        });
        req.on("end", () => {
          received.push({ headers: req.headers, body });
          res.statusCode = 204;
          res.end();
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("a due weekly schedule exports through the queue and delivers a signed CloudEvent with the report, which verifies", async () => {
      const port = (server.address() as AddressInfo).port;
      const channel = await createChannel({
        actor: system,
        input: { kind: "webhook", name: "audit inbox", url: `http://127.0.0.1:${port}/reports` },
        now: new Date(),
      });
      const schedule = await createReportSchedule({
        actor: officer,
        input: { name: "weekly prod", environment: "prod", format: "csv", cadence: "weekly", channelId: channel.id },
        now: new Date(),
      });
      expect(new Date(schedule.nextRunAt).getUTCDay()).toBe(1);
      // Not due yet: nothing happens.
      await sqlFromPool().query(`INSERT INTO jobs (id, kind, payload, run_at) VALUES ($1::uuid, 'reports.scheduled', '{}', now())`, [
        randomUUID(),
      ]);
      await runDueJobs();
      expect(received.filter((r) => r.body.includes("dev.vitrine.report.exported"))).toHaveLength(0);
      // Due: one export of the seven days before the run, delivered.
      await sqlFromPool().query(`UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE id = $1::uuid`, [schedule.id]);
      await sqlFromPool().query(`INSERT INTO jobs (id, kind, payload, run_at) VALUES ($1::uuid, 'reports.scheduled', '{}', now())`, [
        randomUUID(),
      ]);
      await runDueJobs();
      const deliveries = received.filter((r) => r.body.includes("dev.vitrine.report.exported"));
      expect(deliveries).toHaveLength(1);
      const event = JSON.parse(deliveries[0]!.body) as {
        type: string;
        data: { report: { id: string; format: string; from: string; to: string }; signature: string; contentBase64: string };
      };
      expect(deliveries[0]!.headers["vitrine-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(event.data.report.format).toBe("csv");
      expect(new Date(event.data.report.to).getTime() - new Date(event.data.report.from).getTime()).toBe(7 * DAY);
      const verified = await verifyReportFile({ bytes: Buffer.from(event.data.contentBase64, "base64"), signature: event.data.signature });
      expect(verified).toMatchObject({ valid: true, reportId: event.data.report.id });
      const after = await db().reportSchedule.findUniqueOrThrow({ where: { id: schedule.id } });
      expect(after).toMatchObject({ lastStatus: "delivered", lastReportId: event.data.report.id });
      expect(after.nextRunAt.getTime()).toBeGreaterThan(Date.now());
      const report: ReportExportView = await getReportExportOrThrow(event.data.report.id);
      expect(report).toMatchObject({ scheduleId: schedule.id, exportedBy: `schedule:${schedule.id}` });
    });
  });
});

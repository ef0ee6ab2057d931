import "server-only";
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { pool, type Sql, sqlFromPg, sqlFromPool, withTransaction } from "@/lib/db/sql";
import {
  csvHeader,
  csvReportRow,
  jsonReportFrame,
  jsonReportRow,
  type ReportHeader,
  type ReportRow,
  type ReportSummary,
} from "@/lib/domain/report";
import {
  formatSignature,
  jsonReportTail,
  PDF_SIGNATURE_MARKER,
  pdfSlotContent,
  type ReportFormat,
  type ReportStatement,
  STATEMENT_TYPE,
  statementBytes,
  toJsonSignature,
} from "@/lib/domain/report-signature";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { createCheckpoint } from "@/lib/server/ledger/create-checkpoint";
import { getSigningKey, signBytes } from "@/lib/server/signing/signing-key";
import { createPdfReport } from "./pdf-report";
import {
  countReportRows,
  type DeploymentPage,
  type ReportScope,
  readDeploymentPage,
  readPageDetails,
  readReportExceptions,
  readReportSummary,
  userNames,
} from "./report-data";
import { ChunkSink, clearReportContent } from "./report-store";

// Produces one export (docs/reports.md): signs the ledger head (the checkpoint the report embeds),
// reads the summary, exceptions and rows from one snapshot, writes the format into stored chunks
// (hashing on the way), signs the statement, and records the export in the ledger. Progress
// (rows done of total) is written as it goes, for the Reports page to poll.

const PAGE = 2500;
const PROGRESS_EVERY_MS = 250;

type ExportRow = {
  id: string;
  environment: string;
  period_from: Date;
  period_to: Date;
  format: ReportFormat;
  status: string;
  exported_by: string;
  exported_by_name: string | null;
};

export type GeneratedReport = { id: string; sha256: string; size: number; signature: string; rows: number };

type SnapshotReaders = { main: Sql; side: Sql };

// An export holds two read connections and writes on a third: exports beyond what the pool can
// serve that way wait their turn in this process (never a pool where every connection waits for another).
const exportSlots = globalThis as unknown as { vitrineReportSlots?: { busy: number; waiting: Array<() => void> } };

async function withExportSlot<T>(fn: () => Promise<T>): Promise<T> {
  exportSlots.vitrineReportSlots ??= { busy: 0, waiting: [] };
  const slots = exportSlots.vitrineReportSlots;
  const capacity = Math.max(1, Math.floor((pool().options.max ?? 10) / 3));
  while (slots.busy >= capacity) await new Promise<void>((resolve) => slots.waiting.push(resolve));
  slots.busy++;
  try {
    return await fn();
  } finally {
    slots.busy--;
    slots.waiting.shift()?.();
  }
}

/**
 * Reads in one REPEATABLE READ snapshot, so the exceptions, rows and summary describe the same
 * moment: on a connection of its own, and a second one that imports the same snapshot
 * (pg_export_snapshot), so the next page's deployments are read while this page's details are.
 * Embedded PGlite has a single session (pool of one): there the reads share it with the writes,
 * page by page, without a snapshot.
 */
async function withReadSnapshot<T>(fn: (read: SnapshotReaders) => Promise<T>): Promise<T> {
  const p = pool();
  if ((p.options.max ?? 10) <= 2) return fn({ main: sqlFromPool(), side: sqlFromPool() });
  const main = await p.connect();
  let side: pg.PoolClient | null = null;
  try {
    await main.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows } = await main.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
    const second = await p.connect();
    side = second;
    await second.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await second.query(`SET TRANSACTION SNAPSHOT '${rows[0]!.id.replace(/'/g, "")}'`);
    const result = await fn({ main: sqlFromPg(main), side: sqlFromPg(second) });
    await Promise.all([main.query("COMMIT"), second.query("COMMIT")]);
    return result;
  } catch (error) {
    await main.query("ROLLBACK").catch(() => {});
    await side?.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    main.release();
    side?.release();
  }
}

/** Counts bytes, hashes them and finds the PDF signature slot as pdfkit's output goes to the file. */
class PdfObserver extends Transform {
  readonly hash: Hash = createHash("sha256");
  size = 0;
  slotOffset = -1;
  private tail = Buffer.alloc(0);
  private readonly needle = Buffer.from(`(${PDF_SIGNATURE_MARKER}`, "latin1");

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void) {
    const joined = Buffer.concat([this.tail, chunk]);
    const at = joined.indexOf(this.needle);
    if (at >= 0 && this.slotOffset < 0) this.slotOffset = this.size - this.tail.length + at + this.needle.length;
    this.hash.update(chunk);
    this.size += chunk.length;
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - this.needle.length + 1)));
    done(null, chunk);
  }
}

async function loadExport(id: string): Promise<ExportRow | null> {
  const [row] = await sqlFromPool().query<ExportRow>(
    `SELECT id, environment, period_from, period_to, format, status, exported_by, exported_by_name FROM report_exports WHERE id = $1::uuid`,
    [id],
  );
  return row ?? null;
}

/** Runs the export `id` (pending, or failed/interrupted: it starts over). A finished export is left alone. */
export async function generateReport(options: { id: string; now: Date }): Promise<GeneratedReport> {
  const row = await loadExport(options.id);
  if (!row) throw new Error(`no report export ${options.id}`);
  if (row.status === "done") {
    const [done] = await sqlFromPool().query<{ sha256: string; size_bytes: string; signature: string; rows_total: number }>(
      `SELECT sha256, size_bytes::text, signature, rows_total FROM report_exports WHERE id = $1::uuid`,
      [row.id],
    );
    return { id: row.id, sha256: done!.sha256, size: Number(done!.size_bytes), signature: done!.signature, rows: done!.rows_total };
  }
  const exportedAt = new Date(options.now.getTime());
  await clearReportContent(row.id);
  await sqlFromPool().query(
    `UPDATE report_exports SET status = 'running', rows_done = 0, rows_total = NULL, error = NULL, exported_at = $2::timestamptz
      WHERE id = $1::uuid`,
    [row.id, exportedAt.toISOString()],
  );
  try {
    return await withExportSlot(() => produce(row, exportedAt));
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    await sqlFromPool()
      .query(`UPDATE report_exports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1::uuid`, [row.id, message])
      .catch(() => {});
    throw error;
  }
}

async function produce(row: ExportRow, exportedAt: Date): Promise<GeneratedReport> {
  const key = await getSigningKey();
  // The checkpoint signs the ledger head now: the report covers the evidence recorded up to it.
  const cp = await createCheckpoint({ now: exportedAt });
  const checkpoint = {
    sequence: cp.sequence,
    headHash: cp.headHash,
    createdAt: cp.createdAt,
    keyFingerprint: cp.keyFingerprint,
    signature: cp.signature,
  };
  const scope: ReportScope = { environment: row.environment, from: new Date(row.period_from), to: new Date(row.period_to) };
  const exportedBy = row.exported_by_name ?? (await userNames(sqlFromPool(), [row.exported_by])).get(row.exported_by) ?? row.exported_by;
  const header: ReportHeader = {
    reportId: row.id,
    environment: scope.environment,
    from: scope.from.toISOString(),
    to: scope.to.toISOString(),
    exportedAt: exportedAt.toISOString(),
    exportedBy,
    keyFingerprint: key.fingerprint,
    checkpoint,
  };
  const sink = new ChunkSink(row.id);
  let lastProgress = 0;
  const progress = async (done: number, force = false) => {
    if (!force && Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = Date.now();
    await sqlFromPool().query(`UPDATE report_exports SET rows_done = $2 WHERE id = $1::uuid`, [row.id, done]);
  };

  const temps: string[] = [];
  try {
    const outcome = await withReadSnapshot(async (read) => {
      const total = await countReportRows(read.main, scope);
      await sqlFromPool().query(`UPDATE report_exports SET rows_total = $2 WHERE id = $1::uuid`, [row.id, total]);
      const exceptions = await readReportExceptions(read.main, scope);
      // The summary is the rows' flags counted as they go by (the definitions' own expressions, in
      // the same snapshot): the same numbers as GET /api/v1/compliance without a second pass.
      const tally: ReportSummary = { total: 0, pinned: 0, verifiedSignature: 0, verifiedProvenance: 0, admitted: 0, compliant: 0 };
      const count = (rows: ReportRow[]) => {
        for (const r of rows) {
          tally.total++;
          if (r.pinned) tally.pinned++;
          if (r.verifiedSignature) tally.verifiedSignature++;
          if (r.verifiedProvenance) tally.verifiedProvenance++;
          if (r.admitted) tally.admitted++;
          if (r.compliant) tally.compliant++;
        }
      };
      let done = 0;
      // A pipeline: while one connection reads a page's details, the other reads the next page.
      async function* pages() {
        let next: Promise<DeploymentPage> | null = readDeploymentPage(read.main, { scope, after: null, limit: PAGE });
        while (next) {
          const page: DeploymentPage = await next;
          next = page.next ? readDeploymentPage(read.main, { scope, after: page.next, limit: PAGE }) : null;
          next?.catch(() => {});
          const rows = await readPageDetails(read.side, { scope, deployments: page.deployments, withLedger: row.format === "json" });
          count(rows);
          if (rows.length > 0) yield rows;
          done += rows.length;
          await progress(done);
        }
      }

      if (row.format === "csv") {
        await sink.write(csvHeader());
        for await (const rows of pages()) await sink.write(rows.map(csvReportRow).join(""));
        return { summary: tally, rows: done, contentHash: sink.hash.copy().digest("hex") };
      }
      if (row.format === "json") {
        const frame = jsonReportFrame({ header, exceptions });
        await sink.write(frame.prefix);
        let first = true;
        for await (const rows of pages()) {
          await sink.write((first ? "" : ",") + rows.map(jsonReportRow).join(","));
          first = false;
        }
        // The signed content is the canonical JSON, closing brace included; the file puts the signature before it.
        await sink.write(frame.suffix(tally).slice(0, -1));
        return { summary: tally, rows: done, contentHash: sink.hash.copy().update("}").digest("hex") };
      }
      // The PDF shows the figures before the table: counted first, in the same snapshot.
      const summary = await readReportSummary(read.main, scope);
      // PDF: to a temporary file (the signature slot is patched in place), then into the store.
      const dir = await mkdtemp(join(tmpdir(), "vitrine-report-"));
      temps.push(dir);
      const file = join(dir, "report.pdf");
      const pdf = createPdfReport({ header, summary, exceptions, rowCount: total });
      const observer = new PdfObserver();
      const written = pipeline(pdf.doc, observer, createWriteStream(file));
      written.catch(() => {});
      try {
        for await (const rows of pages()) pdf.addRows(rows);
      } catch (error) {
        pdf.doc.destroy();
        throw error;
      }
      pdf.finish();
      await written;
      if (observer.slotOffset < 0) throw new Error("pdfkit did not write the signature slot");
      return { summary, rows: done, contentHash: observer.hash.digest("hex"), pdf: { file, slotOffset: observer.slotOffset } };
    });

    const statement: ReportStatement = {
      type: STATEMENT_TYPE,
      reportId: row.id,
      format: row.format,
      environment: header.environment,
      from: header.from,
      to: header.to,
      exportedAt: header.exportedAt,
      sha256: outcome.contentHash,
      rows: outcome.rows,
      keyFingerprint: key.fingerprint,
      checkpoint,
    };
    const signed = statementBytes(statement);
    const envelope = {
      keyId: key.fingerprint,
      reportId: row.id,
      sha256: outcome.contentHash,
      sig: signBytes(key, signed),
      statement: signed,
    };
    const signature = formatSignature(envelope);

    if (row.format === "json") await sink.write(jsonReportTail(toJsonSignature(envelope)), { hashed: false });
    if ("pdf" in outcome && outcome.pdf) {
      const { file } = outcome.pdf;
      const handle = await open(file, "r+");
      try {
        await handle.write(pdfSlotContent(signature), 0, undefined, outcome.pdf.slotOffset);
      } finally {
        await handle.close();
      }
      for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) await sink.write(chunk as Buffer);
    }
    await sink.end();
    await progress(outcome.rows, true);

    await withTransaction(async (sql) => {
      const [entry] = await appendLedgerEntriesSql(sql, [
        {
          kind: "report.exported",
          actor: row.exported_by,
          subject: `report:${row.id}`,
          payload: {
            reportId: row.id,
            environment: header.environment,
            from: header.from,
            to: header.to,
            format: row.format,
            sha256: `sha256:${outcome.contentHash}`,
            size: sink.size,
            rows: outcome.rows,
            checkpointSequence: checkpoint.sequence,
            keyFingerprint: key.fingerprint,
          },
          now: new Date(),
        },
      ]);
      await sql.query(
        `UPDATE report_exports
            SET status = 'done', sha256 = $2, size_bytes = $3, signature = $4, checkpoint_sequence = $5::bigint, ledger_sequence = $6::bigint,
                summary = $7::jsonb, rows_done = $8, rows_total = $8, finished_at = now(), error = NULL
          WHERE id = $1::uuid`,
        [
          row.id,
          outcome.contentHash,
          sink.size,
          signature,
          checkpoint.sequence,
          entry!.sequence.toString(),
          JSON.stringify(outcome.summary),
          outcome.rows,
        ],
      );
    });
    return { id: row.id, sha256: outcome.contentHash, size: sink.size, signature, rows: outcome.rows };
  } finally {
    for (const dir of temps) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

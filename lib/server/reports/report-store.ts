import "server-only";
import { createHash, type Hash } from "node:crypto";
import { sqlFromPool } from "@/lib/db/sql";

// The exported bytes live in Postgres (report_export_chunks, 1 MiB per row), not on one instance's
// disk: every app instance can serve every export, and backups keep reports with their evidence.
// Written and read one chunk at a time, so memory does not grow with the report's size.

export const CHUNK_BYTES = 1024 * 1024;

/** Appends bytes to a report's stored content, hashing them on the way (sha256 over everything written). */
export class ChunkSink {
  readonly hash: Hash = createHash("sha256");
  size = 0;
  private parts: Buffer[] = [];
  private buffered = 0;
  private seq = 0;

  constructor(private readonly reportId: string) {}

  /** `hashed: false` stores bytes outside the signed content (the JSON signature member, written last). */
  async write(data: string | Buffer, options: { hashed?: boolean } = {}): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (bytes.length === 0) return;
    if (options.hashed !== false) this.hash.update(bytes);
    this.size += bytes.length;
    this.parts.push(bytes);
    this.buffered += bytes.length;
    while (this.buffered >= CHUNK_BYTES) {
      const all = Buffer.concat(this.parts);
      await this.store(all.subarray(0, CHUNK_BYTES));
      const rest = all.subarray(CHUNK_BYTES);
      this.parts = rest.length ? [Buffer.from(rest)] : [];
      this.buffered = rest.length;
    }
  }

  async end(): Promise<void> {
    if (this.buffered > 0) await this.store(Buffer.concat(this.parts));
    this.parts = [];
    this.buffered = 0;
  }

  private async store(bytes: Buffer): Promise<void> {
    await sqlFromPool().query(`INSERT INTO report_export_chunks (report_id, seq, data) VALUES ($1::uuid, $2, $3)`, [
      this.reportId,
      this.seq++,
      bytes,
    ]);
  }
}

export async function clearReportContent(reportId: string): Promise<void> {
  await sqlFromPool().query(`DELETE FROM report_export_chunks WHERE report_id = $1::uuid`, [reportId]);
}

/** Chunks as pg returns bytea (hex text, decoded natively by pg-types into Buffers). */
async function readChunks(text: string, values: unknown[]): Promise<Array<{ data: Buffer }>> {
  return sqlFromPool().query<{ data: Buffer }>(text, values);
}

/** The stored bytes as a web stream, read one chunk per pull. */
export function reportContentStream(reportId: string): ReadableStream<Uint8Array> {
  let seq = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const [row] = await readChunks(`SELECT data FROM report_export_chunks WHERE report_id = $1::uuid AND seq = $2`, [reportId, seq++]);
        if (!row) controller.close();
        else controller.enqueue(new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength));
      },
    },
    { highWaterMark: 1 },
  );
}

/** The whole stored content (for verification in tests and for small deliveries). */
export async function readReportContent(reportId: string): Promise<Buffer> {
  const rows = await readChunks(`SELECT data FROM report_export_chunks WHERE report_id = $1::uuid ORDER BY seq`, [reportId]);
  return Buffer.concat(rows.map((r) => r.data));
}

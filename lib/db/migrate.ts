// Applies prisma/migrations/<timestamp>_<name>/migration.sql in order and records each one in
// `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, sha256 checksum of
// the file), so a machine with the Prisma CLI agrees about what has been applied.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { ensurePartitions } from "./partitions";

export type Migration = { name: string; sql: string; checksum: string };
export type MigrateResult = { applied: string[]; alreadyApplied: string[] };

export const MIGRATIONS_DIR = join(process.cwd(), "prisma", "migrations");

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{14}_[a-z0-9_]+$/.test(d.name))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Any number to serialise concurrent migrators (several app instances starting at once).
const MIGRATION_LOCK = 72_707_301;

export class MigrationError extends Error {
  override name = "MigrationError";
}

export async function migrate(options: { url: string; dir?: string; log?: (line: string) => void }): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const migrations = readMigrations(options.dir);
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const recorded = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    for (const r of recorded.values()) {
      if (r.finished_at === null) {
        throw new MigrationError(
          `Migration ${r.migration_name} started but did not finish. Fix the database by hand, then mark it rolled back.`,
        );
      }
    }
    const known = new Set(migrations.map((m) => m.name));
    for (const name of recorded.keys()) {
      if (!known.has(name))
        throw new MigrationError(`The database has migration ${name}, which is not in ${options.dir ?? MIGRATIONS_DIR}`);
    }
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const done = recorded.get(m.name);
      if (done) {
        if (done.checksum !== m.checksum) {
          throw new MigrationError(`Migration ${m.name} was edited after it was applied (checksum differs)`);
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      const id = randomUUID();
      log(`applying ${m.name}`);
      // The whole migration and its record commit together, or neither does.
      await client.query("BEGIN");
      try {
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${m.name} failed: ${(error as Error).message}`);
      }
      result.applied.push(m.name);
    }
    await keepPartitionsAhead(client, log);
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

/**
 * After the migrations, the monthly partitions of the evidence tables for the months ahead (lib/db/partitions.ts).
 * Not a failure when it cannot: the DEFAULT partitions take the rows meanwhile and the background duty retries.
 */
async function keepPartitionsAhead(client: pg.Client, log: (line: string) => void): Promise<void> {
  const { rows } = await client.query<{ fn: string | null }>(
    "SELECT to_regprocedure('vitrine_ensure_partitions(timestamptz, timestamptz)')::text AS fn",
  );
  if (!rows[0]?.fn) return;
  try {
    for (const name of await ensurePartitions(client)) log(`created partition ${name}`);
  } catch (error) {
    log(`could not create the next months' partitions (the background duty will retry): ${(error as Error).message}`);
  }
}

// The migration runner records what `prisma migrate deploy` records, refuses edited history,
// and applies each migration with its record atomically.
import { createHash } from "node:crypto";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from "@/lib/db/migrate";
import { monthStart, partitionName } from "@/lib/db/partitions";
import { databaseKind, databaseUrl, setupTestDatabase, withPg } from "./helpers/db";
import { createFreshDatabase, type FreshDatabase } from "./helpers/fresh-database";

setupTestDatabase();

const migrationFolders = () =>
  readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

type MigrationRow = {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
};
const recorded = (url: string) =>
  query<MigrationRow>(
    url,
    `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM "_prisma_migrations" ORDER BY migration_name`,
  );
const tableExists = async (url: string, name: string) =>
  (await query<{ n: string | null }>(url, `SELECT to_regclass($1)::text AS n`, [`public.${name}`]))[0]?.n !== null;

describe("migrate() on the test database (already migrated)", () => {
  it("applies nothing a second time", async () => {
    const result = await migrate({ url: databaseUrl() });
    expect(result).toEqual({ applied: [], alreadyApplied: migrationFolders() });
  });

  it("records every migration as Prisma does: folder name, sha256 of migration.sql, finished, one step", async () => {
    const rows = await recorded(databaseUrl());
    const folders = migrationFolders();
    expect(folders.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const row of rows) {
      const file = readFileSync(join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum, row.migration_name).toBe(createHash("sha256").update(file).digest("hex"));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("reads migration folders in order and ignores anything that is not one", () => {
    const names = readMigrations().map((m) => m.name);
    expect(names).toEqual(migrationFolders().filter((n) => /^\d{14}_[a-z0-9_]+$/.test(n)));
    expect(names).not.toContain("migration_lock.toml");
  });

  it("leaves the ledger's append-only triggers in place", async () => {
    const triggers = await withPg((c) =>
      c.query<{ tgname: string }>(
        `SELECT tgname FROM pg_trigger WHERE tgrelid = '"ledger_entries"'::regclass AND NOT tgisinternal ORDER BY tgname`,
      ),
    );
    expect(triggers.rows.map((r) => r.tgname)).toEqual([
      "ledger_entries_append_only",
      "ledger_entries_extend_head",
      "ledger_entries_no_truncate",
    ]);
  });

  it("guards every partition of the partitioned evidence tables, and keeps the next months' partitions ready", async () => {
    const partitions = await withPg(async (c) => {
      const { rows } = await c.query<{ parent: string; name: string; triggers: string[] }>(
        `SELECT i.inhparent::regclass::text AS parent, c.relname AS name,
                (SELECT coalesce(json_agg(t.tgname ORDER BY t.tgname), '[]') FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent IN ('ledger_entries'::regclass, 'document_bodies'::regclass)`,
      );
      return rows;
    });
    for (const p of partitions) {
      const own = `${p.name}_no_truncate`;
      expect(p.triggers, p.name).toEqual(
        p.parent === "ledger_entries"
          ? ["ledger_entries_append_only", "ledger_entries_extend_head", own].sort()
          : ["document_bodies_append_only", own].sort(),
      );
    }
    const names = partitions.map((p) => p.name);
    for (const months of [0, 1, 2, 3]) {
      const at = monthStart(new Date(), months);
      expect(names).toContain(partitionName("ledger_entries", at));
      expect(names).toContain(partitionName("document_bodies", at));
    }
    expect(names).toEqual(expect.arrayContaining(["ledger_entries_default", "document_bodies_default"]));
  });
});

describe("migrate() on a fresh database", () => {
  let fresh: FreshDatabase;
  let dir: string;

  // One empty database for the group (an embedded one takes seconds to start), emptied before each test.
  beforeAll(async () => {
    fresh = await createFreshDatabase();
  });
  afterAll(() => fresh.drop());

  beforeEach(async () => {
    await query(fresh.url, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`);
    expect(await tableExists(fresh.url, "_prisma_migrations")).toBe(false);
    // A private copy of prisma/migrations that the test may edit.
    dir = mkdtempSync(join(tmpdir(), "vitrine-migrations-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies every migration once, then nothing", async () => {
    const lines: string[] = [];
    const first = await migrate({ url: fresh.url, dir, log: (l) => lines.push(l) });
    expect(first).toEqual({ applied: migrationFolders(), alreadyApplied: [] });
    expect(lines).toEqual(migrationFolders().map((n) => `applying ${n}`));
    expect(await migrate({ url: fresh.url, dir })).toEqual({ applied: [], alreadyApplied: migrationFolders() });
    expect(await recorded(fresh.url)).toHaveLength(migrationFolders().length);
  });

  it("refuses a migration edited after it was applied, and changes nothing", async () => {
    await migrate({ url: fresh.url, dir });
    const [firstName] = migrationFolders();
    appendFileSync(join(dir, firstName as string, "migration.sql"), "\n-- an innocent-looking comment\n");
    const before = await recorded(fresh.url);
    await expect(migrate({ url: fresh.url, dir })).rejects.toThrow(
      new MigrationError(`Migration ${firstName} was edited after it was applied (checksum differs)`),
    );
    expect(await recorded(fresh.url)).toEqual(before);
  });

  it("refuses a database that has a migration the folder does not", async () => {
    await migrate({ url: fresh.url, dir });
    const last = migrationFolders().at(-1) as string;
    rmSync(join(dir, last), { recursive: true });
    await expect(migrate({ url: fresh.url, dir })).rejects.toThrow(/has migration .* which is not in/);
  });

  it("rolls a failing migration back completely and records nothing for it", async () => {
    await migrate({ url: fresh.url, dir });
    const before = await recorded(fresh.url);
    const broken = "29991231000000_broken";
    mkdirSync(join(dir, broken));
    writeFileSync(
      join(dir, broken, "migration.sql"),
      `CREATE TABLE "half_done" ("id" INTEGER);\nALTER TABLE "users" ADD COLUMN "half_done" TEXT;\nSELECT 1 / 0;\n`,
    );
    const error = await migrate({ url: fresh.url, dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(new RegExp(`^Migration ${broken} failed: division by zero`));
    expect(await tableExists(fresh.url, "half_done")).toBe(false);
    const columns = await query(
      fresh.url,
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'half_done'`,
    );
    expect(columns).toEqual([]);
    expect(await recorded(fresh.url)).toEqual(before);

    // Once fixed, it applies, and only it.
    writeFileSync(join(dir, broken, "migration.sql"), `CREATE TABLE "half_done" ("id" INTEGER);\n`);
    expect(await migrate({ url: fresh.url, dir })).toEqual({ applied: [broken], alreadyApplied: migrationFolders() });
    expect(await tableExists(fresh.url, "half_done")).toBe(true);
  });

  it("stops at the first failing migration: later ones are not applied", async () => {
    const a = "29991231000000_fails";
    const b = "29991231000001_after";
    mkdirSync(join(dir, a));
    mkdirSync(join(dir, b));
    writeFileSync(join(dir, a, "migration.sql"), `SELECT no_such_function();\n`);
    writeFileSync(join(dir, b, "migration.sql"), `CREATE TABLE "after_table" ("id" INTEGER);\n`);
    await expect(migrate({ url: fresh.url, dir })).rejects.toThrow(MigrationError);
    const names = (await recorded(fresh.url)).map((r) => r.migration_name);
    expect(names).toEqual(migrationFolders());
    expect(await tableExists(fresh.url, "after_table")).toBe(false);
  });

  it("refuses a migration that started but never finished", async () => {
    await migrate({ url: fresh.url, dir });
    const [firstName] = migrationFolders();
    await query(fresh.url, `UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = $1`, [firstName]);
    await expect(migrate({ url: fresh.url, dir })).rejects.toThrow(/started but did not finish/);
  });

  it("fails clearly without a migrations folder", async () => {
    await expect(migrate({ url: fresh.url, dir: join(dir, "nope") })).rejects.toThrow(/No migrations folder/);
  });

  // Several app instances may start at once; on PGlite every connection is the same session, so
  // the advisory lock cannot serialise them there (an embedded database has a single owner).
  it.skipIf(databaseKind() === "embedded")("serialises concurrent migrators: each migration is applied once", async () => {
    const results = await Promise.all([1, 2, 3].map(() => migrate({ url: fresh.url, dir })));
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(migrationFolders());
    expect(await recorded(fresh.url)).toHaveLength(migrationFolders().length);
  });
});

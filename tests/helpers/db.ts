// Per-file database access for integration tests: the process-wide client points at the test
// database, and resetDatabase() empties every table (the ledger's guard trigger is lifted only here).
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { closeDb, createDb, type Db, setDb } from "@/lib/db/client";

export const databaseUrl = (): string => inject("databaseUrl");
export const databaseKind = (): "postgres" | "embedded" => inject("databaseKind");

let client: Db | undefined;

/** Call once at the top of an integration test file. */
export function setupTestDatabase(): { db: () => Db } {
  beforeAll(() => {
    process.env.DATABASE_URL = databaseUrl();
    // Embedded PGlite has one session: one connection per process (see lib/db/client.ts).
    client = createDb({ url: databaseUrl(), poolMax: databaseKind() === "embedded" ? 1 : 4 });
    setDb(client);
  });
  afterAll(async () => {
    if (client) await closeDb(client);
    setDb(undefined);
  });
  return { db: () => client as Db };
}

export async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function resetDatabase(): Promise<void> {
  await withPg(async (c) => {
    const { rows } = await c.query<{ tablename: string }>(
      // In name order: concurrent resets (it.concurrent) then lock the tables in the same order and wait
      // for each other instead of deadlocking (a TRUNCATE rewrites pg_class rows, so scan order moves).
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename`,
    );
    const list = rows.map((r) => `"${r.tablename}"`).join(", ");
    await c.query("BEGIN");
    // The evidence tables refuse TRUNCATE by trigger, and so does each partition of the partitioned
    // ones: lift every ordinary trigger for this transaction only (the tests connect as a superuser).
    await c.query("SET LOCAL session_replication_role = replica");
    await c.query(`TRUNCATE ${list} CASCADE`);
    await c.query("COMMIT");
  });
}

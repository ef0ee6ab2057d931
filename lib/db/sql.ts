// A minimal SQL interface for the hot paths (ingestion, ledger appends), written once and run on
// a `pg` connection or inside a Prisma transaction. Parameters are positional ($1, $2, ...).
import pg from "pg";
import { env } from "@/lib/env";
import type { Prisma } from "./client";

export type Sql = { query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> };

export function sqlFromPrisma(tx: Prisma.TransactionClient): Sql {
  return { query: <T>(text: string, params: unknown[] = []) => tx.$queryRawUnsafe<T[]>(text, ...params) };
}

export function sqlFromPg(client: pg.PoolClient | pg.Client): Sql {
  return { query: async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[] };
}

const globalForPool = globalThis as unknown as { vitrinePool?: pg.Pool };

/** The process-wide `pg` pool for DATABASE_URL (beside Prisma's own), for set-based hot paths. */
export function pool(): pg.Pool {
  if (!globalForPool.vitrinePool) {
    const e = env();
    if (!e.DATABASE_URL) throw new Error("DATABASE_URL is not set");
    globalForPool.vitrinePool = new pg.Pool({
      connectionString: e.DATABASE_URL,
      max: e.VITRINE_DB_POOL_MAX,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection (Postgres restarted) must not crash the process.
    globalForPool.vitrinePool.on("error", () => {});
  }
  return globalForPool.vitrinePool;
}

/** Replaces the pool (tests, CLI), closing the old one. */
export async function setPool(next: pg.Pool | undefined): Promise<void> {
  next?.on("error", () => {});
  const old = globalForPool.vitrinePool;
  globalForPool.vitrinePool = next;
  if (old && old !== next) await old.end().catch(() => {});
}

/** Runs `fn` in a transaction on a pooled connection; rolls back on any error. */
export async function withTransaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const result = await fn(sqlFromPg(client));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

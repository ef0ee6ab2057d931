// A minimal SQL interface for the hot paths (ingestion, ledger appends, token checks), written
// once and run on a `pg` connection or inside a Prisma transaction. Parameters are $1, $2, ...
import type pg from "pg";
import { db, type Prisma, poolOf } from "./client";

export type Sql = { query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> };

export function sqlFromPrisma(tx: Prisma.TransactionClient): Sql {
  return { query: <T>(text: string, params: unknown[] = []) => tx.$queryRawUnsafe<T[]>(text, ...params) };
}

export function sqlFromPg(client: pg.PoolClient | pg.Client): Sql {
  return { query: async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[] };
}

/** The process-wide pool: the one behind db(). */
export function pool(): pg.Pool {
  return poolOf(db());
}

/** Statements on the process-wide pool, each on whichever connection is free (no transaction). */
export function sqlFromPool(): Sql {
  return { query: async <T>(text: string, params: unknown[] = []) => (await pool().query(text, params)).rows as T[] };
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

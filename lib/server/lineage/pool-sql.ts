import "server-only";
import { pool, type Sql } from "@/lib/db/sql";

/** Reads outside a transaction: each query takes any free connection of the process-wide pool. */
export function poolSql(): Sql {
  const p = pool();
  return { query: async <T>(text: string, params: unknown[] = []) => (await p.query(text, params)).rows as T[] };
}

// The evidence tables partitioned by month (ledger_entries on created_at, document_bodies on
// received_at; docs/architecture.md "Partitioning"): their monthly partitions are created ahead of
// time by the database function vitrine_ensure_partitions (the monthly_partitions migration), which
// `vitrine migrate` and a background duty on every instance call. A DEFAULT partition takes any row
// no month covers, so an insert never fails for want of a partition.
import type pg from "pg";

/** Months kept ready beyond the current one. */
export const PARTITION_MONTHS_AHEAD = 3;

export const PARTITIONED_TABLES = ["ledger_entries", "document_bodies"] as const;

// Creating a partition locks its parent table: rather than queue every reader behind a long
// transaction, give up and try again at the next run (the DEFAULT partition covers the meantime).
const LOCK_TIMEOUT = "5s";

/** The first instant (UTC) of the month `months` after the one holding `at`. */
export function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

/** The name of a table's partition for the month holding `at`, e.g. ledger_entries_p202611. */
export function partitionName(table: (typeof PARTITIONED_TABLES)[number], at: Date): string {
  return `${table}_p${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * Creates every missing monthly partition from the month holding `now` through `monthsAhead` months
 * after it, in one transaction, and returns the names it created (none when they all exist).
 * Idempotent and safe on several instances at once: the database function serialises callers with
 * an advisory lock and leaves existing partitions alone.
 */
export async function ensurePartitions(
  client: pg.Client | pg.PoolClient,
  options: { now?: Date; monthsAhead?: number } = {},
): Promise<string[]> {
  const now = options.now ?? new Date();
  const through = monthStart(now, options.monthsAhead ?? PARTITION_MONTHS_AHEAD);
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    const { rows } = await client.query<{ name: string }>("SELECT vitrine_ensure_partitions($1::timestamptz, $2::timestamptz) AS name", [
      now.toISOString(),
      through.toISOString(),
    ]);
    await client.query("COMMIT");
    return rows.map((r) => r.name);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** ensurePartitions on a connection of `pool` (the background duty). */
export async function ensurePartitionsOnPool(pool: pg.Pool, options: { now?: Date; monthsAhead?: number } = {}): Promise<string[]> {
  const client = await pool.connect();
  try {
    return await ensurePartitions(client, options);
  } finally {
    client.release();
  }
}

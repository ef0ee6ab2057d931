import "server-only";
import { db } from "@/lib/db/client";
import { pool } from "@/lib/db/sql";

export type RateLimitResult = { allowed: boolean; count: number; retryAfterSeconds: number };

/**
 * Fixed-window counter in Postgres, shared by every app instance. Counts the attempt and says
 * whether it is within `limit` for the window that contains `now`.
 */
export async function consumeRateLimit(options: {
  key: string;
  limit: number;
  windowSeconds: number;
  now: Date;
}): Promise<RateLimitResult> {
  const windowMs = options.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(options.now.getTime() / windowMs) * windowMs);
  const { rows } = await pool().query<{ count: number }>(
    `INSERT INTO rate_limit_buckets (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_buckets.count + 1
     RETURNING count`,
    [options.key, windowStart],
  );
  const count = Number(rows[0]?.count ?? 1);
  const retryAfterSeconds = Math.ceil((windowStart.getTime() + windowMs - options.now.getTime()) / 1000);
  return { allowed: count <= options.limit, count, retryAfterSeconds };
}

/** Clears a key's current window (after a successful sign-in). */
export async function resetRateLimit(options: { key: string }): Promise<void> {
  await db().rateLimitBucket.deleteMany({ where: { key: options.key } });
}

/** Drops windows that ended long ago; called opportunistically. */
export async function pruneRateLimits(options: { before: Date }): Promise<number> {
  const { count } = await db().rateLimitBucket.deleteMany({ where: { windowStart: { lt: options.before } } });
  return count;
}

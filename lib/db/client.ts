// The database: one `pg` pool per process, shared by Prisma (through @prisma/adapter-pg) and the
// raw-SQL hot paths (lib/db/sql.ts). Only lib/server and lib/db import it (see STYLE.md).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/lib/env";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;
export type { Prisma } from "./generated/client";

// On globalThis, not per module: Next.js bundles this module more than once (instrumentation,
// routes), and a client made by one copy must be found by the others.
const globalForPools = globalThis as unknown as { vitrinePools?: WeakMap<Db, pg.Pool> };
globalForPools.vitrinePools ??= new WeakMap<Db, pg.Pool>();
const pools = globalForPools.vitrinePools;

/**
 * A client and its pool. Embedded PGlite runs a single backend session, which the socket server
 * shares between connections without keeping their extended-protocol messages apart: use
 * poolMax 1 there (the launcher and the tests do), so one process never interleaves two queries.
 */
export function createDb(options: { url: string; poolMax?: number }): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection lost (Postgres restarted) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  pools.set(client, pool);
  return client;
}

/** The pool behind a client. */
export function poolOf(client: Db): pg.Pool {
  const pool = pools.get(client);
  if (!pool) throw new Error("this client was not made by createDb");
  return pool;
}

/** Disconnects a client and ends its pool. */
export async function closeDb(client: Db): Promise<void> {
  await client.$disconnect().catch(() => {});
  await pools
    .get(client)
    ?.end()
    .catch(() => {});
}

const globalForDb = globalThis as unknown as { vitrineDb?: Db };

/** The process-wide client for DATABASE_URL (the launcher points it at embedded PGlite when unset). */
export function db(): Db {
  if (!globalForDb.vitrineDb) {
    const e = env();
    if (!e.DATABASE_URL) {
      throw new Error("DATABASE_URL is not set: start Vitrine with `npm start`, which provides embedded Postgres");
    }
    globalForDb.vitrineDb = createDb({ url: e.DATABASE_URL, poolMax: e.VITRINE_DB_POOL_MAX });
  }
  return globalForDb.vitrineDb;
}

/** Replaces the process-wide client (tests, CLI). */
export function setDb(client: Db | undefined): void {
  globalForDb.vitrineDb = client;
}

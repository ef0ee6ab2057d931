// The Prisma client singleton. Only lib/server and lib/db import it (see STYLE.md).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/lib/env";
import { PrismaClient } from "./generated/client";
import { setPool } from "./sql";

export type Db = PrismaClient;
export type { Prisma } from "./generated/client";

const connections = new WeakMap<Db, { url: string; poolMax: number }>();

export function createDb(options: { url: string; poolMax?: number }): Db {
  const client = createPrisma(options);
  connections.set(client, { url: options.url, poolMax: options.poolMax ?? 10 });
  return client;
}

function createPrisma(options: { url: string; poolMax?: number }): Db {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
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

/** Replaces the process-wide client (tests, CLI), and the `pg` pool beside it, on the same database. */
export function setDb(client: Db | undefined): void {
  globalForDb.vitrineDb = client;
  const conn = client ? connections.get(client) : undefined;
  void setPool(conn ? new pg.Pool({ connectionString: conn.url, max: conn.poolMax }) : undefined);
}

// Embedded Postgres (PGlite) served over the Postgres wire protocol on loopback, so the app
// reaches it through the same `pg` + @prisma/adapter-pg code path as a real server.
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export type EmbeddedPostgres = {
  url: string;
  port: number;
  stop: () => Promise<void>;
};

async function findFreePort(host: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts PGlite on `dataDir` ("memory://" for a throw-away database) and serves it on 127.0.0.1. */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number }): Promise<EmbeddedPostgres> {
  const host = "127.0.0.1";
  if (!options.dataDir.startsWith("memory://")) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const port = options.port && options.port > 0 ? options.port : await findFreePort(host);
  const server = new PGLiteSocketServer({ db, host, port, maxConnections: 100 });
  await server.start();
  let stopped = false;
  return {
    url: `postgresql://postgres@${host}:${port}/postgres?sslmode=disable`,
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}

// Integration tests get a fresh, migrated database: a new database on the server in DATABASE_URL,
// or (when it is unset, or VITRINE_TEST_DB=embedded) an in-memory embedded PGlite.
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: "postgres" | "embedded";
  }
}

export default async function setup(project: TestProject) {
  // Test receivers listen on 127.0.0.1, which notifications refuse by default (SSRF guard, docs/notifications.md):
  // name that host alone as allowed, for the test processes and the app servers they start.
  process.env.VITRINE_NOTIFY_ALLOWED_HOSTS ??= "127.0.0.1";
  const base = process.env.VITRINE_TEST_DB === "embedded" ? undefined : process.env.DATABASE_URL;
  let url: string;
  let teardown: () => Promise<void>;
  if (base) {
    const name = `vitrine_test_${Date.now()}_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    url = u.toString();
    teardown = async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  } else {
    const embedded = await startEmbeddedPostgres({ dataDir: "memory://" });
    url = embedded.url;
    teardown = embedded.stop;
  }
  await migrate({ url });
  project.provide("databaseUrl", url);
  project.provide("databaseKind", base ? "postgres" : "embedded");
  process.stdout.write(`integration tests on ${base ? "Postgres" : "embedded PGlite"}\n`);
  return teardown;
}

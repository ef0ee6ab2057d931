// An empty database of the kind the run uses, for tests that must start before any migration.
import { randomBytes } from "node:crypto";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { databaseKind, databaseUrl, withPg } from "./db";

export type FreshDatabase = { url: string; drop: () => Promise<void> };

export async function createFreshDatabase(): Promise<FreshDatabase> {
  if (databaseKind() === "embedded") {
    const embedded = await startEmbeddedPostgres({ dataDir: "memory://" });
    return { url: embedded.url, drop: embedded.stop };
  }
  const name = `vitrine_fresh_${randomBytes(6).toString("hex")}`;
  await withPg((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withPg((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

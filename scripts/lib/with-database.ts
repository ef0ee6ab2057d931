// Gives a CLI command a database: DATABASE_URL, else the embedded one a running `npm start` serves,
// else the embedded database opened by this process for the duration of the command.
import { closeDb, createDb, setDb } from "@/lib/db/client";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { pgDataDir, readEmbeddedState } from "@/lib/db/embedded-state";
import { migrate } from "@/lib/db/migrate";
import { env } from "@/lib/env";

export async function withDatabase(options: { migrate: boolean }, fn: (ctx: { url: string }) => Promise<number>): Promise<number> {
  const e = env();
  let url = e.DATABASE_URL ?? readEmbeddedState(e.VITRINE_DATA_DIR)?.url ?? null;
  let stop: (() => Promise<void>) | null = null;
  if (!url) {
    const embedded = await startEmbeddedPostgres({ dataDir: pgDataDir(e.VITRINE_DATA_DIR) });
    url = embedded.url;
    stop = embedded.stop;
  }
  const client = createDb({ url, poolMax: e.DATABASE_URL ? 2 : 1 });
  setDb(client);
  try {
    if (options.migrate) await migrate({ url });
    return await fn({ url });
  } finally {
    await closeDb(client);
    setDb(undefined);
    if (stop) await stop();
  }
}

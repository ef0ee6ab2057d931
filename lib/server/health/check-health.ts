import "server-only";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";

export async function checkHealth(): Promise<{ ok: boolean; database: { ok: boolean; latencyMs: number; error?: string } }> {
  const started = performance.now();
  try {
    await Promise.race([
      db().$queryRaw`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out after 3 s")), 3000)),
    ]);
    return { ok: true, database: { ok: true, latencyMs: Math.round(performance.now() - started) } };
  } catch (error) {
    log.warn("health check: database unreachable", { error });
    // A public route: say what is wrong, not where the database lives.
    return { ok: false, database: { ok: false, latencyMs: Math.round(performance.now() - started), error: "the database is unreachable" } };
  }
}

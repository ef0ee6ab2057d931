import "server-only";
import { type Sql, sqlFromPool } from "@/lib/db/sql";

/** The environments the compliance view can show: every environment Vitrine has seen (not deleted), by name. */
export async function listComplianceEnvironments(options: { sql?: Sql } = {}): Promise<string[]> {
  const sql = options.sql ?? sqlFromPool();
  const rows = await sql.query<{ name: string }>(`SELECT name FROM environments WHERE deleted_at IS NULL ORDER BY name LIMIT 1000`);
  return rows.map((r) => r.name);
}

/** The environment shown when none is asked for: prod or production when there is one, else the first. */
export function defaultEnvironment(names: string[]): string | null {
  return names.find((n) => n === "prod") ?? names.find((n) => n === "production") ?? names[0] ?? null;
}

import "server-only";
import type { Sql } from "@/lib/db/sql";
import { poolSql } from "@/lib/server/lineage/pool-sql";

/** The rules and environments that alerts exist for (the queue's filter menus), each sorted. */
export async function listAlertFacets(options: { sql?: Sql } = {}): Promise<{ rules: string[]; environments: string[] }> {
  const sql = options.sql ?? poolSql();
  const [rules, environments] = await Promise.all([
    sql.query<{ rule: string }>("SELECT DISTINCT rule FROM alerts ORDER BY rule LIMIT 200"),
    sql.query<{ environment: string }>(
      "SELECT DISTINCT environment FROM alerts WHERE environment IS NOT NULL ORDER BY environment LIMIT 200",
    ),
  ]);
  return { rules: rules.map((r) => r.rule), environments: environments.map((e) => e.environment) };
}

import "server-only";
import { db } from "@/lib/db/client";

/** The names of every environment Vitrine knows (for filters and pickers), alphabetical. */
export async function listEnvironmentNames(): Promise<string[]> {
  const rows = await db().environment.findMany({ where: { deletedAt: null }, select: { name: true }, orderBy: { name: "asc" }, take: 500 });
  return rows.map((r) => r.name);
}

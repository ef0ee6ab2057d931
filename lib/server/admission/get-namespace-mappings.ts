import "server-only";
import { db } from "@/lib/db/client";
import { NAMESPACES_SETTING, type NamespaceMappingsAnswer, ZNamespaceMappings } from "./schemas";

/** The namespace -> environment mapping (empty: every namespace is the environment of the same name). */
export async function getNamespaceMappings(): Promise<NamespaceMappingsAnswer> {
  const row = await db().setting.findUnique({ where: { key: NAMESPACES_SETTING } });
  const parsed = ZNamespaceMappings.safeParse(row?.value ?? {});
  return { namespaces: parsed.success ? parsed.data : {}, updatedAt: row ? row.updatedAt.toISOString() : null };
}

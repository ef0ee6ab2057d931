import "server-only";
import { db } from "@/lib/db/client";

/**
 * A trusted key or identity by its name (names are unique per kind): signatures record the entry
 * they count for by name (`trustedAs`). The preferred kind is looked up first.
 */
export async function findTrustEntryByName(options: {
  name: string;
  prefer: "keys" | "identities";
}): Promise<{ kind: "keys" | "identities"; id: string } | null> {
  const lookups = {
    keys: () => db().trustedKey.findUnique({ where: { name: options.name }, select: { id: true } }),
    identities: () => db().trustedIdentity.findUnique({ where: { name: options.name }, select: { id: true } }),
  };
  const order: Array<"keys" | "identities"> = options.prefer === "keys" ? ["keys", "identities"] : ["identities", "keys"];
  for (const kind of order) {
    const row = await lookups[kind]();
    if (row) return { kind, id: row.id };
  }
  return null;
}

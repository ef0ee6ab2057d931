import "server-only";
import { db } from "@/lib/db/client";

export async function getDocument(options: { id: string }) {
  return db().document.findUnique({ where: { id: options.id } });
}

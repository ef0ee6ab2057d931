import "server-only";
import { db } from "@/lib/db/client";

/** A stored document with its bytes (`content` is null when its month of bodies was archived and detached). */
export async function getDocument(options: { id: string }) {
  return db().document.findUnique({ where: { id: options.id }, include: { content: { select: { body: true } } } });
}

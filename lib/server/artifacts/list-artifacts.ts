import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import { db, type Prisma } from "@/lib/db/client";

export const ZListArtifactsQuery = z.object({
  q: z.string().trim().max(200, "at most 200 characters").optional(),
  cursor: z.string().max(200).optional(),
  limit: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(1).max(200)).optional(),
});
export type TListArtifactsQuery = z.infer<typeof ZListArtifactsQuery>;

export type ArtifactListItem = {
  digest: string;
  kind: string;
  names: string[];
  tags: string[];
  firstSeenAt: string;
  isDemo: boolean;
};

// Cursor = base64url("<firstSeenAt ISO>|<id>"), newest first; stable under concurrent inserts.
function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}
function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(iso ?? "");
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(at.getTime())) {
    throw new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: "$.query.cursor", message: "not a cursor from a previous page" }],
    });
  }
  return { at, id };
}

export async function listArtifacts(options: { q?: string; cursor?: string; limit?: number }) {
  const limit = options.limit ?? 50;
  const where: Prisma.ArtifactWhereInput[] = [];
  const q = options.q?.trim();
  if (q) {
    const lower = q.toLowerCase();
    where.push({
      OR: [
        { digest: { startsWith: lower } },
        { digest: { startsWith: `sha256:${lower}` } },
        { names: { some: { name: { contains: q, mode: "insensitive" } } } },
        { tagHistory: { some: { tag: { reference: { contains: q, mode: "insensitive" } } } } },
      ],
    });
  }
  if (options.cursor) {
    const c = decodeCursor(options.cursor);
    where.push({ OR: [{ firstSeenAt: { lt: c.at } }, { firstSeenAt: c.at, id: { lt: c.id } }] });
  }
  const rows = await db().artifact.findMany({
    where: { AND: where },
    orderBy: [{ firstSeenAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: {
      names: { select: { name: true }, orderBy: { firstSeenAt: "asc" }, take: 5 },
      tagHistory: { where: { validTo: null }, select: { tag: { select: { name: true } } }, take: 10 },
    },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const items: ArtifactListItem[] = page.map((a) => ({
    digest: a.digest,
    kind: a.kind,
    names: a.names.map((n) => n.name),
    tags: a.tagHistory.map((t) => t.tag.name),
    firstSeenAt: a.firstSeenAt.toISOString(),
    isDemo: a.isDemo,
  }));
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.firstSeenAt, last.id) : null };
}

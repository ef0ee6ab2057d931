import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import { db, type Prisma } from "@/lib/db/client";
import { decodeTimeCursor } from "@/lib/domain/time-cursor";

const isoDate = z
  .string()
  .trim()
  .max(40)
  .refine((v) => !Number.isNaN(new Date(v).getTime()) && /^\d{4}-\d{2}-\d{2}/.test(v), "must be a date (YYYY-MM-DD) or an ISO 8601 time")
  // Postgres reads years 1-9999 (0000-01-01 answered 500).
  .refine((v) => new Date(v).getUTCFullYear() >= 1 && new Date(v).getUTCFullYear() <= 9999, "must be between the years 0001 and 9999");

export const SIGNED_FILTERS = ["true", "false", "verified", "unverified"] as const;

export const ZListArtifactsQuery = z
  .object({
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    /** true: any signature; false: none; verified: a verified one; unverified: signed, none verified. */
    signed: z.enum(SIGNED_FILTERS, { error: "must be true, false, verified or unverified" }).optional(),
    /** Running now in this environment. */
    environment: z.string().trim().min(1).max(100).optional(),
    /** An exact repository name (registry/repository). */
    repository: z.string().trim().min(1).max(300).optional(),
    /** Built by this builder id (exact). */
    builder: z.string().trim().min(1).max(500).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    sort: z.enum(["newest", "oldest"], { error: "must be newest or oldest" }).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(1).max(200)).optional(),
  })
  .refine((v) => !v.from || !v.to || new Date(v.from) < new Date(v.to), { path: ["to"], message: "must be after from" });
export type TListArtifactsQuery = z.infer<typeof ZListArtifactsQuery>;

export type ArtifactListItem = {
  digest: string;
  kind: string;
  names: string[];
  tags: string[];
  firstSeenAt: string;
  isDemo: boolean;
  /** Vitrine's verdicts of its signatures (at most 20), for a summary. */
  verdicts: Array<string | null>;
};

// Cursor = base64url("<firstSeenAt ISO>|<id>"), newest first; stable under concurrent inserts.
function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}
function decodeCursor(cursor: string): { at: Date; id: string } {
  // Strict (lib/domain/time-cursor): Node's base64url decoder skips characters outside the alphabet, so a lenient
  // decode would take a mangled cursor for one it wrote.
  const decoded = decodeTimeCursor(cursor);
  if (!decoded) {
    throw new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: "$.query.cursor", message: "not a cursor from a previous page" }],
    });
  }
  return decoded;
}

export async function listArtifacts(options: Omit<TListArtifactsQuery, "limit"> & { limit?: number }) {
  const limit = options.limit ?? 50;
  const oldest = options.sort === "oldest";
  const where: Prisma.ArtifactWhereInput[] = [];
  const q = options.q?.trim();
  if (q) {
    const lower = q.toLowerCase();
    const or: Prisma.ArtifactWhereInput[] = [
      { digest: { startsWith: lower } },
      { digest: { startsWith: `sha256:${lower}` } },
      { names: { some: { name: { contains: q, mode: "insensitive" } } } },
      { tagHistory: { some: { tag: { reference: { contains: q, mode: "insensitive" } } } } },
    ];
    // A commit (7 to 64 hex): artefacts built from it.
    if (/^[0-9a-f]{7,64}$/.test(lower)) {
      or.push({ buildLinks: { some: { role: "output", build: { sources: { some: { source: { commit: { startsWith: lower } } } } } } } });
    }
    where.push({ OR: or });
  }
  if (options.signed === "true") where.push({ signatures: { some: {} } });
  if (options.signed === "false") where.push({ signatures: { none: {} } });
  if (options.signed === "verified") where.push({ signatures: { some: { verdict: "verified" } } });
  if (options.signed === "unverified") where.push({ signatures: { some: {}, none: { verdict: "verified" } } });
  if (options.environment) where.push({ deployments: { some: { endedAt: null, environment: { name: options.environment } } } });
  if (options.repository) where.push({ names: { some: { name: options.repository } } });
  if (options.builder) where.push({ buildLinks: { some: { role: "output", build: { builderId: options.builder } } } });
  if (options.from) where.push({ firstSeenAt: { gte: new Date(options.from) } });
  if (options.to) where.push({ firstSeenAt: { lt: new Date(options.to) } });
  if (options.cursor) {
    const c = decodeCursor(options.cursor);
    where.push(
      oldest
        ? { OR: [{ firstSeenAt: { gt: c.at } }, { firstSeenAt: c.at, id: { gt: c.id } }] }
        : { OR: [{ firstSeenAt: { lt: c.at } }, { firstSeenAt: c.at, id: { lt: c.id } }] },
    );
  }
  const direction = oldest ? "asc" : "desc";
  const rows = await db().artifact.findMany({
    where: { AND: where },
    orderBy: [{ firstSeenAt: direction }, { id: direction }],
    take: limit + 1,
    include: {
      names: { select: { name: true }, orderBy: { firstSeenAt: "asc" }, take: 5 },
      tagHistory: { where: { validTo: null }, select: { tag: { select: { name: true } } }, take: 10 },
      signatures: { select: { verdict: true }, take: 20 },
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
    verdicts: a.signatures.map((s) => s.verdict),
  }));
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.firstSeenAt, last.id) : null };
}

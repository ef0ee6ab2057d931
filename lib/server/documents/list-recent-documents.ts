import "server-only";
import { db } from "@/lib/db/client";

export type RecentDocument = {
  id: string;
  route: string;
  format: string;
  eventType: string | null;
  sizeBytes: number;
  sha256: string;
  receivedAt: string;
  token: { id: string; name: string } | null;
};

/** The newest documents, optionally for one token; cursor is the last id of the previous page. */
export async function listRecentDocuments(options: { tokenId?: string; limit: number }) {
  const rows = await db().document.findMany({
    where: options.tokenId ? { tokenId: options.tokenId } : {},
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: options.limit,
    select: {
      id: true,
      route: true,
      format: true,
      eventType: true,
      sizeBytes: true,
      sha256: true,
      receivedAt: true,
      token: { select: { id: true, name: true } },
    },
  });
  return rows.map(
    (r): RecentDocument => ({
      id: r.id,
      route: r.route,
      format: r.format,
      eventType: r.eventType,
      sizeBytes: r.sizeBytes,
      sha256: r.sha256,
      receivedAt: r.receivedAt.toISOString(),
      token: r.token,
    }),
  );
}

/** Documents received per token over the last day, for the ingestion overview. */
export async function countDocumentsPerToken(options: { since: Date }) {
  const rows = await db().document.groupBy({ by: ["tokenId"], where: { receivedAt: { gte: options.since } }, _count: { _all: true } });
  const tokens = await db().apiToken.findMany({
    where: { id: { in: rows.map((r) => r.tokenId).filter((t): t is string => t !== null) } },
    select: { id: true, name: true },
  });
  const names = new Map(tokens.map((t) => [t.id, t.name]));
  return rows
    .map((r) => ({
      tokenId: r.tokenId,
      name: r.tokenId ? (names.get(r.tokenId) ?? "deleted token") : "no token (seed or system)",
      count: r._count._all,
    }))
    .sort((a, b) => b.count - a.count);
}

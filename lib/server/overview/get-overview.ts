import "server-only";
import { db } from "@/lib/db/client";

export type Overview = {
  artifacts: number;
  tags: number;
  documents: number;
  documentsLast24h: number;
  ledgerEntries: number;
  activeTokens: number;
  users: number;
  latestArtifacts: Array<{ digest: string; name: string | null; firstSeenAt: string }>;
  hasDemoData: boolean;
};

export async function getOverview(options: { now: Date }): Promise<Overview> {
  const client = db();
  const since = new Date(options.now.getTime() - 86_400_000);
  const [artifacts, tags, documents, documentsLast24h, ledgerEntries, activeTokens, users, latest, demo] = await Promise.all([
    client.artifact.count(),
    client.tag.count(),
    client.document.count(),
    client.document.count({ where: { receivedAt: { gte: since } } }),
    client.ledgerEntry.count(),
    client.apiToken.count({ where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: options.now } }] } }),
    client.user.count({ where: { disabledAt: null } }),
    client.artifact.findMany({
      orderBy: [{ firstSeenAt: "desc" }, { id: "desc" }],
      take: 5,
      include: { names: { select: { name: true }, take: 1, orderBy: { firstSeenAt: "asc" } } },
    }),
    client.artifact.findFirst({ where: { isDemo: true }, select: { id: true } }),
  ]);
  return {
    artifacts,
    tags,
    documents,
    documentsLast24h,
    ledgerEntries,
    activeTokens,
    users,
    latestArtifacts: latest.map((a) => ({ digest: a.digest, name: a.names[0]?.name ?? null, firstSeenAt: a.firstSeenAt.toISOString() })),
    hasDemoData: demo !== null,
  };
}

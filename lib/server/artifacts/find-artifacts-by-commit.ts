import "server-only";
import { db } from "@/lib/db/client";
import type { ArtifactListItem } from "./list-artifacts";

/** A git commit SHA or an unambiguous-looking prefix of one (7 to 64 lowercase hex characters). */
export function isCommitLike(text: string): boolean {
  return /^[0-9a-f]{7,64}$/.test(text);
}

/**
 * Artefacts built from a source commit (the commit, or a prefix of at least 7 characters), newest
 * first: what the lineage search offers for a commit SHA. listArtifacts' `q` does not match
 * commits yet (DESIGN.md says it should); this is the lineage page's stop-gap until it does.
 */
export async function findArtifactsByCommit(options: { commit: string; limit?: number }): Promise<ArtifactListItem[]> {
  const commit = options.commit.trim().toLowerCase();
  if (!isCommitLike(commit)) return [];
  const rows = await db().artifact.findMany({
    where: { buildLinks: { some: { role: "output", build: { sources: { some: { source: { commit: { startsWith: commit } } } } } } } },
    orderBy: [{ firstSeenAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 25,
    include: {
      names: { select: { name: true }, orderBy: { firstSeenAt: "asc" }, take: 5 },
      tagHistory: { where: { validTo: null }, select: { tag: { select: { name: true } } }, take: 10 },
    },
  });
  return rows.map((a) => ({
    digest: a.digest,
    kind: a.kind,
    names: a.names.map((n) => n.name),
    tags: a.tagHistory.map((t) => t.tag.name),
    firstSeenAt: a.firstSeenAt.toISOString(),
    isDemo: a.isDemo,
  }));
}

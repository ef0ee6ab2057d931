import "server-only";
import type { Prisma } from "@/lib/db/client";
import type { DomainEvent } from "@/lib/domain/events";

/** Applies one normalised event to the domain tables, inside the ingesting transaction. */
export async function applyDomainEvent(
  tx: Prisma.TransactionClient,
  options: { event: DomainEvent; documentId: string; now: Date },
): Promise<{ artifactDigest: string | null }> {
  const { event } = options;
  switch (event.type) {
    case "artifact.published": {
      if (!event.digest) return { artifactDigest: null };
      const artifact = await tx.artifact.upsert({
        where: { digest: event.digest },
        create: {
          digest: event.digest,
          kind: event.purl.startsWith("pkg:oci/") ? "oci_image" : "package",
          firstSeenAt: options.now,
          lastSeenAt: options.now,
        },
        update: { lastSeenAt: options.now },
      });
      await tx.artifactName.upsert({
        where: { artifactId_name: { artifactId: artifact.id, name: event.repository } },
        create: { artifactId: artifact.id, name: event.repository, purl: event.purl, firstSeenAt: options.now },
        update: {},
      });
      if (event.tag)
        await pointTag(tx, {
          repository: event.repository,
          tag: event.tag,
          artifactId: artifact.id,
          digest: event.digest,
          at: event.occurredAt,
          documentId: options.documentId,
        });
      return { artifactDigest: artifact.digest };
    }
  }
}

/** Records that a tag points at a digest from `at`; a different digest closes the previous interval (a move). */
async function pointTag(
  tx: Prisma.TransactionClient,
  options: { repository: string; tag: string; artifactId: string; digest: string; at: Date; documentId: string },
) {
  const reference = `${options.repository}:${options.tag}`;
  const tag = await tx.tag.upsert({
    where: { reference },
    create: { reference, repository: options.repository, name: options.tag },
    update: {},
  });
  const current = await tx.tagHistory.findFirst({ where: { tagId: tag.id, validTo: null }, orderBy: { validFrom: "desc" } });
  if (current?.digest === options.digest) return;
  if (current) await tx.tagHistory.update({ where: { id: current.id }, data: { validTo: options.at } });
  await tx.tagHistory.create({
    data: { tagId: tag.id, artifactId: options.artifactId, digest: options.digest, validFrom: options.at, documentId: options.documentId },
  });
}

import "server-only";
import type { Prisma } from "@/lib/db/client";
import type { ArtifactKind, ArtifactRef, BuildFinished, DomainEvent, SourceRef } from "@/lib/domain/events";

type Tx = Prisma.TransactionClient;

export type Applied = {
  /** Digests of the artefacts the event is about (for the ledger entry's subject). */
  artifacts: string[];
  notes: string[];
};

/** Creates the artefact on first sight (by digest) and records the name it was seen under. */
export async function ensureArtifact(
  tx: Tx,
  options: {
    digest: string;
    repository?: string | null;
    raw?: string | null;
    kind?: ArtifactKind;
    mediaType?: string | null;
    sizeBytes?: number | null;
    now: Date;
  },
): Promise<string> {
  const artifact = await tx.artifact.upsert({
    where: { digest: options.digest },
    create: {
      digest: options.digest,
      kind: options.kind ?? "unknown",
      mediaType: options.mediaType ?? null,
      sizeBytes: options.sizeBytes === null || options.sizeBytes === undefined ? null : BigInt(Math.trunc(options.sizeBytes)),
      firstSeenAt: options.now,
      lastSeenAt: options.now,
    },
    update: { lastSeenAt: options.now },
    select: { id: true, kind: true, mediaType: true, sizeBytes: true },
  });
  // Fill in what an earlier, less specific document did not know; never overwrite.
  const fill: Prisma.ArtifactUpdateInput = {};
  if (artifact.kind === "unknown" && options.kind && options.kind !== "unknown") fill.kind = options.kind;
  if (!artifact.mediaType && options.mediaType) fill.mediaType = options.mediaType;
  if (artifact.sizeBytes === null && typeof options.sizeBytes === "number") fill.sizeBytes = BigInt(Math.trunc(options.sizeBytes));
  if (Object.keys(fill).length) await tx.artifact.update({ where: { id: artifact.id }, data: fill });
  if (options.repository) {
    await tx.artifactName.upsert({
      where: { artifactId_name: { artifactId: artifact.id, name: options.repository } },
      create: {
        artifactId: artifact.id,
        name: options.repository,
        purl: options.raw?.startsWith("pkg:") ? options.raw : null,
        firstSeenAt: options.now,
      },
      update: {},
    });
  }
  return artifact.id;
}

async function ensureRef(tx: Tx, ref: ArtifactRef, now: Date, kind?: ArtifactKind): Promise<string | null> {
  if (!ref.digest) return null;
  return ensureArtifact(tx, {
    digest: ref.digest,
    repository: ref.repository,
    raw: ref.raw,
    kind: kind ?? (ref.raw.startsWith("pkg:oci/") ? "oci_image" : undefined),
    now,
  });
}

/** Records that a tag points at a digest from `at`; a different digest closes the previous interval (a move). */
export async function pointTag(
  tx: Tx,
  options: { repository: string; tag: string; artifactId: string; digest: string; at: Date; documentId: string },
): Promise<{ moved: boolean; previousDigest: string | null }> {
  const reference = `${options.repository}:${options.tag}`;
  const tag = await tx.tag.upsert({
    where: { reference },
    create: { reference, repository: options.repository, name: options.tag, createdAt: options.at },
    update: {},
  });
  const current = await tx.tagHistory.findFirst({ where: { tagId: tag.id, validTo: null }, orderBy: { validFrom: "desc" } });
  if (current?.digest === options.digest) return { moved: false, previousDigest: current.digest };
  if (current)
    await tx.tagHistory.update({
      where: { id: current.id },
      data: { validTo: new Date(Math.max(options.at.getTime(), current.validFrom.getTime())) },
    });
  await tx.tagHistory.create({
    data: { tagId: tag.id, artifactId: options.artifactId, digest: options.digest, validFrom: options.at, documentId: options.documentId },
  });
  return { moved: current !== null, previousDigest: current?.digest ?? null };
}

/** The digest a tag pointed at, at a given time (for deployments that name a tag). */
export async function resolveTag(tx: Tx, options: { reference: string; at: Date }): Promise<{ digest: string; artifactId: string } | null> {
  const row = await tx.tagHistory.findFirst({
    where: {
      tag: { reference: options.reference },
      validFrom: { lte: options.at },
      OR: [{ validTo: null }, { validTo: { gt: options.at } }],
    },
    orderBy: { validFrom: "desc" },
    select: { digest: true, artifactId: true },
  });
  return row;
}

async function ensureSource(tx: Tx, source: SourceRef, now: Date): Promise<string> {
  const row = await tx.source.upsert({
    where: { repository_commit: { repository: source.repository, commit: source.commit ?? "" } },
    create: { repository: source.repository, commit: source.commit ?? "", createdAt: now },
    update: {},
    select: { id: true },
  });
  return row.id;
}

async function upsertBuild(tx: Tx, event: BuildFinished, documentId: string, now: Date): Promise<{ buildId: string; artifacts: string[] }> {
  const existing = await tx.build.findUnique({
    where: { builderId_invocationId: { builderId: event.builderId, invocationId: event.invocationId } },
  });
  const build = existing
    ? await tx.build.update({
        where: { id: existing.id },
        data: {
          buildType: existing.buildType ?? event.buildType,
          startedAt: existing.startedAt ?? event.startedAt,
          finishedAt: existing.finishedAt ?? event.finishedAt,
          outcome: event.outcome !== "unknown" ? event.outcome : existing.outcome,
        },
      })
    : await tx.build.create({
        data: {
          builderId: event.builderId,
          invocationId: event.invocationId,
          buildType: event.buildType,
          startedAt: event.startedAt,
          finishedAt: event.finishedAt,
          outcome: event.outcome,
          documentId,
          createdAt: now,
        },
      });
  for (const source of event.sources) {
    const sourceId = await ensureSource(tx, source, now);
    await tx.buildSource.upsert({
      where: { buildId_sourceId: { buildId: build.id, sourceId } },
      create: { buildId: build.id, sourceId },
      update: {},
    });
  }
  const artifacts: string[] = [];
  for (const [role, refs] of [
    ["input", event.inputs],
    ["output", event.outputs],
  ] as const) {
    for (const ref of refs) {
      const artifactId = await ensureRef(tx, ref, now);
      if (!artifactId) continue;
      if (role === "output" && ref.digest) artifacts.push(ref.digest);
      await tx.buildArtifact.upsert({
        where: { buildId_artifactId_role: { buildId: build.id, artifactId, role } },
        create: { buildId: build.id, artifactId, role },
        update: {},
      });
    }
  }
  return { buildId: build.id, artifacts };
}

async function ensureEnvironment(tx: Tx, name: string, now: Date): Promise<string> {
  const env = await tx.environment.upsert({ where: { name }, create: { name, createdAt: now }, update: {}, select: { id: true } });
  return env.id;
}

/** Applies one normalised event to the domain tables, inside the ingesting transaction. */
export async function applyDomainEvent(tx: Tx, options: { event: DomainEvent; documentId: string; now: Date }): Promise<Applied> {
  const { event, documentId, now } = options;
  switch (event.type) {
    case "artifact.packaged":
    case "artifact.published":
    case "artifact.deleted": {
      if (!event.artifact.digest) return { artifacts: [], notes: [] };
      const artifactId = await ensureArtifact(tx, {
        digest: event.artifact.digest,
        repository: event.artifact.repository,
        raw: event.artifact.raw,
        kind: event.kind,
        mediaType: event.mediaType,
        sizeBytes: event.sizeBytes,
        now,
      });
      if (event.type === "artifact.deleted") await tx.artifact.update({ where: { id: artifactId }, data: { deletedAt: event.occurredAt } });
      if (event.source) {
        // A packaged artefact with a known commit: a build of its own with that source.
        await upsertBuild(
          tx,
          {
            type: "build.finished",
            occurredAt: event.occurredAt,
            builderId: "cdevents:artifact.packaged",
            invocationId: `${event.source.repository}@${event.source.commit}:${event.artifact.digest}`,
            buildType: null,
            startedAt: null,
            finishedAt: event.occurredAt,
            outcome: "success",
            sources: [event.source],
            inputs: [],
            outputs: [event.artifact],
          },
          documentId,
          now,
        );
      }
      return { artifacts: [event.artifact.digest], notes: [] };
    }
    case "tag.pushed": {
      const artifactId = await ensureArtifact(tx, {
        digest: event.digest,
        repository: event.repository,
        raw: `${event.repository}:${event.tag}@${event.digest}`,
        mediaType: event.mediaType,
        sizeBytes: event.sizeBytes,
        now,
      });
      const moved = await pointTag(tx, {
        repository: event.repository,
        tag: event.tag,
        artifactId,
        digest: event.digest,
        at: event.occurredAt,
        documentId,
      });
      return {
        artifacts: [event.digest],
        notes: moved.moved ? [`tag ${event.repository}:${event.tag} moved from ${moved.previousDigest} to ${event.digest}`] : [],
      };
    }
    case "tag.deleted": {
      const tag = await tx.tag.findUnique({ where: { reference: `${event.repository}:${event.tag}` } });
      if (tag) await tx.tagHistory.updateMany({ where: { tagId: tag.id, validTo: null }, data: { validTo: event.occurredAt } });
      return { artifacts: [], notes: tag ? [] : ["the tag was not known"] };
    }
    case "source.committed":
      await ensureSource(tx, event.source, now);
      return { artifacts: [], notes: [] };
    case "build.finished": {
      const { artifacts } = await upsertBuild(tx, event, documentId, now);
      return { artifacts, notes: [] };
    }
    case "signature.submitted": {
      const artifactId = await ensureRef(tx, event.artifact, now);
      if (!artifactId || !event.artifact.digest) return { artifacts: [], notes: ["the signature names no digest"] };
      await tx.signature.upsert({
        where: { documentId_artifactId: { documentId, artifactId } },
        create: {
          artifactId,
          documentId,
          format: event.format,
          signerIdentity: event.signerHint.identity ?? null,
          signerIssuer: event.signerHint.issuer ?? null,
          keyHint: event.signerHint.keyHint ?? event.signerHint.keyId ?? null,
          material: event.material as Prisma.InputJsonValue,
          createdAt: now,
        },
        update: {},
      });
      return { artifacts: [event.artifact.digest], notes: [] };
    }
    case "attestation.submitted": {
      let buildId: string | null = null;
      const digests: string[] = [];
      if (event.provenance) buildId = (await upsertBuild(tx, event.provenance, documentId, now)).buildId;
      const attestation = await tx.attestation.create({
        data: {
          documentId,
          envelope: event.envelope,
          statementType: event.statementType,
          predicateType: event.predicateType,
          buildId,
          material: event.material as Prisma.InputJsonValue,
          createdAt: now,
        },
      });
      for (const subject of event.subjects) {
        const artifactId = await ensureArtifact(tx, { digest: subject.digest, now });
        await tx.attestationSubject.upsert({
          where: { attestationId_digest: { attestationId: attestation.id, digest: subject.digest } },
          create: { attestationId: attestation.id, digest: subject.digest, name: subject.name, artifactId },
          update: {},
        });
        digests.push(subject.digest);
      }
      return { artifacts: digests, notes: [] };
    }
    case "verification.claimed": {
      const artifactId = event.artifact ? await ensureRef(tx, event.artifact, now) : null;
      await tx.verificationClaim.create({
        data: {
          documentId,
          verifier: event.verifier,
          artifactId,
          reference: event.reference,
          result: event.result,
          policy: event.policy,
          rule: event.rule,
          message: event.message,
          environment: event.environment,
          namespace: event.namespace,
          identity: event.identity ?? null,
          issuer: event.issuer ?? null,
          occurredAt: event.occurredAt,
          createdAt: now,
        },
      });
      return { artifacts: event.artifact?.digest ? [event.artifact.digest] : [], notes: [] };
    }
    case "deployment.started":
    case "deployment.upgraded":
    case "deployment.rolledback":
    case "deployment.removed": {
      const environmentId = await ensureEnvironment(tx, event.environment, now);
      const where = { environmentId, workload: event.workload, cluster: event.cluster, namespace: event.namespace, endedAt: null };
      if (event.type === "deployment.removed") {
        const { count } = await tx.deployment.updateMany({ where, data: { endedAt: event.occurredAt, status: "removed" } });
        return { artifacts: [], notes: count ? [] : ["no running deployment of this workload was known"] };
      }
      let artifactId: string | null = null;
      let resolvedDigest: string | null = null;
      const tagReference = event.artifact?.tag && event.artifact.repository ? `${event.artifact.repository}:${event.artifact.tag}` : null;
      const notes: string[] = [];
      if (event.artifact?.digest) {
        artifactId = await ensureRef(tx, event.artifact, now);
        resolvedDigest = event.artifact.digest;
      } else if (tagReference) {
        const resolved = await resolveTag(tx, { reference: tagReference, at: event.occurredAt });
        if (resolved) {
          artifactId = resolved.artifactId;
          resolvedDigest = resolved.digest;
          notes.push(`tag ${tagReference} resolved to ${resolved.digest}`);
        } else {
          notes.push(`tag ${tagReference} could not be resolved to a digest`);
        }
      }
      await tx.deployment.updateMany({ where, data: { endedAt: event.occurredAt, status: "replaced" } });
      await tx.deployment.create({
        data: {
          environmentId,
          cluster: event.cluster,
          namespace: event.namespace,
          workload: event.workload,
          artifactId,
          reference: event.artifact?.raw ?? null,
          pinned: Boolean(event.artifact?.digest),
          tagReference,
          resolvedDigest,
          status: "running",
          startedAt: event.occurredAt,
          documentId,
          createdAt: now,
        },
      });
      return { artifacts: resolvedDigest ? [resolvedDigest] : [], notes };
    }
    case "environment.created":
    case "environment.modified":
    case "environment.deleted": {
      await tx.environment.upsert({
        where: { name: event.name },
        create: {
          name: event.name,
          uri: event.uri,
          createdAt: now,
          deletedAt: event.type === "environment.deleted" ? event.occurredAt : null,
        },
        update: event.type === "environment.deleted" ? { deletedAt: event.occurredAt } : { uri: event.uri ?? undefined, deletedAt: null },
      });
      return { artifacts: [], notes: [] };
    }
  }
}

import "server-only";
import type { Sql } from "@/lib/db/sql";
import type {
  ArtifactKind,
  AttestationSubmitted,
  BuildFinished,
  DeploymentChanged,
  DomainEvent,
  SourceRef,
  TagDeleted,
  TagPushed,
} from "@/lib/domain/events";
import { parseImageReference } from "@/lib/ingest/image-reference";
import { enqueueArtifactsChanged } from "@/lib/server/jobs/queue";
import { uuidv7 } from "./uuid";

// Applies the domain events of a whole batch with a handful of set-based statements instead of
// several queries per event: artefacts, names, tags and their history, builds, environments and
// deployments. Order within a batch is kept where it matters (a tag's moves, a workload's
// deployments). Rarer event types (signatures, attestations, claims, ...) follow one by one.

export type BatchEvent = { documentId: string; event: DomainEvent };
export type BatchApplied = Map<string, { artifacts: string[]; notes: string[] }>;
type ResultOf = (documentId: string) => { artifacts: string[]; notes: string[] };

type ArtifactWant = {
  digest: string;
  kind: ArtifactKind;
  mediaType: string | null;
  sizeBytes: number | null;
  names: Map<string, string | null>;
};

function wantArtifact(
  wants: Map<string, ArtifactWant>,
  ref: { digest: string | null; repository?: string | null; raw?: string | null },
  extra: { kind?: ArtifactKind; mediaType?: string | null; sizeBytes?: number | null } = {},
) {
  if (!ref.digest) return;
  let w = wants.get(ref.digest);
  if (!w) {
    w = { digest: ref.digest, kind: "unknown", mediaType: null, sizeBytes: null, names: new Map() };
    wants.set(ref.digest, w);
  }
  const kind = extra.kind && extra.kind !== "unknown" ? extra.kind : ref.raw?.startsWith("pkg:oci/") ? "oci_image" : "unknown";
  if (w.kind === "unknown") w.kind = kind;
  w.mediaType ??= extra.mediaType ?? null;
  w.sizeBytes ??= extra.sizeBytes ?? null;
  if (ref.repository && !w.names.has(ref.repository)) w.names.set(ref.repository, ref.raw?.startsWith("pkg:") ? ref.raw : null);
}

/**
 * The name an in-toto subject gives its artefact: an image reference without its tag or digest
 * (`ghcr.io/acme/app:1.0` -> `ghcr.io/acme/app`), otherwise the name as given (`app_linux_amd64.tar.gz`).
 */
export function subjectName(name: string | null): string | null {
  const trimmed = name?.trim() ?? "";
  if (trimmed === "") return null;
  // Only names that start with a registry host read as images; `acme/app` stays what the subject says.
  if (!/^(?:[^/]*[.:][^/]*|localhost)\//.test(trimmed)) return trimmed;
  const parsed = parseImageReference(trimmed);
  return parsed.ok ? parsed.ref.name : trimmed;
}

/** Every artefact an event names, so one statement can create them all first. */
function collectArtifacts(wants: Map<string, ArtifactWant>, event: DomainEvent): void {
  switch (event.type) {
    case "artifact.packaged":
    case "artifact.published":
    case "artifact.deleted":
      wantArtifact(wants, event.artifact, { kind: event.kind, mediaType: event.mediaType, sizeBytes: event.sizeBytes });
      for (const m of event.manifests ?? []) {
        wantArtifact(
          wants,
          { digest: m.digest, repository: event.artifact.repository, raw: null },
          { kind: m.kind, mediaType: m.mediaType, sizeBytes: m.sizeBytes },
        );
      }
      return;
    case "tag.pushed":
      wantArtifact(
        wants,
        { digest: event.digest, repository: event.repository },
        { mediaType: event.mediaType, sizeBytes: event.sizeBytes },
      );
      return;
    case "build.finished":
      for (const ref of [...event.inputs, ...event.outputs]) wantArtifact(wants, ref);
      return;
    case "deployment.started":
    case "deployment.upgraded":
    case "deployment.rolledback":
      if (event.artifact) wantArtifact(wants, event.artifact);
      return;
    case "signature.submitted":
      wantArtifact(wants, event.artifact);
      return;
    case "attestation.submitted":
      // A subject's name (an image repository, a file or package name) is how users know the artefact.
      for (const s of event.subjects) wantArtifact(wants, { digest: s.digest, repository: subjectName(s.name), raw: s.name });
      if (event.provenance) for (const ref of event.provenance.inputs) wantArtifact(wants, ref);
      return;
    case "verification.claimed":
      if (event.artifact) wantArtifact(wants, event.artifact);
      return;
    default:
      return;
  }
}

export async function applyBatch(sql: Sql, options: { events: BatchEvent[]; now: Date }): Promise<BatchApplied> {
  const { now, events } = options;
  const out: BatchApplied = new Map();
  const result: ResultOf = (documentId) => {
    let r = out.get(documentId);
    if (!r) {
      r = { artifacts: [], notes: [] };
      out.set(documentId, r);
    }
    return r;
  };

  // 1. Artefacts and their names, all at once.
  const wants = new Map<string, ArtifactWant>();
  for (const { event } of events) collectArtifacts(wants, event);
  const artifactIds = await upsertArtifacts(sql, [...wants.values()], now);
  for (const { documentId, event } of events) {
    if (
      (event.type === "artifact.packaged" || event.type === "artifact.published" || event.type === "artifact.deleted") &&
      event.artifact.digest
    ) {
      result(documentId).artifacts.push(event.artifact.digest);
    }
  }

  // An image index and its platform manifests: one edge each (kept once, whichever push told it first).
  const edges: Array<[string, string]> = [];
  for (const { event } of events) {
    if (event.type !== "artifact.published" || !event.artifact.digest || !event.manifests?.length) continue;
    const from = artifactIds.get(event.artifact.digest);
    for (const m of event.manifests) {
      const to = artifactIds.get(m.digest);
      if (from && to && from !== to) edges.push([from, to]);
    }
  }
  if (edges.length) {
    await sql.query(
      `INSERT INTO artifact_edges (from_id, to_id, kind)
       SELECT f, t, 'manifest' FROM unnest($1::uuid[], $2::uuid[]) AS e(f, t) ON CONFLICT DO NOTHING`,
      [edges.map((e) => e[0]), edges.map((e) => e[1])],
    );
  }

  // 2. Tags: moves are computed in order, per tag.
  const tagEvents = events.filter(
    (e): e is BatchEvent & { event: TagPushed | TagDeleted } => e.event.type === "tag.pushed" || e.event.type === "tag.deleted",
  );
  if (tagEvents.length) await applyTags(sql, { events: tagEvents, artifactIds, now, result });

  // 3. Builds (from build events, provenance and packaged artefacts with a commit).
  const builds: Array<BatchEvent & { event: BuildFinished }> = [];
  for (const e of events) {
    if (e.event.type === "build.finished") builds.push({ documentId: e.documentId, event: e.event });
    if (e.event.type === "attestation.submitted" && e.event.provenance)
      builds.push({ documentId: e.documentId, event: e.event.provenance });
    if ((e.event.type === "artifact.packaged" || e.event.type === "artifact.published") && e.event.source && e.event.artifact.digest) {
      const source: SourceRef = e.event.source;
      builds.push({
        documentId: e.documentId,
        event: {
          type: "build.finished",
          occurredAt: e.event.occurredAt,
          builderId: "cdevents:artifact.packaged",
          invocationId: `${source.repository}@${source.commit}:${e.event.artifact.digest}`,
          buildType: null,
          startedAt: null,
          finishedAt: e.event.occurredAt,
          outcome: "success",
          sources: [source],
          inputs: [],
          outputs: [e.event.artifact],
        },
      });
    }
  }
  const buildIds = builds.length ? await applyBuilds(sql, { events: builds, artifactIds, now, result }) : new Map<string, string>();

  // 4. Environments named anywhere, then deployments in order per workload.
  const envNames = new Set<string>();
  for (const { event } of events) if (event.type.startsWith("deployment.")) envNames.add((event as DeploymentChanged).environment);
  const envIds = envNames.size ? await upsertEnvironments(sql, [...envNames], now) : new Map<string, string>();
  const deployments = events.filter((e): e is BatchEvent & { event: DeploymentChanged } => e.event.type.startsWith("deployment."));
  if (deployments.length) await applyDeployments(sql, { events: deployments, artifactIds, envIds, now, result });

  // 5. Everything else, one by one.
  for (const { documentId, event } of events) {
    await applyOther(sql, { event, documentId, artifactIds, buildIds, now, result });
  }

  // 6. What runs, what is signed and what verifiers said changed for these artefacts: their
  // deployments are evaluated again by the job queue (queued in this transaction, so never lost).
  const touched = new Set<string>();
  const lookup = new Set<string>();
  for (const { documentId, event } of events) {
    const digests = evaluationDigests(event);
    // A deployment that named a tag runs the digest the tag was resolved to.
    if (digests.length === 0 && event.type.startsWith("deployment.")) digests.push(...(out.get(documentId)?.artifacts ?? []));
    for (const digest of digests) {
      const id = artifactIds.get(digest);
      if (id) touched.add(id);
      else lookup.add(digest);
    }
  }
  if (lookup.size) {
    const rows = await sql.query<{ id: string }>(`SELECT id FROM artifacts WHERE digest = ANY($1::text[])`, [[...lookup]]);
    for (const r of rows) touched.add(r.id);
  }
  // A deployment whose tag resolved to nothing has no artefact: it is evaluated all the same.
  const unresolved = events.some(
    ({ documentId, event }) =>
      event.type.startsWith("deployment.") && event.type !== "deployment.removed" && !out.get(documentId)?.artifacts.length,
  );
  if (touched.size || unresolved) {
    await enqueueArtifactsChanged(sql, { artifactIds: [...touched], unresolved, runAt: now });
  }
  return out;
}

/** The artefacts whose policy results an event may change. */
function evaluationDigests(event: DomainEvent): string[] {
  switch (event.type) {
    case "deployment.started":
    case "deployment.upgraded":
    case "deployment.rolledback":
    case "signature.submitted":
    case "verification.claimed":
      return event.artifact?.digest ? [event.artifact.digest] : [];
    case "attestation.submitted":
      return event.subjects.map((s) => s.digest);
    // A new tag or artefact: tag moves, and artefacts published without a signature.
    case "artifact.packaged":
    case "artifact.published":
      return event.artifact.digest ? [event.artifact.digest] : [];
    case "tag.pushed":
      return event.digest ? [event.digest] : [];
    default:
      return [];
  }
}

async function upsertArtifacts(sql: Sql, wants: ArtifactWant[], now: Date): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (wants.length === 0) return ids;
  const rows = await sql.query<{ id: string; digest: string }>(
    `INSERT INTO artifacts (id, digest, kind, media_type, size_bytes, first_seen_at, last_seen_at)
     SELECT t.id, t.digest, t.kind::"ArtifactKind", t.media_type, t.size_bytes, $6::timestamptz, $6::timestamptz
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS t(id, digest, kind, media_type, size_bytes)
     ON CONFLICT (digest) DO UPDATE SET
       last_seen_at = EXCLUDED.last_seen_at,
       -- A kind read from a manifest media type (a registry push) corrects one guessed from a reference.
       kind = CASE WHEN artifacts.kind = 'unknown' OR (EXCLUDED.media_type IS NOT NULL AND EXCLUDED.kind <> 'unknown')
                   THEN EXCLUDED.kind ELSE artifacts.kind END,
       media_type = COALESCE(artifacts.media_type, EXCLUDED.media_type),
       size_bytes = COALESCE(artifacts.size_bytes, EXCLUDED.size_bytes)
     RETURNING id, digest`,
    [
      wants.map(() => uuidv7()),
      wants.map((w) => w.digest),
      wants.map((w) => w.kind),
      wants.map((w) => w.mediaType),
      wants.map((w) => (w.sizeBytes === null ? null : String(Math.trunc(w.sizeBytes)))),
      now.toISOString(),
    ],
  );
  for (const r of rows) ids.set(r.digest, r.id);
  const names = wants.flatMap((w) => [...w.names].map(([name, purl]) => ({ artifactId: ids.get(w.digest)!, name, purl })));
  if (names.length) {
    await sql.query(
      `INSERT INTO artifact_names (id, artifact_id, name, purl, first_seen_at)
       SELECT t.id, t.artifact_id, t.name, t.purl, $5::timestamptz FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS t(id, artifact_id, name, purl)
       ON CONFLICT (artifact_id, name) DO NOTHING`,
      [names.map(() => uuidv7()), names.map((n) => n.artifactId), names.map((n) => n.name), names.map((n) => n.purl), now.toISOString()],
    );
  }
  return ids;
}

async function applyTags(
  sql: Sql,
  options: { events: Array<BatchEvent & { event: TagPushed | TagDeleted }>; artifactIds: Map<string, string>; now: Date; result: ResultOf },
) {
  const refOf = (e: TagPushed | TagDeleted) => `${e.repository}:${e.tag}`;
  const refs = [...new Set(options.events.map((e) => refOf(e.event)))];
  const pushed = new Map<string, TagPushed>();
  for (const { event } of options.events) if (event.type === "tag.pushed" && !pushed.has(refOf(event))) pushed.set(refOf(event), event);
  if (pushed.size) {
    const list = [...pushed.entries()];
    await sql.query(
      `INSERT INTO tags (id, reference, repository, name, created_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
       ON CONFLICT (reference) DO NOTHING`,
      [
        list.map(() => uuidv7()),
        list.map(([r]) => r),
        list.map(([, e]) => e.repository),
        list.map(([, e]) => e.tag),
        list.map(([, e]) => e.occurredAt.toISOString()),
      ],
    );
  }
  const tags = await sql.query<{ id: string; reference: string; hid: string | null; digest: string | null; valid_from: Date | null }>(
    `SELECT t.id, t.reference, h.id AS hid, h.digest, h.valid_from
     FROM tags t LEFT JOIN tag_history h ON h.tag_id = t.id AND h.valid_to IS NULL
     WHERE t.reference = ANY($1::text[])`,
    [refs],
  );
  type Current = { tagId: string; historyId: string | null; digest: string | null; validFrom: Date | null; pendingIndex: number | null };
  const current = new Map<string, Current>();
  for (const t of tags)
    current.set(t.reference, { tagId: t.id, historyId: t.hid, digest: t.digest, validFrom: t.valid_from, pendingIndex: null });
  const closeExisting: Array<{ id: string; at: Date }> = [];
  const late: Array<{ tagId: string; digest: string; at: Date; documentId: string; artifactId: string }> = [];
  const inserts: Array<{
    id: string;
    tagId: string;
    artifactId: string;
    digest: string;
    validFrom: Date;
    validTo: Date | null;
    documentId: string;
  }> = [];
  for (const { documentId, event } of options.events) {
    const ref = refOf(event);
    const cur = current.get(ref);
    if (!cur) {
      options.result(documentId).notes.push(`tag ${ref} was not known`);
      continue;
    }
    const closeAt = (at: Date) => {
      const from = cur.pendingIndex !== null ? inserts[cur.pendingIndex]!.validFrom : cur.validFrom;
      const end = from && at < from ? from : at;
      if (cur.pendingIndex !== null) inserts[cur.pendingIndex]!.validTo = end;
      else if (cur.historyId) closeExisting.push({ id: cur.historyId, at: end });
    };
    if (event.type === "tag.deleted") {
      if (cur.digest) closeAt(event.occurredAt);
      Object.assign(cur, { historyId: null, digest: null, validFrom: null, pendingIndex: null });
      continue;
    }
    options.result(documentId).artifacts.push(event.digest);
    // A late event, older than the interval now current, belongs in the past: it never becomes current.
    const currentFrom = cur.pendingIndex !== null ? inserts[cur.pendingIndex]!.validFrom : cur.validFrom;
    if (currentFrom && event.occurredAt < currentFrom) {
      late.push({
        tagId: cur.tagId,
        digest: event.digest,
        at: event.occurredAt,
        documentId,
        artifactId: options.artifactIds.get(event.digest)!,
      });
      continue;
    }
    if (cur.digest === event.digest) continue;
    if (cur.digest) {
      options.result(documentId).notes.push(`tag ${ref} moved from ${cur.digest} to ${event.digest}`);
      closeAt(event.occurredAt);
    }
    inserts.push({
      id: uuidv7(),
      tagId: cur.tagId,
      artifactId: options.artifactIds.get(event.digest)!,
      digest: event.digest,
      validFrom: event.occurredAt,
      validTo: null,
      documentId,
    });
    Object.assign(cur, { historyId: null, digest: event.digest, validFrom: event.occurredAt, pendingIndex: inserts.length - 1 });
  }
  if (closeExisting.length) {
    await sql.query(`UPDATE tag_history h SET valid_to = t.at FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, at) WHERE h.id = t.id`, [
      closeExisting.map((c) => c.id),
      closeExisting.map((c) => c.at.toISOString()),
    ]);
  }
  if (inserts.length) {
    await sql.query(
      `INSERT INTO tag_history (id, tag_id, artifact_id, digest, valid_from, valid_to, document_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::uuid[])`,
      [
        inserts.map((i) => i.id),
        inserts.map((i) => i.tagId),
        inserts.map((i) => i.artifactId),
        inserts.map((i) => i.digest),
        inserts.map((i) => i.validFrom.toISOString()),
        inserts.map((i) => i.validTo?.toISOString() ?? null),
        inserts.map((i) => i.documentId),
      ],
    );
  }
  // Late events are slotted into the history where their time puts them (rare: one by one).
  for (const l of late) {
    const [holding] = await sql.query<{ id: string; digest: string; valid_to: Date | null }>(
      `SELECT id, digest, valid_to FROM tag_history WHERE tag_id = $1 AND valid_from <= $2::timestamptz AND (valid_to IS NULL OR valid_to > $2::timestamptz)
       ORDER BY valid_from DESC LIMIT 1`,
      [l.tagId, l.at.toISOString()],
    );
    if (holding?.digest === l.digest) continue;
    const [next] = await sql.query<{ valid_from: Date }>(
      `SELECT valid_from FROM tag_history WHERE tag_id = $1 AND valid_from > $2::timestamptz ORDER BY valid_from LIMIT 1`,
      [l.tagId, l.at.toISOString()],
    );
    if (holding) await sql.query(`UPDATE tag_history SET valid_to = $2::timestamptz WHERE id = $1`, [holding.id, l.at.toISOString()]);
    await sql.query(
      `INSERT INTO tag_history (id, tag_id, artifact_id, digest, valid_from, valid_to, document_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        uuidv7(),
        l.tagId,
        l.artifactId,
        l.digest,
        l.at.toISOString(),
        (holding?.valid_to ?? next?.valid_from)?.toISOString() ?? null,
        l.documentId,
      ],
    );
  }
}

const buildKey = (builderId: string, invocationId: string) => `${builderId}\u0000${invocationId}`;

/** Upserts builds (merging several events for one run) and links; returns build ids by builder+invocation. */
async function applyBuilds(
  sql: Sql,
  options: { events: Array<BatchEvent & { event: BuildFinished }>; artifactIds: Map<string, string>; now: Date; result: ResultOf },
): Promise<Map<string, string>> {
  // One row may be upserted only once per statement: merge events for the same run first.
  const merged = new Map<string, { event: BuildFinished; documentId: string }>();
  for (const { event, documentId } of options.events) {
    const key = buildKey(event.builderId, event.invocationId);
    const prev = merged.get(key);
    if (!prev) {
      merged.set(key, {
        event: { ...event, sources: [...event.sources], inputs: [...event.inputs], outputs: [...event.outputs] },
        documentId,
      });
    } else {
      const p = prev.event;
      p.buildType ??= event.buildType;
      p.startedAt ??= event.startedAt;
      p.finishedAt ??= event.finishedAt;
      if (event.outcome !== "unknown") p.outcome = event.outcome;
      p.sources.push(...event.sources);
      p.inputs.push(...event.inputs);
      p.outputs.push(...event.outputs);
    }
    if (event.builderId !== "cdevents:artifact.packaged") {
      options
        .result(documentId)
        .artifacts.push(...event.outputs.map((o) => o.digest).filter((d): d is NonNullable<typeof d> => d !== null));
    }
  }
  const list = [...merged.values()];
  const rows = await sql.query<{ id: string; builder_id: string; invocation_id: string }>(
    `INSERT INTO builds (id, builder_id, invocation_id, build_type, started_at, finished_at, outcome, document_id, created_at)
     SELECT t.id, t.builder_id, t.invocation_id, t.build_type, t.started_at, t.finished_at, t.outcome, t.document_id, $9::timestamptz
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::uuid[])
       AS t(id, builder_id, invocation_id, build_type, started_at, finished_at, outcome, document_id)
     ON CONFLICT (builder_id, invocation_id) DO UPDATE SET
       build_type = COALESCE(builds.build_type, EXCLUDED.build_type),
       started_at = COALESCE(builds.started_at, EXCLUDED.started_at),
       finished_at = COALESCE(builds.finished_at, EXCLUDED.finished_at),
       outcome = CASE WHEN EXCLUDED.outcome <> 'unknown' THEN EXCLUDED.outcome ELSE builds.outcome END
     RETURNING id, builder_id, invocation_id`,
    [
      list.map(() => uuidv7()),
      list.map((b) => b.event.builderId),
      list.map((b) => b.event.invocationId),
      list.map((b) => b.event.buildType),
      list.map((b) => b.event.startedAt?.toISOString() ?? null),
      list.map((b) => b.event.finishedAt?.toISOString() ?? null),
      list.map((b) => b.event.outcome),
      list.map((b) => b.documentId),
      options.now.toISOString(),
    ],
  );
  const buildIds = new Map(rows.map((r) => [buildKey(r.builder_id, r.invocation_id), r.id]));
  const links: Array<{ buildId: string; artifactId: string; role: "input" | "output" }> = [];
  const sources: Array<{ buildId: string; repository: string; commit: string }> = [];
  for (const [key, { event }] of merged) {
    const buildId = buildIds.get(key)!;
    for (const [role, refs] of [
      ["input", event.inputs],
      ["output", event.outputs],
    ] as const) {
      for (const ref of refs) {
        const artifactId = ref.digest ? options.artifactIds.get(ref.digest) : undefined;
        if (artifactId) links.push({ buildId, artifactId, role });
      }
    }
    for (const s of event.sources) sources.push({ buildId, repository: s.repository, commit: s.commit ?? "" });
  }
  if (links.length) {
    await sql.query(
      `INSERT INTO build_artifacts (build_id, artifact_id, role)
       SELECT t.build_id, t.artifact_id, t.role::"BuildArtifactRole" FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t(build_id, artifact_id, role)
       ON CONFLICT DO NOTHING`,
      [links.map((l) => l.buildId), links.map((l) => l.artifactId), links.map((l) => l.role)],
    );
  }
  if (sources.length) {
    const unique = [...new Map(sources.map((s) => [`${s.repository}\u0000${s.commit}`, s])).values()];
    await sql.query(
      `INSERT INTO sources (id, repository, commit, created_at) SELECT t.id, t.repository, t.commit, $4::timestamptz
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, repository, commit) ON CONFLICT (repository, commit) DO NOTHING`,
      [unique.map(() => uuidv7()), unique.map((s) => s.repository), unique.map((s) => s.commit), options.now.toISOString()],
    );
    await sql.query(
      `INSERT INTO build_sources (build_id, source_id)
       SELECT t.build_id, s.id FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(build_id, repository, commit)
       JOIN sources s ON s.repository = t.repository AND s.commit = t.commit
       ON CONFLICT DO NOTHING`,
      [sources.map((s) => s.buildId), sources.map((s) => s.repository), sources.map((s) => s.commit)],
    );
  }
  return buildIds;
}

async function upsertEnvironments(sql: Sql, names: string[], now: Date): Promise<Map<string, string>> {
  await sql.query(
    `INSERT INTO environments (id, name, created_at) SELECT t.id, t.name, $3::timestamptz FROM unnest($1::uuid[], $2::text[]) AS t(id, name)
     ON CONFLICT (name) DO NOTHING`,
    [names.map(() => uuidv7()), names, now.toISOString()],
  );
  const rows = await sql.query<{ id: string; name: string }>(`SELECT id, name FROM environments WHERE name = ANY($1::text[])`, [names]);
  return new Map(rows.map((e) => [e.name, e.id]));
}

/** The digest a tag pointed at, at a given time (for deployments that name a tag). */
async function resolveTag(sql: Sql, options: { reference: string; at: Date }): Promise<{ digest: string; artifactId: string } | null> {
  const [row] = await sql.query<{ digest: string; artifact_id: string }>(
    `SELECT h.digest, h.artifact_id FROM tag_history h JOIN tags t ON t.id = h.tag_id
     WHERE t.reference = $1 AND h.valid_from <= $2::timestamptz AND (h.valid_to IS NULL OR h.valid_to > $2::timestamptz)
     ORDER BY h.valid_from DESC LIMIT 1`,
    [options.reference, options.at.toISOString()],
  );
  return row ? { digest: row.digest, artifactId: row.artifact_id } : null;
}

async function applyDeployments(
  sql: Sql,
  options: {
    events: Array<BatchEvent & { event: DeploymentChanged }>;
    artifactIds: Map<string, string>;
    envIds: Map<string, string>;
    now: Date;
    result: ResultOf;
  },
) {
  const slotKey = (environmentId: string, workload: string, cluster: string | null, namespace: string | null) =>
    [environmentId, workload, cluster ?? "", namespace ?? ""].join("\u0000");
  const running = await sql.query<{
    id: string;
    environment_id: string;
    workload: string;
    cluster: string | null;
    namespace: string | null;
    started_at: Date;
  }>(
    `SELECT id, environment_id, workload, cluster, namespace, started_at FROM deployments
     WHERE ended_at IS NULL AND environment_id = ANY($1::uuid[]) AND workload = ANY($2::text[])`,
    [[...options.envIds.values()], [...new Set(options.events.map((e) => e.event.workload))]],
  );
  type Slot = { existingIds: string[]; pendingIndex: number | null; currentFrom: Date | null };
  const open = new Map<string, Slot>();
  for (const r of running) {
    const key = slotKey(r.environment_id, r.workload, r.cluster, r.namespace);
    const slot = open.get(key) ?? { existingIds: [], pendingIndex: null, currentFrom: null };
    slot.existingIds.push(r.id);
    if (!slot.currentFrom || r.started_at > slot.currentFrom) slot.currentFrom = r.started_at;
    open.set(key, slot);
  }
  const closes: Array<{ id: string; at: Date; status: "replaced" | "removed" }> = [];
  type Insert = {
    id: string;
    environmentId: string;
    e: DeploymentChanged;
    artifactId: string | null;
    resolvedDigest: string | null;
    tagReference: string | null;
    status: "running" | "replaced" | "removed";
    endedAt: Date | null;
    documentId: string;
  };
  const inserts: Insert[] = [];
  for (const { documentId, event } of options.events) {
    const environmentId = options.envIds.get(event.environment)!;
    const key = slotKey(environmentId, event.workload, event.cluster, event.namespace);
    const slot: Slot = open.get(key) ?? { existingIds: [], pendingIndex: null, currentFrom: null };
    open.set(key, slot);
    const status = event.type === "deployment.removed" ? "removed" : "replaced";
    // A late event (older than what runs now) is history: it must not end the current deployment.
    const late = slot.currentFrom !== null && event.occurredAt < slot.currentFrom;
    if (event.type === "deployment.removed") {
      if (late)
        options.result(documentId).notes.push("a later deployment of this workload is running: this earlier removal is kept as evidence");
      else if (slot.existingIds.length === 0 && slot.pendingIndex === null)
        options.result(documentId).notes.push("no running deployment of this workload was known");
    }
    if (!late) {
      for (const id of slot.existingIds) closes.push({ id, at: event.occurredAt, status });
      slot.existingIds = [];
      if (slot.pendingIndex !== null) Object.assign(inserts[slot.pendingIndex]!, { status, endedAt: event.occurredAt });
      slot.pendingIndex = null;
      slot.currentFrom = event.type === "deployment.removed" ? null : event.occurredAt;
    }
    if (event.type === "deployment.removed") continue;

    const tagReference = event.artifact?.tag && event.artifact.repository ? `${event.artifact.repository}:${event.artifact.tag}` : null;
    let artifactId: string | null = null;
    let resolvedDigest: string | null = null;
    if (event.artifact?.digest) {
      artifactId = options.artifactIds.get(event.artifact.digest) ?? null;
      resolvedDigest = event.artifact.digest;
    } else if (tagReference) {
      // A mutable reference: record the digest the tag pointed at then, when Vitrine knows it.
      const resolved = await resolveTag(sql, { reference: tagReference, at: event.occurredAt });
      if (resolved) {
        artifactId = resolved.artifactId;
        resolvedDigest = resolved.digest;
        options.result(documentId).notes.push(`tag ${tagReference} resolved to ${resolved.digest}`);
      } else {
        options.result(documentId).notes.push(`tag ${tagReference} could not be resolved to a digest`);
      }
    }
    if (resolvedDigest) options.result(documentId).artifacts.push(resolvedDigest);
    const base = { id: uuidv7(), environmentId, e: event, artifactId, resolvedDigest, tagReference, documentId };
    if (late) {
      options
        .result(documentId)
        .notes.push("a later deployment of this workload is running: recorded as an earlier deployment, replaced since");
      inserts.push({ ...base, status: "replaced", endedAt: slot.currentFrom });
      continue;
    }
    inserts.push({ ...base, status: "running", endedAt: null });
    slot.pendingIndex = inserts.length - 1;
  }
  for (const status of ["replaced", "removed"] as const) {
    const list = closes.filter((c) => c.status === status);
    if (!list.length) continue;
    await sql.query(
      `UPDATE deployments d SET ended_at = t.at, status = $3::"DeploymentStatus" FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, at) WHERE d.id = t.id`,
      [list.map((c) => c.id), list.map((c) => c.at.toISOString()), status],
    );
  }
  if (inserts.length) {
    await sql.query(
      `INSERT INTO deployments (id, environment_id, cluster, namespace, workload, artifact_id, reference, pinned, tag_reference, resolved_digest, status,
                                started_at, ended_at, document_id, created_at)
       SELECT t.id, t.environment_id, t.cluster, t.namespace, t.workload, t.artifact_id, t.reference, t.pinned, t.tag_reference, t.resolved_digest,
              t.status::"DeploymentStatus", t.started_at, t.ended_at, t.document_id, $15::timestamptz
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::boolean[], $9::text[], $10::text[], $11::text[],
                   $12::timestamptz[], $13::timestamptz[], $14::uuid[])
         AS t(id, environment_id, cluster, namespace, workload, artifact_id, reference, pinned, tag_reference, resolved_digest, status, started_at, ended_at, document_id)`,
      [
        inserts.map((i) => i.id),
        inserts.map((i) => i.environmentId),
        inserts.map((i) => i.e.cluster),
        inserts.map((i) => i.e.namespace),
        inserts.map((i) => i.e.workload),
        inserts.map((i) => i.artifactId),
        inserts.map((i) => i.e.artifact?.raw ?? null),
        inserts.map((i) => Boolean(i.e.artifact?.digest)),
        inserts.map((i) => i.tagReference),
        inserts.map((i) => i.resolvedDigest),
        inserts.map((i) => i.status),
        inserts.map((i) => i.e.occurredAt.toISOString()),
        inserts.map((i) => i.endedAt?.toISOString() ?? null),
        inserts.map((i) => i.documentId),
        options.now.toISOString(),
      ],
    );
  }
}

/** The event types without a set-based path: few per batch, applied one by one. */
async function applyOther(
  sql: Sql,
  options: {
    event: DomainEvent;
    documentId: string;
    artifactIds: Map<string, string>;
    buildIds: Map<string, string>;
    now: Date;
    result: ResultOf;
  },
): Promise<void> {
  const { event, documentId, artifactIds, now } = options;
  const r = options.result(documentId);
  switch (event.type) {
    case "artifact.deleted":
      if (event.artifact.digest)
        await sql.query(`UPDATE artifacts SET deleted_at = $2::timestamptz WHERE digest = $1`, [
          event.artifact.digest,
          event.occurredAt.toISOString(),
        ]);
      return;
    case "source.committed":
      await sql.query(
        `INSERT INTO sources (id, repository, commit, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (repository, commit) DO NOTHING`,
        [uuidv7(), event.source.repository, event.source.commit ?? "", now.toISOString()],
      );
      return;
    case "signature.submitted": {
      const artifactId = event.artifact.digest ? artifactIds.get(event.artifact.digest) : undefined;
      if (!artifactId || !event.artifact.digest) {
        r.notes.push("the signature names no digest");
        return;
      }
      await sql.query(
        `INSERT INTO signatures (id, artifact_id, document_id, format, signer_identity, signer_issuer, key_hint, material, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) ON CONFLICT (document_id, artifact_id) DO NOTHING`,
        [
          uuidv7(),
          artifactId,
          documentId,
          event.format,
          event.signerHint.identity ?? null,
          event.signerHint.issuer ?? null,
          event.signerHint.keyHint ?? event.signerHint.keyId ?? null,
          JSON.stringify(event.material),
          now.toISOString(),
        ],
      );
      r.artifacts.push(event.artifact.digest);
      return;
    }
    case "attestation.submitted": {
      const buildId = event.provenance
        ? (options.buildIds.get(buildKey(event.provenance.builderId, event.provenance.invocationId)) ?? null)
        : null;
      await insertAttestation(sql, { event, documentId, buildId, artifactIds, now });
      r.artifacts.push(...event.subjects.map((s) => s.digest));
      return;
    }
    case "verification.claimed": {
      const artifactId = event.artifact?.digest ? (artifactIds.get(event.artifact.digest) ?? null) : null;
      await sql.query(
        `INSERT INTO verification_claims (id, document_id, verifier, artifact_id, reference, result, policy, rule, message, environment, namespace,
                                          identity, issuer, occurred_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          uuidv7(),
          documentId,
          event.verifier,
          artifactId,
          event.reference,
          event.result,
          event.policy,
          event.rule,
          event.message,
          event.environment,
          event.namespace,
          event.identity ?? null,
          event.issuer ?? null,
          event.occurredAt.toISOString(),
          now.toISOString(),
        ],
      );
      if (event.artifact?.digest) r.artifacts.push(event.artifact.digest);
      return;
    }
    case "environment.created":
    case "environment.modified":
    case "environment.deleted":
      await sql.query(
        `INSERT INTO environments (id, name, uri, created_at, deleted_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) DO UPDATE SET uri = COALESCE(EXCLUDED.uri, environments.uri), deleted_at = EXCLUDED.deleted_at`,
        [uuidv7(), event.name, event.uri, now.toISOString(), event.type === "environment.deleted" ? event.occurredAt.toISOString() : null],
      );
      return;
    default:
      return;
  }
}

async function insertAttestation(
  sql: Sql,
  options: { event: AttestationSubmitted; documentId: string; buildId: string | null; artifactIds: Map<string, string>; now: Date },
) {
  const { event } = options;
  const id = uuidv7();
  await sql.query(
    `INSERT INTO attestations (id, document_id, envelope, statement_type, predicate_type, build_id, material, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT (document_id) DO NOTHING`,
    [
      id,
      options.documentId,
      event.envelope,
      event.statementType,
      event.predicateType,
      options.buildId,
      JSON.stringify(event.material),
      options.now.toISOString(),
    ],
  );
  const subjects = [...new Map(event.subjects.map((s) => [s.digest, s])).values()].filter((s) => options.artifactIds.has(s.digest));
  if (subjects.length) {
    await sql.query(
      `INSERT INTO attestation_subjects (attestation_id, digest, name, artifact_id)
       SELECT $1::uuid, t.digest, t.name, t.artifact_id FROM unnest($2::text[], $3::text[], $4::uuid[]) AS t(digest, name, artifact_id)
       ON CONFLICT DO NOTHING`,
      [id, subjects.map((s) => s.digest), subjects.map((s) => s.name), subjects.map((s) => options.artifactIds.get(s.digest)!)],
    );
  }
}

// Registry notifications (CNCF distribution, https://distribution.github.io/distribution/about/notifications/):
// an envelope { events: [...] } -> one adapted document per event, so one bad event is refused and the others kept.
//
// Naming: the repository of a tag or artefact is `<registry host>/<target.repository>`, the name a user pulls.
// The registry host is request.host (the Host header clients used, which the registry documents as its externally
// accessible name), else the host of target.url, else source.addr. request.host comes first because delete events
// carry no target.url: a tag pushed and later deleted must land on the same repository name.
// Pure: no clock (`now` only stands in for a missing timestamp), never throws.
import { z } from "zod";
import { type Digest, parseDigest } from "@/lib/domain/digest";
import type { AdaptedDocument, ArtifactKind, ArtifactRef, DomainEvent, IndexManifest } from "@/lib/domain/events";
import { type FieldProblem, issuesToProblems, mediaTypeOf, parseRfc3339 } from "./cloudevents";
import { formatImageReference, imageName, isImageTag, isRepositoryPath, normaliseRegistryHost } from "./image-reference";

export const REGISTRY_EVENTS_MEDIA_TYPES = [
  "application/vnd.docker.distribution.events.v1+json",
  "application/vnd.docker.distribution.events.v2+json",
] as const;

export const MAX_REGISTRY_EVENTS = 1000;
/** An index lists one manifest per platform (and attestation manifests): a few dozen at most in practice. */
export const MAX_INDEX_REFERENCES = 1000;

/** True for the content types of a registry notification envelope (parameters ignored). */
export function isRegistryMediaType(contentType: string | null | undefined): boolean {
  return (REGISTRY_EVENTS_MEDIA_TYPES as readonly string[]).includes(mediaTypeOf(contentType));
}

const IMAGE_MANIFEST_TYPES = new Set([
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
  "application/vnd.oci.artifact.manifest.v1+json",
]);
const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

/** oci_image / oci_index for a manifest media type; null for blobs (layers, configs) and unknown types. */
export function manifestKind(mediaType: string | null | undefined): Extract<ArtifactKind, "oci_image" | "oci_index"> | null {
  const type = mediaTypeOf(mediaType);
  if (IMAGE_MANIFEST_TYPES.has(type)) return "oci_image";
  if (INDEX_TYPES.has(type)) return "oci_index";
  return null;
}

// Go's encoding/json drops empty fields (omitempty) but request.id/method/useragent are always written, maybe "".
const ZOptionalText = (max: number) => z.string().max(max).nullish();

const ZRegistryEvent = z.looseObject({
  id: z.string().min(1, "must be a non-empty string").max(256),
  timestamp: z.string().max(64).nullish(),
  action: z.string().min(1).max(32),
  target: z.looseObject({
    mediaType: ZOptionalText(255),
    digest: ZOptionalText(200),
    size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
    length: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
    repository: z.string().min(1, "must name the repository").max(255),
    url: ZOptionalText(4096),
    tag: ZOptionalText(200),
    // distribution v3: the descriptors a manifest references (an index's platform manifests, an image's layers).
    references: z
      .array(
        z.looseObject({
          mediaType: ZOptionalText(255),
          digest: ZOptionalText(200),
          size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
          platform: z
            .looseObject({
              architecture: z.string().max(64).nullish(),
              os: z.string().max(64).nullish(),
              variant: z.string().max(64).nullish(),
            })
            .nullish(),
        }),
      )
      .max(MAX_INDEX_REFERENCES, `at most ${MAX_INDEX_REFERENCES} references`)
      .nullish(),
  }),
  request: z.looseObject({ host: ZOptionalText(300) }).nullish(),
  source: z.looseObject({ addr: ZOptionalText(300) }).nullish(),
});

type RegistryEvent = z.infer<typeof ZRegistryEvent>;

function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value === "" ? null : value;
}

function urlHost(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

function registryHostOf(event: RegistryEvent): string | null {
  for (const candidate of [nonEmpty(event.request?.host), urlHost(nonEmpty(event.target.url)), nonEmpty(event.source?.addr)]) {
    if (candidate === null) continue;
    const host = normaliseRegistryHost(candidate);
    if (host !== null) return host;
  }
  return null;
}

function reject(detail: string, errors: FieldProblem[]): AdaptedDocument {
  return { ok: false, detail, errors };
}

function adaptEvent(raw: unknown, base: string, now: Date): AdaptedDocument {
  const parsed = ZRegistryEvent.safeParse(raw);
  if (!parsed.success) return reject("The registry event has invalid fields", issuesToProblems(base, parsed.error.issues));
  const event = parsed.data;
  const action = event.action;
  const documentType = `registry/${action}`;
  const problems: FieldProblem[] = [];

  let digest: Digest | null = null;
  const rawDigest = nonEmpty(event.target.digest);
  if (rawDigest !== null) {
    const d = parseDigest(rawDigest);
    if (d.ok) digest = d.digest;
    else problems.push({ path: `${base}.target.digest`, message: d.reason });
  }
  const tag = nonEmpty(event.target.tag);
  if (tag !== null && !isImageTag(tag))
    problems.push({ path: `${base}.target.tag`, message: "is not a valid tag (letters, digits, _ . -, at most 128)" });
  if (!isRepositoryPath(event.target.repository)) {
    problems.push({ path: `${base}.target.repository`, message: "is not a valid repository name (lowercase path components)" });
  }
  const notes: string[] = [];
  let occurredAt = now;
  const timestamp = nonEmpty(event.timestamp);
  if (timestamp === null) notes.push("the event has no timestamp: the time it was received stands in");
  else {
    const parsedTime = parseRfc3339(timestamp);
    if (parsedTime === null) problems.push({ path: `${base}.timestamp`, message: "must be an RFC 3339 timestamp" });
    else occurredAt = parsedTime;
  }
  const host = registryHostOf(event);
  if (host === null) {
    problems.push({ path: `${base}.request.host`, message: "no registry host: request.host, target.url or source.addr must name it" });
  }
  // An index's platform manifests; the references of an image (layers, config) are blobs and stay evidence.
  const manifests: IndexManifest[] = [];
  if (action === "push" && manifestKind(event.target.mediaType) === "oci_index") {
    (event.target.references ?? []).forEach((ref, i) => {
      const refKind = manifestKind(ref.mediaType);
      if (refKind === null) return;
      const d = parseDigest(ref.digest ?? "");
      if (!d.ok) {
        problems.push({ path: `${base}.target.references[${i}].digest`, message: d.reason });
        return;
      }
      const p = ref.platform;
      const platform = p?.os && p.architecture ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : null;
      if (!manifests.some((m) => m.digest === d.digest))
        manifests.push({ digest: d.digest, kind: refKind, mediaType: nonEmpty(ref.mediaType), sizeBytes: ref.size ?? null, platform });
    });
  }
  if (problems.length > 0 || host === null) return reject(`The registry ${action} event is invalid`, problems);

  const eventId = event.id;
  const eventSource = `registry:${host}`;
  const repository = imageName(host, event.target.repository);
  const mediaType = nonEmpty(event.target.mediaType);
  const sizeBytes = event.target.size ?? event.target.length ?? null;
  const accept = (events: DomainEvent[]): AdaptedDocument => ({ ok: true, eventId, eventSource, documentType, events, notes });
  const artifact = (withTag: string | null, d: Digest): ArtifactRef => ({
    digest: d,
    repository,
    tag: withTag,
    raw: formatImageReference({ name: repository, tag: withTag, digest: d }),
  });

  switch (action) {
    case "push": {
      if (digest === null)
        return reject("A registry push event must name the pushed digest", [
          { path: `${base}.target.digest`, message: "is required for a push" },
        ]);
      const kind = manifestKind(mediaType);
      if (kind === null) {
        notes.push(
          mediaType === null
            ? "a push without a media type: kept as evidence, no artefact recorded"
            : `a blob push (${mediaType.slice(0, 100)}): layers and configs are kept as evidence, not recorded as artefacts`,
        );
        return accept([]);
      }
      const events: DomainEvent[] = [
        {
          type: "artifact.published",
          occurredAt,
          artifact: artifact(tag, digest),
          kind,
          mediaType,
          sizeBytes,
          ...(manifests.length ? { manifests } : {}),
        },
      ];
      if (kind === "oci_index") {
        notes.push(
          manifests.length
            ? `an image index listing ${manifests.length} platform manifest${manifests.length === 1 ? "" : "s"}: each recorded as an artefact linked to the index`
            : "an image index without target.references: its platform manifests are not known from this event",
        );
      }
      if (tag !== null) events.push({ type: "tag.pushed", occurredAt, repository, tag, digest, mediaType, sizeBytes });
      else notes.push("pushed by digest, without a tag: no tag recorded");
      return accept(events);
    }
    case "pull":
      notes.push("a pull changes nothing: kept as evidence only");
      return accept([]);
    case "mount":
      notes.push("a blob mounted from another repository: kept as evidence only");
      return accept([]);
    case "delete": {
      if (tag !== null) return accept([{ type: "tag.deleted", occurredAt, repository, tag }]);
      if (digest !== null) {
        if (mediaType !== null && manifestKind(mediaType) === null) {
          notes.push(`a blob deletion (${mediaType.slice(0, 100)}): kept as evidence only`);
          return accept([]);
        }
        // The registry sends the same shape for manifest and blob deletions; a blob digest matches no artefact.
        return accept([{ type: "artifact.deleted", occurredAt, artifact: artifact(null, digest), mediaType }]);
      }
      notes.push("the repository was deleted (no tag, no digest): kept as evidence only");
      return accept([]);
    }
    default:
      return reject(`Registry action "${action.slice(0, 32)}" is not known`, [
        { path: `${base}.action`, message: "must be push, pull, mount or delete" },
      ]);
  }
}

/**
 * Adapts a registry notification envelope. One result per event, `index` being its position in `events`.
 * When the envelope itself is unusable (not an object, no events, too many) the answer is a single rejected result
 * with index 0 whose paths start at "$".
 */
export function adaptRegistryEnvelope(body: unknown, options: { now: Date }): Array<{ index: number; adapted: AdaptedDocument }> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return [
      {
        index: 0,
        adapted: reject("A registry notification envelope must be a JSON object { events: [...] }", [
          { path: "$", message: "must be an object" },
        ]),
      },
    ];
  }
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) {
    return [
      {
        index: 0,
        adapted: reject("A registry notification envelope must hold an events array", [{ path: "$.events", message: "must be an array" }]),
      },
    ];
  }
  if (events.length === 0) {
    return [
      {
        index: 0,
        adapted: reject("The registry notification envelope holds no events", [{ path: "$.events", message: "must not be empty" }]),
      },
    ];
  }
  if (events.length > MAX_REGISTRY_EVENTS) {
    return [
      {
        index: 0,
        adapted: reject(`The envelope holds ${events.length} events; at most ${MAX_REGISTRY_EVENTS} are accepted per request`, [
          { path: "$.events", message: `at most ${MAX_REGISTRY_EVENTS} events` },
        ]),
      },
    ];
  }
  return events.map((event, index) => ({ index, adapted: adaptEvent(event, `$.events[${index}]`, options.now) }));
}

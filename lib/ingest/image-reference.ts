// OCI image references as tools print them: registry.acme.dev/app:1.0@sha256:..., nginx, gcr.io/baz/baz.
// Grammar after distribution/reference; Docker Hub defaults (docker.io, library/) apply only to names without a registry.
// Pure: never throws, never "fixes" input (uppercase repositories or digests are refused).
import { type Digest, parseDigest } from "@/lib/domain/digest";
import type { ArtifactRef } from "@/lib/domain/events";

export type ImageReference = {
  /** Registry host[:port], lowercased: "registry.acme.dev", "localhost:5000", "docker.io". */
  registry: string;
  /** Path inside the registry: "app", "library/nginx". */
  repository: string;
  /** registry/repository: what Vitrine calls an artefact's repository and a tag's namespace. */
  name: string;
  /** null when the reference names no tag (a puller would use "latest"; Vitrine does not invent it). */
  tag: string | null;
  digest: Digest | null;
  /** The reference exactly as given. */
  raw: string;
};

export type ImageReferenceParse = { ok: true; ref: ImageReference } | { ok: false; reason: string };

export const DOCKER_HUB_REGISTRY = "docker.io";
/** Docker's legacy name for Docker Hub, rewritten to docker.io as Docker itself does. */
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);
const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6 = /^\[[0-9a-fA-F:.]+(?:%[\w.-]+)?\]$/;

/** A registry host[:port] in canonical form (lowercase, Docker Hub aliases folded), or null when it is not one. */
export function normaliseRegistryHost(input: string): string | null {
  if (input.length === 0 || input.length > 255) return null;
  let host = input;
  let port = "";
  const bracketEnd = input.lastIndexOf("]");
  const colon = input.lastIndexOf(":");
  if (colon > bracketEnd) {
    port = input.slice(colon + 1);
    host = input.slice(0, colon);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
  }
  if (host.startsWith("[")) {
    if (!IPV6.test(host)) return null;
  } else if (host.length === 0 || !host.split(".").every((label) => HOST_LABEL.test(label))) {
    return null;
  }
  const canonical = (port ? `${host}:${port}` : host).toLowerCase();
  return DOCKER_HUB_ALIASES.has(canonical) ? DOCKER_HUB_REGISTRY : canonical;
}

/** A repository path inside a registry ("library/nginx"): lowercase components joined by "/". */
export function isRepositoryPath(path: string): boolean {
  return path.length > 0 && path.length <= MAX_NAME_LENGTH && path.split("/").every((c) => PATH_COMPONENT.test(c));
}

export function isImageTag(tag: string): boolean {
  return TAG.test(tag);
}

/** registry/repository for a registry host and a path, with Docker Hub's "library/" for one-component names. */
export function imageName(registry: string, repository: string): string {
  const path = registry === DOCKER_HUB_REGISTRY && !repository.includes("/") ? `library/${repository}` : repository;
  return `${registry}/${path}`;
}

export function parseImageReference(input: string): ImageReferenceParse {
  if (typeof input !== "string" || input.length === 0) return { ok: false, reason: "the image reference is empty" };
  if (input.length > 1024) return { ok: false, reason: "the image reference is longer than 1024 characters" };
  if (/\s/.test(input)) return { ok: false, reason: "an image reference contains no whitespace" };
  if (input.includes("://")) return { ok: false, reason: "an image reference has no scheme (write registry/repository, not a URL)" };

  let rest = input;
  let digest: Digest | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const parsed = parseDigest(rest.slice(at + 1));
    if (!parsed.ok) return { ok: false, reason: `digest: ${parsed.reason}` };
    digest = parsed.digest;
    rest = rest.slice(0, at);
  }

  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { ok: false, reason: `tag "${tag.slice(0, 40)}" is not valid (letters, digits, _ . -, at most 128)` };
  }
  if (rest.length === 0) return { ok: false, reason: "the image reference has no repository name" };

  // distribution/reference: the first component is a registry when it has a dot or a port, is localhost, or has uppercase.
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  let registry = DOCKER_HUB_REGISTRY;
  let repository = rest;
  if (hasRegistry) {
    const host = normaliseRegistryHost(first);
    if (host === null) return { ok: false, reason: `registry "${first.slice(0, 60)}" is not a valid host[:port]` };
    registry = host;
    repository = rest.slice(slash + 1);
  }
  if (!isRepositoryPath(repository)) {
    return {
      ok: false,
      reason: `repository "${repository.slice(0, 80)}" is not valid (lowercase letters, digits and . _ - separators, "/" between components)`,
    };
  }
  const name = imageName(registry, repository);
  if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: `the repository name is longer than ${MAX_NAME_LENGTH} characters` };
  return { ok: true, ref: { registry, repository: name.slice(registry.length + 1), name, tag, digest, raw: input } };
}

/** The canonical text of a reference: registry/repository[:tag][@digest]. */
export function formatImageReference(ref: Pick<ImageReference, "name" | "tag" | "digest">): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

export function artifactRefFromImage(ref: ImageReference): ArtifactRef {
  return { digest: ref.digest, repository: ref.name, tag: ref.tag, raw: ref.raw };
}

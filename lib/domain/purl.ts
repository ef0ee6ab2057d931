// Package URLs (https://github.com/package-url/purl-spec) as pipelines use them for artefacts:
// pkg:oci/app@sha256%3A...?repository_url=registry.acme.dev/app&tag=1.0
import { type Digest, parseDigest } from "./digest";

export type Purl = {
  type: string;
  namespace: string | null;
  name: string;
  version: string | null;
  qualifiers: Record<string, string>;
  subpath: string | null;
};

export type PurlParse = { ok: true; purl: Purl } | { ok: false; reason: string };

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function parsePurl(input: string): PurlParse {
  if (input.length > 4096) return { ok: false, reason: "purl is longer than 4096 characters" };
  if (!input.startsWith("pkg:")) return { ok: false, reason: 'purl must start with "pkg:"' };
  let rest = input.slice(4).replace(/^\/+/, "");
  let subpath: string | null = null;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    subpath = decode(rest.slice(hash + 1));
    if (subpath === null) return { ok: false, reason: "purl subpath is not valid percent-encoding" };
    rest = rest.slice(0, hash);
  }
  const qualifiers: Record<string, string> = {};
  const q = rest.indexOf("?");
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split("&")) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      if (eq <= 0) return { ok: false, reason: `purl qualifier "${pair.slice(0, 40)}" must be key=value` };
      const key = pair.slice(0, eq).toLowerCase();
      const value = decode(pair.slice(eq + 1));
      if (!/^[a-z0-9._-]+$/.test(key)) return { ok: false, reason: `purl qualifier key "${key.slice(0, 40)}" is not valid` };
      if (value === null) return { ok: false, reason: `purl qualifier ${key} is not valid percent-encoding` };
      if (value !== "") qualifiers[key] = value;
    }
    rest = rest.slice(0, q);
  }
  let version: string | null = null;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    version = decode(rest.slice(at + 1));
    if (version === null || version === "") return { ok: false, reason: "purl version is empty or not valid percent-encoding" };
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf("/");
  if (slash <= 0) return { ok: false, reason: "purl must have a type and a name (pkg:type/name)" };
  const type = rest.slice(0, slash).toLowerCase();
  if (!/^[a-z.+-][a-z0-9.+-]*$/.test(type)) return { ok: false, reason: `purl type "${type.slice(0, 40)}" is not valid` };
  const segments = rest
    .slice(slash + 1)
    .split("/")
    .filter((s) => s !== "")
    .map(decode);
  if (segments.length === 0 || segments.some((s) => s === null || s === "")) {
    return { ok: false, reason: "purl name is missing or not valid percent-encoding" };
  }
  const name = segments.pop() as string;
  const namespace = segments.length ? segments.join("/") : null;
  return { ok: true, purl: { type, namespace, name, version, qualifiers, subpath } };
}

export type ArtifactReference =
  | { pinned: true; digest: Digest; repository: string; tag: string | null; purl: Purl }
  | { pinned: false; digest: null; repository: string; tag: string | null; purl: Purl };

export type ReferenceParse = { ok: true; ref: ArtifactReference } | { ok: false; reason: string };

/** What an artefact purl points at: a digest (pinned) or only a tag (a mutable reference). */
export function referenceFromPurl(input: string): ReferenceParse {
  const parsed = parsePurl(input);
  if (!parsed.ok) return parsed;
  const { purl } = parsed;
  const baseName = purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name;
  // For OCI, repository_url is the full registry/repository; otherwise the package name stands.
  const repository = (purl.qualifiers.repository_url ?? baseName).replace(/^[a-z]+:\/\//, "").replace(/\/+$/, "");
  const tag = purl.qualifiers.tag ?? null;
  if (purl.version !== null && /^sha(256|512):/i.test(purl.version)) {
    const digest = parseDigest(purl.version);
    if (!digest.ok) return { ok: false, reason: `purl version: ${digest.reason}` };
    return { ok: true, ref: { pinned: true, digest: digest.digest, repository, tag, purl } };
  }
  if (purl.version !== null && purl.type === "oci") {
    return { ok: false, reason: "an oci purl version must be a digest (sha256:...); use the tag qualifier for tags" };
  }
  return { ok: true, ref: { pinned: false, digest: null, repository, tag: tag ?? purl.version, purl } };
}

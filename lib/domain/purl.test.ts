import { describe, expect, it } from "vitest";
import { parsePurl, referenceFromPurl } from "./purl";

const HEX = "0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";

function parsed(input: string) {
  const result = parsePurl(input);
  if (!result.ok) throw new Error(`expected ${input} to parse: ${result.reason}`);
  return result.purl;
}

function reason(input: string): string {
  const result = parsePurl(input);
  if (result.ok) throw new Error(`expected ${input} to be refused, got ${JSON.stringify(result.purl)}`);
  return result.reason;
}

describe("parsePurl", () => {
  it("decodes a percent-encoded digest version and its qualifiers", () => {
    expect(parsed(`pkg:oci/app@sha256%3A${HEX}?repository_url=registry.acme.dev/app&tag=1.0`)).toEqual({
      type: "oci",
      namespace: null,
      name: "app",
      version: `sha256:${HEX}`,
      qualifiers: { repository_url: "registry.acme.dev/app", tag: "1.0" },
      subpath: null,
    });
  });

  it("parses the CDEvents conformance purl: a namespace of several segments and a commit-like version", () => {
    expect(parsed("pkg:golang/mygit.com/myorg/myapp@234fd47e07d1004f0aed9c")).toEqual({
      type: "golang",
      namespace: "mygit.com/myorg",
      name: "myapp",
      version: "234fd47e07d1004f0aed9c",
      qualifiers: {},
      subpath: null,
    });
  });

  it("parses the spec examples: namespaces, qualifiers and subpaths", () => {
    expect(parsed("pkg:maven/org.apache.commons/io@1.3.4")).toMatchObject({ type: "maven", namespace: "org.apache.commons", name: "io" });
    expect(parsed("pkg:npm/%40angular/animation@12.3.1")).toMatchObject({ namespace: "@angular", name: "animation", version: "12.3.1" });
    expect(parsed("pkg:golang/google.golang.org/genproto#googleapis/api/annotations")).toEqual({
      type: "golang",
      namespace: "google.golang.org",
      name: "genproto",
      version: null,
      qualifiers: {},
      subpath: "googleapis/api/annotations",
    });
    expect(parsed("pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25")).toMatchObject({
      namespace: "fedora",
      name: "curl",
      version: "7.50.3-1.fc25",
      qualifiers: { arch: "i386", distro: "fedora-25" },
    });
  });

  it("lowercases the type and qualifier keys but not values", () => {
    expect(parsed("pkg:OCI/app?Repository_URL=Registry.Acme.dev/App")).toMatchObject({
      type: "oci",
      qualifiers: { repository_url: "Registry.Acme.dev/App" },
    });
  });

  it("decodes qualifier values and the subpath, and drops empty qualifiers", () => {
    expect(parsed("pkg:generic/tool?download_url=https%3A%2F%2Fx.example%2Ft.tgz&empty=#a%20b")).toMatchObject({
      qualifiers: { download_url: "https://x.example/t.tgz" },
      subpath: "a b",
    });
  });

  it("tolerates slashes after pkg: as the spec does", () => {
    expect(parsed("pkg://npm/left-pad@1.0.0")).toMatchObject({ type: "npm", name: "left-pad", version: "1.0.0" });
  });

  it("splits the version at the last @, so an @ inside the namespace survives when encoded", () => {
    expect(parsed("pkg:npm/%40scope/pkg@1.0.0")).toMatchObject({ namespace: "@scope", name: "pkg", version: "1.0.0" });
  });

  it.each([
    ["no scheme", "oci/app@1", 'purl must start with "pkg:"'],
    ["another scheme", "https://example.com/app", 'purl must start with "pkg:"'],
    ["no name", "pkg:oci", "purl must have a type and a name (pkg:type/name)"],
    ["an empty name", "pkg:oci/", "purl name is missing or not valid percent-encoding"],
    ["a bad type", "pkg:1oci/app", 'purl type "1oci" is not valid'],
    ["an empty version", "pkg:oci/app@", "purl version is empty or not valid percent-encoding"],
    ["a bad qualifier pair", "pkg:oci/app?tag", 'purl qualifier "tag" must be key=value'],
    ["a qualifier without a key", "pkg:oci/app?=1.0", 'purl qualifier "=1.0" must be key=value'],
    ["a bad qualifier key", "pkg:oci/app?ta%67=1.0", 'purl qualifier key "ta%67" is not valid'],
  ])("refuses %s", (_label, input, expected) => {
    expect(reason(input)).toBe(expected);
  });

  it.each([
    ["in the version", "pkg:oci/app@sha256%3", "purl version is empty or not valid percent-encoding"],
    ["in the version (not hex)", "pkg:oci/app@%zz", "purl version is empty or not valid percent-encoding"],
    ["in a qualifier", "pkg:oci/app?tag=%E0%A4%A", "purl qualifier tag is not valid percent-encoding"],
    ["in the name", "pkg:oci/a%pp", "purl name is missing or not valid percent-encoding"],
    ["in the namespace", "pkg:oci/acme%/app", "purl name is missing or not valid percent-encoding"],
    ["in the subpath", "pkg:oci/app#%C3%28", "purl subpath is not valid percent-encoding"],
  ])("refuses bad percent-encoding %s", (_label, input, expected) => {
    expect(reason(input)).toBe(expected);
  });

  it("refuses a purl longer than 4096 characters without parsing it", () => {
    expect(reason(`pkg:oci/${"a".repeat(4100)}`)).toBe("purl is longer than 4096 characters");
    expect(parsePurl(`pkg:oci/${"a".repeat(4088)}`).ok).toBe(true);
  });
});

describe("referenceFromPurl", () => {
  it("is pinned when the version is a digest, keeping the repository and tag", () => {
    const result = referenceFromPurl(`pkg:oci/app@sha256%3A${HEX}?repository_url=registry.acme.dev/app&tag=1.0`);
    expect(result).toMatchObject({
      ok: true,
      ref: { pinned: true, digest: `sha256:${HEX}`, repository: "registry.acme.dev/app", tag: "1.0" },
    });
  });

  it("accepts an unencoded colon in the digest version too", () => {
    expect(referenceFromPurl(`pkg:oci/app@sha256:${HEX}`)).toMatchObject({ ok: true, ref: { pinned: true, digest: `sha256:${HEX}` } });
  });

  it("is a mutable reference when only a tag qualifier is given", () => {
    const result = referenceFromPurl("pkg:oci/app?repository_url=registry.acme.dev/app&tag=1.0");
    expect(result).toMatchObject({ ok: true, ref: { pinned: false, digest: null, repository: "registry.acme.dev/app", tag: "1.0" } });
  });

  it("strips a scheme and trailing slashes from repository_url", () => {
    const result = referenceFromPurl(`pkg:oci/app@sha256%3A${HEX}?repository_url=https://registry.acme.dev/app//`);
    expect(result).toMatchObject({ ok: true, ref: { repository: "registry.acme.dev/app", tag: null } });
  });

  it("uses namespace/name as the repository when there is no repository_url", () => {
    expect(referenceFromPurl("pkg:golang/mygit.com/myorg/myapp@234fd47e07d1004f0aed9c")).toMatchObject({
      ok: true,
      // A non-OCI version that is not a digest is kept as the (mutable) version.
      ref: { pinned: false, digest: null, repository: "mygit.com/myorg/myapp", tag: "234fd47e07d1004f0aed9c" },
    });
  });

  it("refuses an oci purl whose version is not a digest, and says to use the tag qualifier", () => {
    const result = referenceFromPurl("pkg:oci/app@1.0?repository_url=registry.acme.dev/app");
    expect(result).toEqual({
      ok: false,
      reason: "an oci purl version must be a digest (sha256:...); use the tag qualifier for tags",
    });
  });

  it("refuses a digest version that is not a valid digest, never fixing it", () => {
    const upper = referenceFromPurl(`pkg:oci/app@sha256%3A${HEX.toUpperCase()}`);
    expect(upper).toEqual({ ok: false, reason: "purl version: digest hex must be lowercase" });
    const short = referenceFromPurl(`pkg:oci/app@sha256%3A${HEX.slice(1)}`);
    expect(short).toEqual({ ok: false, reason: "purl version: sha256 digest must have 64 hex characters, got 63" });
    const algorithm = referenceFromPurl(`pkg:oci/app@SHA256%3A${HEX}`);
    expect(algorithm.ok).toBe(false);
  });

  it("passes the parser's refusal through", () => {
    expect(referenceFromPurl("docker.io/library/nginx:latest")).toEqual({ ok: false, reason: 'purl must start with "pkg:"' });
  });
});

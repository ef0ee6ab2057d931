import { describe, expect, it } from "vitest";
import {
  artifactRefFromImage,
  formatImageReference,
  type ImageReference,
  isRepositoryPath,
  normaliseRegistryHost,
  parseImageReference,
} from "./image-reference";

const HEX = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

function ok(input: string): ImageReference {
  const parsed = parseImageReference(input);
  if (!parsed.ok) throw new Error(`expected ${input} to parse: ${parsed.reason}`);
  return parsed.ref;
}

function reason(input: string): string {
  const parsed = parseImageReference(input);
  if (parsed.ok) throw new Error(`expected ${input} to be refused`);
  return parsed.reason;
}

describe("parseImageReference", () => {
  it("reads registry, repository, tag and digest", () => {
    expect(ok(`registry.acme.dev/app:1.0@sha256:${HEX}`)).toEqual({
      registry: "registry.acme.dev",
      repository: "app",
      name: "registry.acme.dev/app",
      tag: "1.0",
      digest: `sha256:${HEX}`,
      raw: `registry.acme.dev/app:1.0@sha256:${HEX}`,
    });
  });

  it("keeps a fully qualified Docker Hub reference", () => {
    const ref = ok("docker.io/library/nginx:latest");
    expect([ref.registry, ref.repository, ref.name, ref.tag, ref.digest]).toEqual([
      "docker.io",
      "library/nginx",
      "docker.io/library/nginx",
      "latest",
      null,
    ]);
  });

  it("applies Docker Hub defaults only when there is no registry", () => {
    expect(ok("nginx").name).toBe("docker.io/library/nginx");
    expect(ok("nginx").tag).toBeNull();
    expect(ok("acme/app:2").name).toBe("docker.io/acme/app");
    expect(ok("gcr.io/baz/baz").name).toBe("gcr.io/baz/baz");
    expect(ok("gcr.io/baz").name).toBe("gcr.io/baz");
    expect(ok("registry.acme.dev/app").name).toBe("registry.acme.dev/app");
  });

  it("folds Docker Hub's other names into docker.io, as Docker does", () => {
    expect(ok("index.docker.io/library/nginx").name).toBe("docker.io/library/nginx");
    expect(ok("docker.io/nginx").name).toBe("docker.io/library/nginx");
  });

  it("recognises ports, localhost and IPv6 as registries", () => {
    expect(ok("localhost:5000/app:dev")).toMatchObject({ registry: "localhost:5000", repository: "app", tag: "dev" });
    expect(ok("localhost/app").registry).toBe("localhost");
    expect(ok("192.168.100.227:5000/hello-world").name).toBe("192.168.100.227:5000/hello-world");
    expect(ok("[::1]:5000/app").registry).toBe("[::1]:5000");
    // Without a dot, port or "localhost", the first component is a Docker Hub namespace.
    expect(ok("registry/app").name).toBe("docker.io/registry/app");
  });

  it("lowercases the registry host (DNS is case-insensitive) but never the repository", () => {
    expect(ok("Registry.Acme.DEV/app").registry).toBe("registry.acme.dev");
    expect(reason("registry.acme.dev/App")).toMatch(/repository/);
  });

  it("accepts a digest without a tag", () => {
    const ref = ok(`gcr.io/baz/baz@sha256:${HEX}`);
    expect(ref.tag).toBeNull();
    expect(ref.digest).toBe(`sha256:${HEX}`);
  });

  it("refuses bad digests instead of fixing them", () => {
    expect(reason(`registry.acme.dev/app@sha256:${HEX.toUpperCase()}`)).toMatch(/lowercase/);
    expect(reason("registry.acme.dev/app@sha256:0123456789abcdef0")).toMatch(/64 hex/);
    expect(reason(`registry.acme.dev/app@md5:${HEX.slice(0, 32)}`)).toMatch(/unsupported digest algorithm/);
  });

  it("refuses what is not an image reference", () => {
    expect(reason("")).toMatch(/empty/);
    expect(reason("https://registry.acme.dev/app")).toMatch(/scheme/);
    expect(reason("registry.acme.dev/app:")).toMatch(/tag/);
    expect(reason(`registry.acme.dev/app:${"a".repeat(129)}`)).toMatch(/tag/);
    expect(reason("registry.acme.dev/app:-bad")).toMatch(/tag/);
    expect(reason("registry.acme.dev/app name")).toMatch(/whitespace/);
    expect(reason("registry.acme.dev:99999/app")).toMatch(/registry/);
    expect(reason("registry.acme.dev//app")).toMatch(/repository/);
    expect(reason("registry.acme.dev/app--/x")).toMatch(/repository/);
    expect(reason(`registry.acme.dev/${"a".repeat(250)}`)).toMatch(/longer than 255/);
    expect(reason("a".repeat(1025))).toMatch(/1024/);
  });
});

describe("helpers", () => {
  it("formats and converts to an ArtifactRef", () => {
    const ref = ok(`registry.acme.dev/app:1.0@sha256:${HEX}`);
    expect(formatImageReference(ref)).toBe(`registry.acme.dev/app:1.0@sha256:${HEX}`);
    expect(formatImageReference(ok("nginx"))).toBe("docker.io/library/nginx");
    expect(artifactRefFromImage(ref)).toEqual({ digest: `sha256:${HEX}`, repository: "registry.acme.dev/app", tag: "1.0", raw: ref.raw });
  });

  it("normalises registry hosts and checks repository paths", () => {
    expect(normaliseRegistryHost("RegistryCluster.local")).toBe("registrycluster.local");
    expect(normaliseRegistryHost("hostname.local:port")).toBeNull();
    expect(normaliseRegistryHost("bad_host")).toBeNull();
    expect(normaliseRegistryHost("")).toBeNull();
    expect(isRepositoryPath("library/test")).toBe(true);
    expect(isRepositoryPath("Library/test")).toBe(false);
    expect(isRepositoryPath("")).toBe(false);
  });
});

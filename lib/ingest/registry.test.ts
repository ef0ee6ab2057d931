import { describe, expect, it } from "vitest";
import type { AdaptedDocument } from "@/lib/domain/events";
import { fixtureBytes } from "@/tests/helpers/fixtures";
import { adaptRegistryEnvelope, isRegistryMediaType, manifestKind } from "./registry";

const now = new Date("2030-01-01T00:00:00Z");
const HEX = "fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf";
const DIGEST = `sha256:${HEX}`;

function fixture(name: string): unknown {
  return JSON.parse(fixtureBytes("registry", name).toString("utf8"));
}

function accepted(adapted: AdaptedDocument | undefined): Extract<AdaptedDocument, { ok: true }> {
  if (!adapted?.ok) throw new Error(`expected an accepted document, got ${JSON.stringify(adapted)}`);
  return adapted;
}

function refused(adapted: AdaptedDocument | undefined): Extract<AdaptedDocument, { ok: false }> {
  if (adapted === undefined || adapted.ok) throw new Error(`expected a rejection, got ${JSON.stringify(adapted)}`);
  return adapted;
}

function event(overrides: {
  action?: string;
  target?: Record<string, unknown>;
  request?: Record<string, unknown> | null;
  [k: string]: unknown;
}) {
  const { target, request, ...rest } = overrides;
  return {
    id: "0d4c7e3a-1111-4a7e-9c1e-5f0e6d2b8a01",
    timestamp: "2026-03-09T14:44:26.402973972-08:00",
    action: "push",
    target: {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: DIGEST,
      size: 708,
      length: 708,
      repository: "app",
      url: `https://registry.acme.dev/v2/app/manifests/${DIGEST}`,
      tag: "1.0",
      ...target,
    },
    request:
      request === null
        ? undefined
        : { id: "r1", addr: "10.0.0.9:41234", host: "registry.acme.dev", method: "PUT", useragent: "docker/27", ...request },
    actor: { name: "ci" },
    source: { addr: "registry-0:5000", instanceID: "a53db899" },
    ...rest,
  };
}

describe("adaptRegistryEnvelope: the distribution fixtures", () => {
  it("refuses the push envelope's invalid first digest and keeps the other events", () => {
    const results = adaptRegistryEnvelope(fixture("distribution-push-envelope.json"), { now });
    expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
    const first = refused(results[0]?.adapted);
    expect(first.errors).toEqual([{ path: "$.events[0].target.digest", message: expect.stringMatching(/64 hex characters, got 17/) }]);
    for (const [i, result] of results.slice(1).entries()) {
      const doc = accepted(result.adapted);
      expect(doc.eventId).toBe(`asdf-asdf-asdf-asdf-${i + 1}`);
      expect(doc.eventSource).toBe("registry:registrycluster.local");
      expect(doc.documentType).toBe("registry/push");
      // Layers are not artefacts: evidence only.
      expect(doc.events).toEqual([]);
      expect(doc.notes.join(" ")).toMatch(/blob push \(application\/vnd\.docker\.container\.image\.rootfs\.diff\+x-gtar\)/);
    }
  });

  it("keeps the pull event as evidence only", () => {
    const results = adaptRegistryEnvelope(fixture("distribution-pull-event.json"), { now });
    expect(results).toHaveLength(1);
    const doc = accepted(results[0]?.adapted);
    expect(doc).toMatchObject({
      eventId: "320678d8-ca14-430f-8bb6-4ca139cd83f7",
      eventSource: "registry:192.168.100.227:5000",
      documentType: "registry/pull",
      events: [],
    });
    expect(doc.notes.join(" ")).toMatch(/evidence only/);
  });
});

describe("adaptRegistryEnvelope: pushes", () => {
  it("turns a tagged manifest push into an artefact and a tag", () => {
    const [result] = adaptRegistryEnvelope({ events: [event({})] }, { now });
    const doc = accepted(result?.adapted);
    const occurredAt = new Date("2026-03-09T22:44:26.402Z");
    expect(doc.eventSource).toBe("registry:registry.acme.dev");
    expect(doc.events).toEqual([
      {
        type: "artifact.published",
        occurredAt,
        artifact: { digest: DIGEST, repository: "registry.acme.dev/app", tag: "1.0", raw: `registry.acme.dev/app:1.0@${DIGEST}` },
        kind: "oci_image",
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        sizeBytes: 708,
      },
      {
        type: "tag.pushed",
        occurredAt,
        repository: "registry.acme.dev/app",
        tag: "1.0",
        digest: DIGEST,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        sizeBytes: 708,
      },
    ]);
  });

  it("records an index pushed by digest as an artefact without a tag", () => {
    const [result] = adaptRegistryEnvelope(
      { events: [event({ target: { tag: undefined, mediaType: "application/vnd.docker.distribution.manifest.list.v2+json" } })] },
      { now },
    );
    const doc = accepted(result?.adapted);
    expect(doc.events).toHaveLength(1);
    expect(doc.events[0]).toMatchObject({
      type: "artifact.published",
      kind: "oci_index",
      artifact: { tag: null, repository: "registry.acme.dev/app" },
    });
    expect(doc.notes.join(" ")).toMatch(/without a tag/);
  });

  it("names the registry from target.url when request.host is missing, and folds Docker Hub names", () => {
    const [fromUrl] = adaptRegistryEnvelope({ events: [event({ request: null })] }, { now });
    expect(accepted(fromUrl?.adapted).events[1]).toMatchObject({ repository: "registry.acme.dev/app" });
    const [hub] = adaptRegistryEnvelope(
      { events: [event({ target: { repository: "nginx" }, request: { host: "index.docker.io" } })] },
      { now },
    );
    expect(accepted(hub?.adapted).events[1]).toMatchObject({ repository: "docker.io/library/nginx" });
  });

  it("prefers request.host over the target.url host, so pushes and deletes name the same repository", () => {
    const envelope = {
      events: [
        event({ target: { url: `http://internal-lb.svc/v2/app/manifests/${DIGEST}` } }),
        event({
          id: "2",
          action: "delete",
          target: { mediaType: undefined, digest: undefined, url: undefined, size: undefined, length: undefined },
        }),
      ],
    };
    const [push, del] = adaptRegistryEnvelope(envelope, { now });
    expect(accepted(push?.adapted).events[1]).toMatchObject({ type: "tag.pushed", repository: "registry.acme.dev/app", tag: "1.0" });
    expect(accepted(del?.adapted).events).toEqual([
      { type: "tag.deleted", occurredAt: new Date("2026-03-09T22:44:26.402Z"), repository: "registry.acme.dev/app", tag: "1.0" },
    ]);
  });

  it("uses `now` only when the timestamp is missing", () => {
    const [result] = adaptRegistryEnvelope({ events: [event({ timestamp: undefined })] }, { now });
    const doc = accepted(result?.adapted);
    expect(doc.events[0]?.occurredAt).toEqual(now);
    expect(doc.notes.join(" ")).toMatch(/no timestamp/);
  });
});

describe("adaptRegistryEnvelope: deletes and other actions", () => {
  it("turns a manifest deletion by digest into artifact.deleted", () => {
    const [result] = adaptRegistryEnvelope(
      {
        events: [
          event({ action: "delete", target: { tag: undefined, mediaType: undefined, url: undefined, size: undefined, length: undefined } }),
        ],
      },
      { now },
    );
    const doc = accepted(result?.adapted);
    expect(doc.documentType).toBe("registry/delete");
    expect(doc.events).toEqual([
      {
        type: "artifact.deleted",
        occurredAt: new Date("2026-03-09T22:44:26.402Z"),
        artifact: { digest: DIGEST, repository: "registry.acme.dev/app", tag: null, raw: `registry.acme.dev/app@${DIGEST}` },
        mediaType: null,
      },
    ]);
  });

  it("keeps blob and repository deletions, pulls and mounts as evidence", () => {
    const results = adaptRegistryEnvelope(
      {
        events: [
          event({ action: "delete", target: { tag: undefined, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" } }),
          event({ action: "delete", target: { tag: undefined, digest: undefined, mediaType: undefined } }),
          event({ action: "pull" }),
          event({ action: "mount", target: { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", tag: undefined } }),
        ],
      },
      { now },
    );
    for (const result of results) expect(accepted(result.adapted).events).toEqual([]);
    expect(accepted(results[1]?.adapted).notes.join(" ")).toMatch(/repository was deleted/);
  });

  it("refuses bad fields, each event on its own", () => {
    const results = adaptRegistryEnvelope(
      {
        events: [
          event({ target: { digest: DIGEST.toUpperCase().replace("SHA256", "sha256") } }),
          event({ target: { tag: "bad tag" } }),
          event({ target: { repository: "App" } }),
          event({ action: "replicate" }),
          event({ timestamp: "yesterday" }),
          event({ id: "" }),
          event({ target: { digest: undefined } }),
          event({ request: { host: "not a host" }, target: { url: "nonsense" }, source: { addr: "hostname.local:port" } }),
          { id: "x" },
          "not an event",
          event({}),
        ],
      },
      { now },
    );
    const paths = results.map((r) => (r.adapted.ok ? "ok" : r.adapted.errors.map((e) => e.path).join(",")));
    expect(paths).toEqual([
      "$.events[0].target.digest",
      "$.events[1].target.tag",
      "$.events[2].target.repository",
      "$.events[3].action",
      "$.events[4].timestamp",
      "$.events[5].id",
      "$.events[6].target.digest",
      "$.events[7].request.host",
      "$.events[8].action,$.events[8].target",
      "$.events[9]",
      "ok",
    ]);
    expect(refused(results[0]?.adapted).errors[0]?.message).toMatch(/lowercase/);
  });

  it("refuses an unusable envelope as a whole", () => {
    for (const [body, path] of [
      [null, "$"],
      [[], "$"],
      [{}, "$.events"],
      [{ events: {} }, "$.events"],
      [{ events: [] }, "$.events"],
      [{ events: Array.from({ length: 1001 }, () => event({})) }, "$.events"],
    ] as const) {
      const results = adaptRegistryEnvelope(body, { now });
      expect(results).toHaveLength(1);
      expect(refused(results[0]?.adapted).errors[0]?.path).toBe(path);
    }
  });
});

describe("media types", () => {
  it("recognises the envelope media types", () => {
    expect(isRegistryMediaType("application/vnd.docker.distribution.events.v1+json")).toBe(true);
    expect(isRegistryMediaType("application/vnd.docker.distribution.events.v2+json; charset=utf-8")).toBe(true);
    expect(isRegistryMediaType("Application/VND.docker.distribution.events.v2+JSON")).toBe(true);
    expect(isRegistryMediaType("application/json")).toBe(false);
    expect(isRegistryMediaType("")).toBe(false);
    expect(isRegistryMediaType(null)).toBe(false);
  });

  it("tells manifests from blobs", () => {
    expect(manifestKind("application/vnd.oci.image.manifest.v1+json")).toBe("oci_image");
    expect(manifestKind("application/vnd.docker.distribution.manifest.v2+json")).toBe("oci_image");
    expect(manifestKind("application/vnd.oci.image.index.v1+json")).toBe("oci_index");
    expect(manifestKind("application/vnd.docker.container.image.rootfs.diff+x-gtar")).toBeNull();
    expect(manifestKind(undefined)).toBeNull();
  });
});

describe("adaptRegistryEnvelope: an index's platform manifests (target.references)", () => {
  const INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
  const AMD = `sha256:${"a".repeat(64)}`;
  const ARM = `sha256:${"b".repeat(64)}`;
  const LAYER = `sha256:${"c".repeat(64)}`;

  it("lists each platform manifest with its platform, and leaves blobs out", () => {
    const [result] = adaptRegistryEnvelope(
      {
        events: [
          event({
            target: {
              mediaType: INDEX_TYPE,
              references: [
                {
                  mediaType: "application/vnd.oci.image.manifest.v1+json",
                  digest: AMD,
                  size: 1203,
                  platform: { os: "linux", architecture: "amd64" },
                },
                {
                  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
                  digest: ARM,
                  size: 1100,
                  platform: { os: "linux", architecture: "arm64", variant: "v8" },
                },
                { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: LAYER, size: 9 },
                { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: AMD, size: 1203 },
              ],
            },
          }),
        ],
      },
      { now },
    );
    const doc = accepted(result?.adapted);
    expect(doc.events[0]).toMatchObject({
      type: "artifact.published",
      kind: "oci_index",
      manifests: [
        { digest: AMD, kind: "oci_image", sizeBytes: 1203, platform: "linux/amd64" },
        { digest: ARM, kind: "oci_image", sizeBytes: 1100, platform: "linux/arm64/v8" },
      ],
    });
    expect(doc.notes.join(" ")).toMatch(/listing 2 platform manifests/);
  });

  it("keeps an image manifest's references (layers) out of the lineage", () => {
    const [result] = adaptRegistryEnvelope(
      { events: [event({ target: { references: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: AMD }] } })] },
      { now },
    );
    const doc = accepted(result?.adapted);
    expect(doc.events[0]).not.toHaveProperty("manifests");
  });

  it("says so when an index push carries no references", () => {
    const [result] = adaptRegistryEnvelope({ events: [event({ target: { mediaType: INDEX_TYPE } })] }, { now });
    expect(accepted(result?.adapted).notes.join(" ")).toMatch(/platform manifests are not known/);
  });

  it("refuses a reference with a bad digest or a references field of the wrong type, naming it", () => {
    const [bad] = adaptRegistryEnvelope(
      {
        events: [
          event({
            target: {
              mediaType: INDEX_TYPE,
              references: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:ABC" }],
            },
          }),
        ],
      },
      { now },
    );
    expect(refused(bad?.adapted).errors.map((e) => e.path)).toEqual(["$.events[0].target.references[0].digest"]);
    const [wrong] = adaptRegistryEnvelope({ events: [event({ target: { mediaType: INDEX_TYPE, references: "all" } })] }, { now });
    expect(refused(wrong?.adapted).errors[0]?.path).toBe("$.events[0].target.references");
  });
});

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AdaptedDocument } from "@/lib/domain/events";
import { adaptCdevent, supportedCdeventTypes } from "./cdevents";

const HEX = "0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";

/** The shared, unedited CDEvents conformance examples (../shared, or VITRINE_SHARED_DIR). */
function conformance(name: string): Record<string, unknown> {
  const candidates = [
    path.join(process.cwd(), "..", "shared", "fixtures", "cdevents", "conformance", name),
    ...(process.env.VITRINE_SHARED_DIR ? [path.join(process.env.VITRINE_SHARED_DIR, "fixtures", "cdevents", "conformance", name)] : []),
  ];
  const file = candidates.find((c) => existsSync(c));
  if (!file) throw new Error(`fixture ${name} not found: set VITRINE_SHARED_DIR to the shared folder`);
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

type Ok = Extract<AdaptedDocument, { ok: true }>;
type Refused = Extract<AdaptedDocument, { ok: false }>;

function accepted(doc: unknown): Ok {
  const result = adaptCdevent(doc);
  if (!result.ok) throw new Error(`expected the event to be accepted: ${result.detail} ${JSON.stringify(result.errors)}`);
  return result;
}

function refused(doc: unknown): Refused {
  const result = adaptCdevent(doc);
  if (result.ok) throw new Error(`expected the event to be refused, got ${JSON.stringify(result.events)}`);
  return result;
}

/** A deep copy of the fixture with `change` applied. */
function variant(change: (doc: { context: Record<string, unknown>; subject: Record<string, unknown> }) => void) {
  const doc = structuredClone(conformance("artifact_published.json")) as {
    context: Record<string, unknown>;
    subject: Record<string, unknown>;
  };
  change(doc);
  return doc;
}

describe("adaptCdevent: artifact.published", () => {
  it("accepts the conformance fixture; its purl has no digest, so it is evidence only", () => {
    const result = accepted(conformance("artifact_published.json"));
    expect(result).toMatchObject({
      eventId: "271069a8-fc18-44f1-b38f-9d70a1695819",
      eventSource: "/event/source/123",
      documentType: "dev.cdevents.artifact.published.0.3.0",
    });
    // No artefact can be recorded without a digest: nothing in the domain, a note that says why.
    expect(result.events).toEqual([]);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(/no digest.*evidence/);
  });

  it("yields the digest, repository and tag of a purl pinned by digest", () => {
    const purl = `pkg:oci/myapp@sha256%3A${HEX}?repository_url=registry.acme.dev/myorg/myapp&tag=1.0`;
    const result = accepted(variant((d) => (d.subject.id = purl)));
    expect(result.notes).toEqual([]);
    expect(result.events).toEqual([
      {
        type: "artifact.published",
        occurredAt: new Date("2023-03-20T14:27:05.315Z"),
        artifact: { digest: `sha256:${HEX}`, repository: "registry.acme.dev/myorg/myapp", tag: "1.0", raw: purl },
        kind: "oci_image",
        source: null,
      },
      {
        type: "tag.pushed",
        occurredAt: new Date("2023-03-20T14:27:05.315Z"),
        repository: "registry.acme.dev/myorg/myapp",
        tag: "1.0",
        digest: `sha256:${HEX}`,
      },
    ]);
  });

  it("records no tag when the pinned purl names none", () => {
    const result = accepted(variant((d) => (d.subject.id = `pkg:oci/myapp@sha256%3A${HEX}?repository_url=registry.acme.dev/myapp`)));
    expect(result.events.map((e) => e.type)).toEqual(["artifact.published"]);
  });

  it("refuses a digest in uppercase rather than fixing it, naming $.subject.id", () => {
    const result = refused(variant((d) => (d.subject.id = `pkg:oci/myapp@sha256%3A${HEX.toUpperCase()}`)));
    expect(result.errors).toEqual([{ path: "$.subject.id", message: "purl version: digest hex must be lowercase" }]);
  });

  it.each([
    ["not a purl", "registry.acme.dev/myapp:1.0", 'purl must start with "pkg:"'],
    [
      "a digest of the wrong length",
      `pkg:oci/myapp@sha256%3A${HEX.slice(2)}`,
      "purl version: sha256 digest must have 64 hex characters, got 62",
    ],
    ["an oci tag as the version", "pkg:oci/myapp@1.0", "an oci purl version must be a digest (sha256:...); use the tag qualifier for tags"],
    ["bad percent-encoding", "pkg:oci/myapp@sha256%3", "purl version is empty or not valid percent-encoding"],
  ])("refuses a subject.id that is %s", (_label, id, message) => {
    const result = refused(variant((d) => (d.subject.id = id)));
    expect(result.errors).toEqual([{ path: "$.subject.id", message }]);
    expect(result.detail).toContain("subject.id is not a usable package URL");
  });
});

describe("adaptCdevent: refusals", () => {
  it("refuses a CDEvents 0.4 event and says why (Vitrine speaks 0.5.x)", () => {
    const result = refused(variant((d) => (d.context.specversion = "0.4.1")));
    expect(result.errors).toEqual([{ path: "$.context.specversion", message: "must be 0.5.x" }]);
    expect(result.detail).toMatch(/CDEvents 0\.4\.1 is not supported/);
    expect(result.detail).toContain("0.5");
  });

  it.each(["1.0.0", "0.5", "v0.5.1", "0.6.0"])("refuses specversion %j", (specversion) => {
    expect(refused(variant((d) => (d.context.specversion = specversion))).errors[0]?.path).toBe("$.context.specversion");
  });

  it("refuses an event type CDEvents 0.5.1 does not define", () => {
    const result = refused(variant((d) => (d.context.type = "dev.cdevents.spaceship.launched.0.1.0")));
    expect(result.errors).toEqual([{ path: "$.context.type", message: "is not a CDEvents 0.5.1 type" }]);
    expect(result.detail).toContain("Unknown CDEvents type");
  });

  it("refuses a known event with a version 0.5.1 does not define, naming the right one", () => {
    const result = refused(variant((d) => (d.context.type = "dev.cdevents.artifact.published.0.1.0")));
    expect(result.errors).toEqual([{ path: "$.context.type", message: "must be dev.cdevents.artifact.published.0.3.0" }]);
  });

  it("knows every CDEvents 0.5.1 type, one version each", () => {
    const types = supportedCdeventTypes();
    expect(types).toContain("dev.cdevents.artifact.published.0.3.0");
    expect(types).toContain("dev.cdevents.service.deployed.0.3.0");
    const names = types.map((t) => t.replace(/\.\d+\.\d+\.\d+$/, ""));
    expect(new Set(names).size).toBe(types.length);
  });

  it.each([
    ["null", null],
    ["an array", []],
    ["a string", "artifact.published"],
    ["a number", 42],
  ])("refuses %s at $", (_label, doc) => {
    expect(refused(doc).errors).toEqual([{ path: "$", message: "must be an object" }]);
  });

  it("refuses a missing context", () => {
    expect(refused({ subject: {} }).errors).toEqual([{ path: "$.context", message: "must be an object" }]);
  });

  it.each<[string, (d: { context: Record<string, unknown>; subject: Record<string, unknown> }) => void, string]>([
    ["a numeric id", (d) => (d.context.id = 42), "$.context.id"],
    ["an empty id", (d) => (d.context.id = ""), "$.context.id"],
    ["a missing id", (d) => delete d.context.id, "$.context.id"],
    ["a missing source", (d) => delete d.context.source, "$.context.source"],
    ["a timestamp that is not a date-time", (d) => (d.context.timestamp = "yesterday"), "$.context.timestamp"],
    ["a numeric timestamp", (d) => (d.context.timestamp = 1679322425), "$.context.timestamp"],
    ["a numeric subject id", (d) => (d.subject.id = 7), "$.subject.id"],
    ["a missing subject content", (d) => delete d.subject.content, "$.subject.content"],
    ["an unknown context field", (d) => (d.context.colour = "blue"), "$.context.colour"],
    ["a bad link", (d) => ((d.context.links as unknown[])[0] = { linkType: "NOPE" }), "$.context.links[0]"],
  ])("refuses %s, naming its JSON path", (_label, change, pathPrefix) => {
    const result = refused(variant(change));
    expect(result.detail).toContain("does not match the CDEvents 0.5.1 schema");
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.map((e) => e.path)).toContainEqual(
      expect.stringMatching(new RegExp(`^${pathPrefix.replace(/[$.[\]]/g, "\\$&")}`)),
    );
  });

  it("names every bad field at once", () => {
    const result = refused(
      variant((d) => {
        d.context.id = 1;
        d.context.timestamp = "soon";
        d.subject.id = false;
      }),
    );
    const paths = result.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["$.context.id", "$.context.timestamp", "$.subject.id"]));
  });

  it("does not echo an enormous type back in full", () => {
    const result = refused(variant((d) => (d.context.type = `dev.cdevents.${"x".repeat(10_000)}`)));
    expect(result.detail.length).toBeLessThan(300);
  });
});

describe("adaptCdevent: other conformance fixtures", () => {
  it("turns service_deployed into a deployment of a pinned artefact", () => {
    const result = accepted(conformance("service_deployed.json"));
    expect(result.events).toEqual([
      expect.objectContaining({
        type: "deployment.started",
        environment: "test123",
        workload: "mySubject123",
        artifact: expect.objectContaining({ digest: `sha256:${HEX}` }),
      }),
    ]);
  });

  it("notes that a deployment naming a tag is not pinned", () => {
    const doc = structuredClone(conformance("service_deployed.json")) as { subject: { content: Record<string, unknown> } };
    doc.subject.content.artifactId = "pkg:oci/myapp?repository_url=registry.acme.dev/myapp&tag=1.0";
    const result = accepted(doc);
    expect(result.events[0]).toMatchObject({ artifact: { digest: null, tag: "1.0", repository: "registry.acme.dev/myapp" } });
    expect(result.notes.join(" ")).toMatch(/not pinned/);
  });
});

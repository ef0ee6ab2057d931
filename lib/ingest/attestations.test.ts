import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/domain/canonical-json";
import type { AdaptedDocument, AttestationSubmitted } from "@/lib/domain/events";
import { fixtureBytes } from "@/tests/helpers/fixtures";
import { adaptAttestationRequest, splitGitUri } from "./attestations";

const now = new Date("2026-01-15T12:00:00Z");
const A_TXT = `sha256:${createHash("sha256").update(fixtureBytes("sigstore", "a.txt")).digest("hex")}`;
const D_TXT = `sha256:${createHash("sha256")
  .update(fixtureBytes("sigstore", "intoto-with-custom-trust-root", "artifact"))
  .digest("hex")}`;
const HEX64 = "0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";
const SLSA_V1 = "https://slsa.dev/provenance/v1";

type Json = Record<string, unknown>;
type Path = Array<string | number>;
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");
function json(...parts: string[]): Json {
  return JSON.parse(fixtureBytes(...parts).toString("utf8")) as Json;
}
function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}
function str(value: unknown, path: Path): string {
  const found = at(value, path);
  if (typeof found !== "string") throw new Error(`no string at ${path.join(".")}`);
  return found;
}
/** A deep copy with each [path, value] set: one bad field per test. */
function patch<T>(value: T, ...edits: Array<[Path, unknown]>): T {
  const copy = structuredClone(value);
  for (const [path, replacement] of edits) {
    (at(copy, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1] as string | number] = replacement;
  }
  return copy;
}
function decodedPayload(envelope: unknown): Json {
  return JSON.parse(Buffer.from(str(envelope, ["payload"]), "base64").toString("utf8")) as Json;
}
function accepted(result: AdaptedDocument): { doc: Extract<AdaptedDocument, { ok: true }>; event: AttestationSubmitted } {
  if (!result.ok) throw new Error(`rejected: ${result.detail} ${JSON.stringify(result.errors)}`);
  expect(result.events).toHaveLength(1);
  return { doc: result, event: result.events[0] as AttestationSubmitted };
}
function rejectedPaths(result: AdaptedDocument): string[] {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.events).slice(0, 300)}`);
  return result.errors.map((e) => e.path);
}

const DSSE_CASES: Array<[string, string]> = [
  ["dsse-mismatch-sig_fail", A_TXT],
  ["happy-path-intoto-in-dsse-v3", A_TXT],
  ["intoto-with-custom-trust-root", D_TXT],
  ["rekor2-dsse-happy-path", A_TXT],
];

describe("adaptAttestationRequest: Sigstore bundles", () => {
  it.each(DSSE_CASES)("accepts the %s fixture with its subject and predicate type", (name, subject) => {
    const bundle = json("sigstore", name, "bundle.sigstore.json");
    const { doc, event } = accepted(adaptAttestationRequest({ artifact: subject, bundle }, { now }));
    expect(doc).toMatchObject({ eventId: null, eventSource: null, documentType: "attestation/sigstore-bundle", notes: expect.any(Array) });
    expect(doc.notes.join(" ")).not.toMatch(/mismatch/);
    expect(event).toMatchObject({
      type: "attestation.submitted",
      occurredAt: now,
      envelope: "sigstore-bundle",
      statementType: "https://in-toto.io/Statement/v1",
      predicateType: SLSA_V1,
      subjects: [{ name: subject === A_TXT ? "a.txt" : "d.txt", digest: subject }],
    });
    expect(event.material.bundle).toBe(bundle);
    expect(event.provenance).toMatchObject({ type: "build.finished", outcome: "success", outputs: [{ digest: subject }] });
  });

  it("turns SLSA provenance v1 into a build with its source commit", () => {
    const { event } = accepted(
      adaptAttestationRequest({ bundle: json("sigstore", "happy-path-intoto-in-dsse-v3", "bundle.sigstore.json") }, { now }),
    );
    expect(event.provenance).toEqual({
      type: "build.finished",
      occurredAt: now,
      builderId: "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main",
      invocationId: "https://github.com/loosebazooka/aa-test/actions/runs/11941425487/attempts/1",
      buildType: "https://actions.github.io/buildtypes/workflow/v1",
      startedAt: null,
      finishedAt: null,
      outcome: "success",
      sources: [
        {
          repository: "https://github.com/loosebazooka/aa-test",
          commit: "ebff8dfbd609b7b22237c7719ce07f2dc7934f5f",
          ref: "refs/heads/main",
        },
      ],
      inputs: [],
      outputs: [{ digest: A_TXT, repository: "a.txt", tag: null, raw: "a.txt" }],
    });
  });

  it("identifies a build without invocationId by the statement's hash", () => {
    const bundle = json("sigstore", "rekor2-dsse-happy-path", "bundle.sigstore.json");
    const { doc, event } = accepted(adaptAttestationRequest({ bundle }, { now }));
    const hash = createHash("sha256")
      .update(canonicalJson(decodedPayload(at(bundle, ["dsseEnvelope"]))))
      .digest("hex");
    expect(event.provenance?.invocationId).toBe(`sha256:${hash}`);
    expect(event.provenance?.builderId).toBe("https://github.com/sigstore-conformance/rekor2-dsse-hashedrekord-regen");
    expect(doc.notes.join(" ")).toMatch(/no invocationId/);
  });

  it("accepts the cosign attestation bundle (Statement v0.1, not provenance)", () => {
    const { event } = accepted(adaptAttestationRequest({ bundle: json("cosign", "oci-attestation.sigstore.json") }, { now }));
    expect(event).toMatchObject({
      envelope: "sigstore-bundle",
      statementType: "https://in-toto.io/Statement/v0.1",
      predicateType: "https://cosign.sigstore.dev/attestation/v1",
      subjects: [{ name: "127.0.0.1:60943/repo", digest: "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4" }],
      provenance: null,
    });
    expect(event.material.signerHint).toMatchObject({ identity: "cody@soyland.com", issuer: "https://github.com/login/oauth" });
  });

  it("accepts an artefact that is not a subject, with a note for the verifier", () => {
    const { doc, event } = accepted(
      adaptAttestationRequest(
        { artifact: `sha256:${HEX64}`, bundle: json("sigstore", "happy-path-intoto-in-dsse-v3", "bundle.sigstore.json") },
        { now },
      ),
    );
    expect(doc.notes.join(" ")).toMatch(/not among the statement's subjects/);
    expect(event.material.artifact).toBe(`sha256:${HEX64}`);
  });

  it("refuses a message-signature bundle: it is a signature", () => {
    const result = adaptAttestationRequest({ bundle: json("sigstore", "happy-path-v0.3", "bundle.sigstore.json") }, { now });
    expect(rejectedPaths(result)).toEqual(["$.bundle.messageSignature"]);
  });

  it("names the decoded payload when a bundle's statement is bad", () => {
    const bundle = json("sigstore", "happy-path-intoto-in-dsse-v3", "bundle.sigstore.json");
    const statement = decodedPayload(at(bundle, ["dsseEnvelope"]));
    const digestPath: Path = ["subject", 0, "digest", "sha256"];
    const upper = patch(statement, [digestPath, str(statement, digestPath).toUpperCase()]);
    const result = adaptAttestationRequest({ bundle: patch(bundle, [["dsseEnvelope", "payload"], b64(upper)]) }, { now });
    expect(rejectedPaths(result)).toEqual(["$.bundle.dsseEnvelope.payload(decoded).subject[0].digest.sha256"]);
  });

  it("rejects a bundle with a wrong media type", () => {
    const bundle = { ...json("sigstore", "happy-path-intoto-in-dsse-v3", "bundle.sigstore.json"), mediaType: "application/json" };
    expect(rejectedPaths(adaptAttestationRequest({ bundle }, { now }))).toEqual(["$.bundle.mediaType"]);
  });
});

describe("adaptAttestationRequest: DSSE envelopes", () => {
  const fixtureEnvelope = () => at(json("sigstore", "intoto-with-custom-trust-root", "bundle.sigstore.json"), ["dsseEnvelope"]) as Json;

  it("accepts a bare DSSE envelope", () => {
    const envelope = fixtureEnvelope();
    const { doc, event } = accepted(adaptAttestationRequest({ envelope }, { now }));
    expect(doc.documentType).toBe("attestation/dsse");
    expect(event).toMatchObject({ envelope: "dsse", subjects: [{ name: "d.txt", digest: D_TXT }], predicateType: SLSA_V1 });
    expect(event.material).toEqual({ envelope });
    expect(event.provenance?.sources).toEqual([
      {
        repository: "https://github.com/sigstore/sigstore-conformance",
        commit: "c5f5fb255163ed85ddb32d54dcdd710ac3f04603",
        ref: "refs/heads/main",
      },
    ]);
  });

  it.each<[string, (e: Json) => unknown, string]>([
    ["missing signatures", (e) => ({ ...e, signatures: undefined }), "$.envelope.signatures"],
    ["no signatures", (e) => ({ ...e, signatures: [] }), "$.envelope.signatures"],
    ["a wrong payload type", (e) => ({ ...e, payloadType: "application/json" }), "$.envelope.payloadType"],
    ["a truncated payload", (e) => ({ ...e, payload: str(e, ["payload"]).slice(0, 13) }), "$.envelope.payload"],
    ["a payload that is not JSON", (e) => ({ ...e, payload: b64("<xml/>") }), "$.envelope.payload(decoded)"],
    ["an envelope that is an array", () => [], "$.envelope"],
  ])("rejects %s", (_label, mutate, path) => {
    expect(rejectedPaths(adaptAttestationRequest({ envelope: mutate(fixtureEnvelope()) }, { now }))).toContain(path);
  });
});

describe("adaptAttestationRequest: bare statements and SLSA", () => {
  const provenanceV1 = (predicate: Json = {}): Json => ({
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: "registry.acme.dev/app", digest: { sha256: HEX64 } }],
    predicateType: SLSA_V1,
    predicate: {
      buildDefinition: {
        buildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
        resolvedDependencies: [
          { uri: "git+https://github.com/acme/app@refs/tags/v1.2.0", digest: { gitCommit: "a".repeat(40) } },
          { uri: "pkg:docker/library/alpine@3.20?repository_url=docker.io/library/alpine", digest: { sha256: "b".repeat(64) } },
          { uri: "https://example.com/tool.tar.gz", digest: { sha512: "c".repeat(128) } },
          { uri: "https://example.com/unpinned" },
        ],
      },
      runDetails: {
        builder: { id: "https://github.com/actions/runner/github-hosted" },
        metadata: { invocationId: "run-42", startedOn: "2026-01-10T10:00:00Z", finishedOn: "2026-01-10T10:05:00.5Z" },
      },
      ...predicate,
    },
  });

  it("accepts a bare statement as unsigned evidence, with inputs and times", () => {
    const statement = provenanceV1();
    const { doc, event } = accepted(adaptAttestationRequest({ statement }, { now }));
    expect(doc.documentType).toBe("attestation/bare");
    expect(doc.notes.join(" ")).toMatch(/unsigned evidence/);
    expect(event.envelope).toBe("bare");
    expect(event.material).toEqual({ statement });
    expect(event.provenance).toMatchObject({
      occurredAt: new Date("2026-01-10T10:05:00.500Z"),
      startedAt: new Date("2026-01-10T10:00:00Z"),
      finishedAt: new Date("2026-01-10T10:05:00.500Z"),
      invocationId: "run-42",
      sources: [{ repository: "https://github.com/acme/app", commit: "a".repeat(40), ref: "refs/tags/v1.2.0" }],
      inputs: [
        {
          digest: `sha256:${"b".repeat(64)}`,
          repository: "docker.io/library/alpine",
          tag: "3.20",
          raw: "pkg:docker/library/alpine@3.20?repository_url=docker.io/library/alpine",
        },
        {
          digest: `sha512:${"c".repeat(128)}`,
          repository: "https://example.com/tool.tar.gz",
          tag: null,
          raw: "https://example.com/tool.tar.gz",
        },
      ],
      outputs: [{ digest: `sha256:${HEX64}`, repository: "registry.acme.dev/app" }],
    });
  });

  it("reads SLSA provenance v0.2 as best effort", () => {
    const statement = {
      _type: "https://in-toto.io/Statement/v0.1",
      subject: [{ name: "app", digest: { sha256: HEX64 } }],
      predicateType: "https://slsa.dev/provenance/v0.2",
      predicate: {
        builder: {
          id: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0",
        },
        buildType: "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
        invocation: {
          configSource: {
            uri: "git+https://github.com/acme/app@refs/heads/main",
            digest: { sha1: "d".repeat(40) },
            entryPoint: ".github/workflows/release.yml",
          },
        },
        metadata: { buildInvocationId: "123-1", buildStartedOn: "2026-01-10T10:00:00Z" },
        materials: [
          { uri: "git+https://github.com/acme/app@refs/heads/main", digest: { sha1: "d".repeat(40) } },
          { uri: `pkg:oci/golang@sha256%3A${"e".repeat(64)}`, digest: { sha256: "e".repeat(64) } },
        ],
      },
    };
    const { event } = accepted(adaptAttestationRequest({ statement }, { now }));
    expect(event.provenance).toMatchObject({
      builderId: statement.predicate.builder.id,
      invocationId: "123-1",
      buildType: "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
      startedAt: new Date("2026-01-10T10:00:00Z"),
      finishedAt: null,
      occurredAt: new Date("2026-01-10T10:00:00Z"),
      sources: [{ repository: "https://github.com/acme/app", commit: "d".repeat(40), ref: "refs/heads/main" }],
      inputs: [{ digest: `sha256:${"e".repeat(64)}` }],
    });
    const broken = accepted(adaptAttestationRequest({ statement: { ...statement, predicate: { buildType: "x" } } }, { now }));
    expect(broken.event.provenance).toBeNull();
    expect(broken.doc.notes.join(" ")).toMatch(/v0.2 predicate/);
  });

  it.each<[string, Json, string]>([
    ["an unknown statement type", { ...provenanceV1(), _type: "https://in-toto.io/Statement/v0.3" }, "$.statement._type"],
    ["a missing predicate type", { ...provenanceV1(), predicateType: undefined }, "$.statement.predicateType"],
    [
      "an uppercase subject digest",
      { ...provenanceV1(), subject: [{ digest: { sha256: HEX64.toUpperCase() } }] },
      "$.statement.subject[0].digest.sha256",
    ],
    ["a subject with only a sha1", { ...provenanceV1(), subject: [{ digest: { sha1: "a".repeat(40) } }] }, "$.statement.subject[0].digest"],
    ["no subject", { ...provenanceV1(), subject: undefined }, "$.statement.subject"],
    ["a v1 predicate without builder", provenanceV1({ runDetails: {} }), "$.statement.predicate.runDetails.builder"],
    ["a v1 predicate without buildType", provenanceV1({ buildDefinition: {} }), "$.statement.predicate.buildDefinition.buildType"],
    [
      "a bad startedOn",
      provenanceV1({ runDetails: { builder: { id: "b" }, metadata: { startedOn: "yesterday" } } }),
      "$.statement.predicate.runDetails.metadata.startedOn",
    ],
    [
      "an uppercase gitCommit",
      provenanceV1({
        buildDefinition: { buildType: "t", resolvedDependencies: [{ uri: "git+https://x/y", digest: { gitCommit: "A".repeat(40) } }] },
      }),
      "$.statement.predicate.buildDefinition.resolvedDependencies[0].digest.gitCommit",
    ],
    [
      "an uppercase input digest",
      provenanceV1({ buildDefinition: { buildType: "t", resolvedDependencies: [{ uri: "x", digest: { sha256: "B".repeat(64) } }] } }),
      "$.statement.predicate.buildDefinition.resolvedDependencies[0].digest.sha256",
    ],
  ])("rejects %s", (_label, statement, path) => {
    expect(rejectedPaths(adaptAttestationRequest({ statement }, { now }))).toContain(path);
  });

  it.each<[string, unknown, string]>([
    ["a non-object body", "statement", "$"],
    ["an empty body", {}, "$"],
    ["two documents", { statement: {}, envelope: {} }, "$"],
    ["a bad artifact", { artifact: `sha256:${HEX64.slice(2)}`, statement: {} }, "$.artifact"],
  ])("rejects %s", (_label, body, path) => {
    expect(rejectedPaths(adaptAttestationRequest(body, { now }))).toContain(path);
  });
});

describe("splitGitUri", () => {
  it.each([
    ["git+https://github.com/acme/app@refs/heads/main", "https://github.com/acme/app", "refs/heads/main"],
    ["git+https://github.com/acme/app", "https://github.com/acme/app", null],
    ["git+ssh://git@github.com/acme/app", "ssh://git@github.com/acme/app", null],
    ["git+ssh://git@github.com/acme/app@v1", "ssh://git@github.com/acme/app", "v1"],
    [`https://github.com/acme/app.git@${"f".repeat(40)}`, "https://github.com/acme/app.git", "f".repeat(40)],
  ])("splits %s", (uri, repository, ref) => {
    expect(splitGitUri(uri)).toEqual({ repository, ref });
  });
});

import { describe, expect, it } from "vitest";
import type { AdaptedDocument, DomainEvent } from "@/lib/domain/events";
import { MAX_IDENTIFIER_BYTES, oversizedIdentifier } from "./identifiers";

const at = new Date("2026-11-20T10:00:00Z");
const digest = `sha256:${"a".repeat(64)}` as const;

function doc(events: DomainEvent[], ids: { eventId?: string; eventSource?: string } = {}): Extract<AdaptedDocument, { ok: true }> {
  return { ok: true, eventId: ids.eventId ?? "id", eventSource: ids.eventSource ?? "/source", documentType: "t", events, notes: [] };
}

const deployment = (environment: string, workload = "web"): DomainEvent => ({
  type: "deployment.started",
  occurredAt: at,
  environment,
  cluster: null,
  namespace: null,
  workload,
  artifact: { digest, repository: "registry.example/app", tag: null, raw: "x" },
});

describe("oversizedIdentifier", () => {
  it("passes identifiers up to the limit, in bytes", () => {
    expect(oversizedIdentifier(doc([deployment("e".repeat(MAX_IDENTIFIER_BYTES))]))).toBeNull();
    // 256 four-byte characters: 1024 bytes.
    expect(oversizedIdentifier(doc([deployment("😀".repeat(256))]))).toBeNull();
  });

  it("names the identifier past the limit", () => {
    expect(oversizedIdentifier(doc([deployment("😀".repeat(257))]))).toBe("the environment is 1028 bytes long; at most 1024 are kept");
    expect(oversizedIdentifier(doc([deployment("prod", "w".repeat(5000))]))).toMatch(/^the workload is 5000 bytes long/);
    expect(oversizedIdentifier(doc([], { eventId: "i".repeat(1025) }))).toMatch(/^the event id is 1025 bytes long/);
  });

  it("looks into builds, provenance, tags and artefact references", () => {
    const long = "x".repeat(2000);
    const build: DomainEvent = {
      type: "build.finished",
      occurredAt: at,
      builderId: "https://ci.example",
      invocationId: "1",
      buildType: null,
      startedAt: null,
      finishedAt: null,
      outcome: "success",
      sources: [{ repository: long, commit: null }],
      inputs: [],
      outputs: [],
    };
    expect(oversizedIdentifier(doc([build]))).toMatch(/^the build source repository is/);
    expect(oversizedIdentifier(doc([{ type: "tag.pushed", occurredAt: at, repository: "r", tag: long, digest }]))).toMatch(/^the tag is/);
    const attestation: DomainEvent = {
      type: "attestation.submitted",
      occurredAt: at,
      envelope: "bare",
      statementType: "https://in-toto.io/Statement/v1",
      predicateType: "https://slsa.dev/provenance/v1",
      subjects: [{ name: long, digest }],
      provenance: null,
      material: {},
    };
    expect(oversizedIdentifier(doc([attestation]))).toMatch(/^the subject name is/);
    const claim: DomainEvent = {
      type: "verification.claimed",
      occurredAt: at,
      verifier: "kyverno",
      artifact: { digest, repository: long, tag: null, raw: "x" },
      reference: null,
      result: "pass",
      policy: null,
      rule: null,
      message: "m".repeat(60_000),
      environment: null,
      namespace: null,
    };
    // A long message is prose, not an identifier: only the repository is refused.
    expect(oversizedIdentifier(doc([claim]))).toMatch(/^the claimed artefact repository is/);
  });
});

import { describe, expect, it } from "vitest";
import {
  ALERT_RULES,
  type ArtifactFact,
  admissionDenied,
  artifactRules,
  type DeploymentFact,
  dedupeKey,
  deploymentRules,
  digestDrift,
  severityFor,
  tagMutated,
  tagName,
  unsignedPublished,
  verificationFailed,
  verifierDisagreement,
} from "./alert-rules";
import { defaultPolicy, ZTrustPolicy } from "./policy";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const artifact = (over: Partial<ArtifactFact> = {}): ArtifactFact => ({
  id: "a1",
  digest: D("a"),
  name: "registry.acme.dev/app",
  signatures: [],
  attestations: [],
  ...over,
});
const deployment = (over: Partial<DeploymentFact> = {}): DeploymentFact => ({
  id: "d1",
  environment: "prod",
  workload: "api",
  namespace: "shop",
  cluster: "eu-1",
  reference: `pkg:oci/app@${D("a")}`,
  pinned: true,
  tagReference: null,
  documentId: "doc-d",
  artifact: artifact(),
  policyPass: true,
  policyFailures: [],
  ...over,
});
const sig = (verdict: string, id = "s1") => ({ id, verdict, documentId: `doc-${id}` });

describe("deployment rules", () => {
  it("unsigned-deployed fires only when the policy's signature requirement fails", () => {
    const failing = deployment({
      policyPass: false,
      policyFailures: [{ requirement: "signatures", reason: "needs 1 verified signature; it has none" }],
    });
    const fired = deploymentRules(failing, defaultPolicy("prod"));
    expect(fired.map((c) => c.rule)).toEqual(["unsigned-deployed"]);
    expect(fired[0]).toMatchObject({ environment: "prod", subject: { kind: "deployment", id: "eu-1/shop/api" } });
    expect(fired[0]?.evidence.documents).toEqual(["doc-d"]);
    expect(deploymentRules(deployment(), defaultPolicy("prod"))).toEqual([]);
    const noSignatures = ZTrustPolicy.parse({ environment: "dev", signatures: { required: 0 } });
    expect(deploymentRules(failing, noSignatures).map((c) => c.rule)).toEqual([]);
  });

  it("mutable-reference-deployed needs a tag and a policy that requires pinning", () => {
    const byTag = deployment({ pinned: false, tagReference: "registry.acme.dev/app:1.0" });
    expect(deploymentRules(byTag, defaultPolicy("prod")).map((c) => c.rule)).toEqual(["mutable-reference-deployed"]);
    expect(deploymentRules(byTag, ZTrustPolicy.parse({ environment: "dev", requireDigestPinning: false }))).toEqual([]);
  });

  it("missing-provenance and revoked-key-in-use", () => {
    const d = deployment({
      artifact: artifact({ signatures: [sig("revoked")] }),
      policyFailures: [{ requirement: "attestations", reason: "needs a verified https://slsa.dev/provenance/v1 attestation" }],
    });
    const rules = deploymentRules(d, defaultPolicy("prod")).map((c) => c.rule);
    expect(rules).toEqual(["missing-provenance", "revoked-key-in-use"]);
  });

  it("digest-drift: only when the deployed digest is unsigned and another digest of the tag was signed", () => {
    const byTag = deployment({ pinned: false, tagReference: "registry.acme.dev/app:1.0" });
    expect(digestDrift(byTag, [D("b")])?.rule).toBe("digest-drift");
    expect(digestDrift(byTag, [])).toBeNull();
    expect(digestDrift(byTag, [D("a")])).toBeNull();
    expect(digestDrift(deployment({ ...byTag, artifact: artifact({ signatures: [sig("verified")] }) }), [D("b")])).toBeNull();
    expect(digestDrift(deployment(), [D("b")])).toBeNull();
  });
});

describe("artefact rules", () => {
  it("invalid-signature for invalid or subject-mismatch signatures and attestations", () => {
    expect(artifactRules(artifact({ signatures: [sig("verified")] }))).toEqual([]);
    const fired = artifactRules(
      artifact({
        signatures: [sig("invalid")],
        attestations: [{ id: "t1", verdict: "subject-mismatch", documentId: "doc-t", predicateType: "x" }],
      }),
    );
    expect(fired.map((c) => c.rule)).toEqual(["invalid-signature"]);
    expect(fired[0]?.evidence.documents).toEqual(["doc-s1", "doc-t"]);
  });

  it("untrusted-signer only when every signature is untrusted", () => {
    expect(artifactRules(artifact({ signatures: [sig("untrusted")] })).map((c) => c.rule)).toEqual(["untrusted-signer"]);
    expect(artifactRules(artifact({ signatures: [sig("untrusted"), sig("verified", "s2")] }))).toEqual([]);
    expect(artifactRules(artifact())).toEqual([]);
  });

  it("unsigned-published after the grace period only", () => {
    const now = new Date("2026-11-26T12:00:00Z");
    const a = { ...artifact(), publishedAt: new Date("2026-11-26T11:00:00Z"), documentId: "doc-p" };
    expect(unsignedPublished(a, { now, graceMinutes: 30 })?.rule).toBe("unsigned-published");
    expect(unsignedPublished(a, { now, graceMinutes: 90 })).toBeNull();
    expect(unsignedPublished({ ...a, signatures: [sig("untrusted")] }, { now, graceMinutes: 30 })).toBeNull();
  });
});

describe("tags, verifiers and admission", () => {
  const move = {
    reference: "registry.acme.dev/app:latest",
    from: D("a"),
    to: D("b"),
    at: new Date(),
    toArtifactId: "a2",
    documentId: null,
  };

  it("tag-mutated per environment unless the tag may move there; nowhere deployed means the default", () => {
    const dev = ZTrustPolicy.parse({ environment: "dev", movableTags: ["latest"] });
    expect(tagMutated(move, [{ name: "dev", policy: dev }])).toEqual([]);
    expect(
      tagMutated(move, [
        { name: "dev", policy: dev },
        { name: "prod", policy: defaultPolicy("prod") },
      ]).map((c) => c.environment),
    ).toEqual(["prod"]);
    expect(tagMutated(move, []).map((c) => c.environment)).toEqual([null]);
    expect(tagName("localhost:5000/app:1.0")).toBe("1.0");
    expect(tagName("localhost:5000/app")).toBe("localhost:5000/app");
  });

  it("verification-failed on fail only; verifier-disagreement carries the reason", () => {
    const base = {
      id: "c",
      verifier: "kyverno",
      policy: "verify-images",
      rule: "check",
      message: "no signature",
      environment: "prod",
      documentId: "doc-c",
      artifact: { id: "a1", digest: D("a"), name: null },
    };
    expect(verificationFailed({ ...base, result: "pass" })).toBeNull();
    expect(verificationFailed({ ...base, result: "fail" })).toMatchObject({ rule: "verification-failed", environment: "prod" });
    const d = verifierDisagreement({
      claimId: "c",
      verifier: "cosign",
      claimResult: "pass",
      vitrineStatus: "not verified",
      reason: "cosign passed it",
      environment: null,
      documentId: "doc-c",
      artifact: base.artifact,
    });
    expect(d).toMatchObject({ rule: "verifier-disagreement", summary: "cosign passed it" });
  });

  it("admission-denied is about the workload in its namespace", () => {
    const c = admissionDenied({
      id: "x",
      environment: "prod",
      namespace: "shop",
      workloadKind: "Deployment",
      workloadName: "api",
      message: "unsigned",
      documentId: "doc-x",
      artifactId: null,
      decidedAt: new Date(),
    });
    expect(c.subject.id).toBe("admission:shop/Deployment/api");
  });

  it("deduplicates by rule, subject and environment; severities default per rule, overridable per environment", () => {
    const c = { rule: "tag-mutated" as const, subject: { kind: "tag" as const, id: "r:t", label: "r:t" }, environment: null };
    expect(dedupeKey(c)).toBe("tag-mutated|tag:r:t|");
    expect(dedupeKey({ ...c, environment: "prod" })).not.toBe(dedupeKey(c));
    expect(severityFor("tag-mutated", "prod", {})).toBe(ALERT_RULES["tag-mutated"].severity);
    expect(severityFor("tag-mutated", "prod", { prod: { "tag-mutated": "critical" } })).toBe("critical");
    expect(severityFor("tag-mutated", "dev", { prod: { "tag-mutated": "critical" } })).toBe("high");
  });
});

import { describe, expect, it } from "vitest";
import { admissionMessage, admissionWarnings, decideImage, type ImageResolution, tagReferenceOf } from "./admission";
import { defaultPolicy, ZTrustPolicy } from "./policy";

const D = `sha256:${"a".repeat(64)}`;
const prod = defaultPolicy("prod");
const dev = ZTrustPolicy.parse({ environment: "dev", requireDigestPinning: false });
const verified: NonNullable<ImageResolution["facts"]> = {
  signatures: [{ verdict: "verified", signerName: "release-key" }],
  attestations: [],
};

const image = (text: string, ref: { name: string; tag: string | null; digest: string | null } | null, containers = ["app"]) => ({
  image: text,
  containers: containers.map((name) => ({ name })),
  ref,
  problem: ref ? null : "repository is not valid",
});
const pinned = image(`registry.acme.dev/app@${D}`, { name: "registry.acme.dev/app", tag: null, digest: D });
const tagged = image("registry.acme.dev/app:1.0", { name: "registry.acme.dev/app", tag: "1.0", digest: null });
const known = (facts = verified): ImageResolution => ({ digest: D, artifactId: "art-1", facts });

describe("decideImage", () => {
  it("a pinned image with a verified signature passes", () => {
    expect(decideImage({ image: pinned, policy: prod, resolution: known() })).toEqual({
      reference: pinned.image,
      digest: D,
      artifactId: "art-1",
      pinned: true,
      resolvedFromTag: null,
      containers: ["app"],
      pass: true,
      failures: [],
    });
  });

  it("a pinned image without a verified signature fails the signature requirement", () => {
    const d = decideImage({
      image: pinned,
      policy: prod,
      resolution: known({ signatures: [{ verdict: "untrusted", signerName: null }], attestations: [] }),
    });
    expect(d.pass).toBe(false);
    expect(d.failures).toEqual([{ requirement: "signatures", reason: "needs 1 verified signature; it has 0 (verdicts: untrusted)" }]);
  });

  it("an unknown artefact has no signatures, and the reason says Vitrine has never seen it", () => {
    const d = decideImage({ image: pinned, policy: prod, resolution: { digest: D, artifactId: null, facts: null } });
    expect(d).toMatchObject({ pass: false, artifactId: null, digest: D });
    expect(d.failures).toHaveLength(1);
    expect(d.failures[0]?.requirement).toBe("signatures");
    expect(d.failures[0]?.reason).toContain("it has none");
    expect(d.failures[0]?.reason).toContain(`no record of the artefact ${D}`);
  });

  it("a tag-only image under a pinning policy is denied for pinning alone, never resolved", () => {
    const d = decideImage({ image: tagged, policy: prod, resolution: known() });
    expect(d).toMatchObject({ pass: false, digest: null, artifactId: null, resolvedFromTag: null, pinned: false });
    expect(d.failures).toEqual([
      { requirement: "digest-pinning", reason: "prod requires digest-pinned references; this names the tag 1.0" },
    ]);
  });

  it("a tag-only image under a policy without pinning is decided on what the tag points at now", () => {
    const d = decideImage({ image: tagged, policy: dev, resolution: known() });
    expect(d).toMatchObject({ pass: true, digest: D, artifactId: "art-1", resolvedFromTag: "registry.acme.dev/app:1.0", pinned: false });
    const unsigned = decideImage({ image: tagged, policy: dev, resolution: known({ signatures: [], attestations: [] }) });
    expect(unsigned.failures.map((f) => f.requirement)).toEqual(["signatures"]);
  });

  it("an unknown tag cannot be resolved: denied, saying so (latest when no tag is named)", () => {
    const d = decideImage({ image: tagged, policy: dev, resolution: null });
    expect(d.failures).toEqual([
      { requirement: "resolution", reason: expect.stringContaining("knows no digest for the tag registry.acme.dev/app:1.0") },
    ]);
    const bare = image("nginx", { name: "docker.io/library/nginx", tag: null, digest: null });
    expect(tagReferenceOf(bare.ref!)).toBe("docker.io/library/nginx:latest");
    expect(decideImage({ image: bare, policy: dev, resolution: null }).failures[0]?.reason).toContain("kubelet pulls latest");
  });

  it("the registry allowance applies to tag-only and pinned images alike", () => {
    const policy = ZTrustPolicy.parse({ environment: "prod", allowedRegistries: ["registry.acme.dev"] });
    const other = image(`ghcr.io/x/app@${D}`, { name: "ghcr.io/x/app", tag: null, digest: D });
    expect(decideImage({ image: other, policy, resolution: known() }).failures.map((f) => f.requirement)).toEqual(["registry"]);
    const otherTag = image("ghcr.io/x/app:1", { name: "ghcr.io/x/app", tag: "1", digest: null });
    expect(decideImage({ image: otherTag, policy, resolution: null }).failures.map((f) => f.requirement)).toEqual([
      "digest-pinning",
      "registry",
    ]);
  });

  it("an image that does not parse is denied with the parser's reason", () => {
    const d = decideImage({ image: image("Bad/Ref", null), policy: dev, resolution: null });
    expect(d).toMatchObject({
      pass: false,
      failures: [{ requirement: "reference", reason: "not a valid image reference: repository is not valid" }],
    });
  });
});

describe("admissionMessage and admissionWarnings", () => {
  it("nothing to say when every image passes", () => {
    const ok = decideImage({ image: pinned, policy: prod, resolution: known() });
    expect(admissionMessage({ workload: "Pod/web", namespace: "payments", environment: "prod", images: [ok] })).toBeNull();
  });

  it("one line per failing image naming each failed requirement", () => {
    const ok = decideImage({ image: pinned, policy: prod, resolution: known() });
    const unsigned = decideImage({
      image: image(`registry.acme.dev/worker@${D}`, { name: "registry.acme.dev/worker", tag: null, digest: D }, ["worker", "migrate"]),
      policy: ZTrustPolicy.parse({ environment: "prod", attestations: [{ predicateType: "https://slsa.dev/provenance/v1" }] }),
      resolution: known({ signatures: [], attestations: [] }),
    });
    const tag = decideImage({ image: tagged, policy: prod, resolution: null });
    const message = admissionMessage({
      workload: "Deployment/web",
      namespace: "payments",
      environment: "prod",
      images: [ok, unsigned, tag],
    });
    expect(message?.split("\n")).toEqual([
      "Vitrine denied Deployment/web in namespace payments (environment prod): 2 of 3 images fail the trust policy",
      `- registry.acme.dev/worker@${D} (containers worker, migrate): signatures: needs 1 verified signature; it has none; attestations: needs a verified https://slsa.dev/provenance/v1 attestation`,
      "- registry.acme.dev/app:1.0 (container app): digest-pinning: prod requires digest-pinned references; this names the tag 1.0",
    ]);
  });

  it("warns about images allowed through their tag", () => {
    const resolved = decideImage({ image: tagged, policy: dev, resolution: known() });
    const ok = decideImage({ image: pinned, policy: dev, resolution: known() });
    expect(admissionWarnings([ok, resolved])).toEqual([
      `registry.acme.dev/app:1.0 is not pinned by digest; Vitrine decided on ${D}, where registry.acme.dev/app:1.0 points now`,
    ]);
  });
});

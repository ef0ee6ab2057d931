import { describe, expect, it } from "vitest";
import { defaultPolicy, evaluatePolicy, isMovableTag, type PolicyFacts, ZTrustPolicy } from "./policy";

const pinned = { pinned: true, repository: "registry.acme.dev/app", tag: "1.0" };
const facts = (over: Partial<PolicyFacts> = {}): PolicyFacts => ({ reference: pinned, signatures: [], attestations: [], ...over });

describe("trust policy documents", () => {
  it("parses the DESIGN.md example and fills defaults", () => {
    const p = ZTrustPolicy.parse({
      environment: "prod",
      requireDigestPinning: true,
      signatures: { required: 1, signers: ["release-key", "github-release-workflow"] },
      attestations: [{ predicateType: "https://slsa.dev/provenance/v1", builder: "^https://github\\.com/acme/.+$" }],
      allowedRegistries: ["registry.acme.dev"],
      movableTags: [],
    });
    expect(p.signatures.signers).toHaveLength(2);
    expect(defaultPolicy("dev")).toMatchObject({
      environment: "dev",
      requireDigestPinning: true,
      signatures: { required: 1, signers: [] },
    });
    // Any environment a deployment names gets it, including names no policy document could have.
    expect(defaultPolicy("prod eu/1 <b>")).toMatchObject({ environment: "prod eu/1 <b>", requireDigestPinning: true });
  });

  it("refuses unknown fields, bad patterns and impossible counts with paths", () => {
    const r = ZTrustPolicy.safeParse({
      environment: "prod",
      signatures: { required: 3, signers: ["a"] },
      attestations: [{ predicateType: "x", builder: "(" }],
      extra: 1,
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["signatures.required", "attestations.0.builder"]));
    expect(r.error?.issues.some((i) => i.code === "unrecognized_keys")).toBe(true);
  });
});

describe("evaluatePolicy", () => {
  it("the default policy fails an unsigned, tag-only deployment for both reasons", () => {
    const result = evaluatePolicy(
      defaultPolicy("prod"),
      facts({ reference: { pinned: false, repository: "registry.acme.dev/app", tag: "latest" } }),
    );
    expect(result.pass).toBe(false);
    expect(result.failures.map((f) => f.requirement)).toEqual(["digest-pinning", "signatures"]);
    expect(result.failures[0]?.reason).toContain("latest");
  });

  it("passes a pinned artefact with one verified signature; untrusted or invalid ones do not count", () => {
    expect(evaluatePolicy(defaultPolicy("prod"), facts({ signatures: [{ verdict: "verified", signerName: "k" }] })).pass).toBe(true);
    const r = evaluatePolicy(
      defaultPolicy("prod"),
      facts({
        signatures: [
          { verdict: "untrusted", signerName: null },
          { verdict: "invalid", signerName: null },
        ],
      }),
    );
    expect(r.failures[0]?.reason).toContain("untrusted, invalid");
  });

  it("counts distinct named signers for n of m", () => {
    const p = ZTrustPolicy.parse({ environment: "prod", signatures: { required: 2, signers: ["a", "b", "c"] } });
    const twoOfA = facts({
      signatures: [
        { verdict: "verified", signerName: "a" },
        { verdict: "verified", signerName: "a" },
      ],
    });
    expect(evaluatePolicy(p, twoOfA).pass).toBe(false);
    const aAndB = facts({
      signatures: [
        { verdict: "verified", signerName: "a" },
        { verdict: "verified", signerName: "b" },
      ],
    });
    expect(evaluatePolicy(p, aAndB).pass).toBe(true);
    const outsider = facts({
      signatures: [
        { verdict: "verified", signerName: "a" },
        { verdict: "verified", signerName: "z" },
      ],
    });
    expect(evaluatePolicy(p, outsider).pass).toBe(false);
  });

  it("requires a verified attestation whose builder and source match anchored patterns", () => {
    const p = ZTrustPolicy.parse({
      environment: "prod",
      signatures: { required: 0 },
      attestations: [
        {
          predicateType: "https://slsa.dev/provenance/v1",
          builder: "https://github\\.com/acme/.+",
          sourceRepository: "https://github\\.com/acme/app",
        },
      ],
    });
    const good = {
      predicateType: "https://slsa.dev/provenance/v1",
      verdict: "verified",
      builderId: "https://github.com/acme/builder",
      sourceRepositories: ["https://github.com/acme/app"],
    };
    expect(evaluatePolicy(p, facts({ attestations: [good] })).pass).toBe(true);
    // Anchored: a builder that merely contains the pattern does not match.
    expect(
      evaluatePolicy(p, facts({ attestations: [{ ...good, builderId: "https://evil.example/https://github.com/acme/x" }] })).pass,
    ).toBe(false);
    expect(evaluatePolicy(p, facts({ attestations: [{ ...good, verdict: "untrusted" }] })).pass).toBe(false);
    expect(evaluatePolicy(p, facts({ attestations: [{ ...good, sourceRepositories: ["https://github.com/acme/app-fork"] }] })).pass).toBe(
      false,
    );
  });

  it("allows only listed registries, and only listed tags may move", () => {
    const p = ZTrustPolicy.parse({
      environment: "dev",
      requireDigestPinning: false,
      signatures: { required: 0 },
      allowedRegistries: ["registry.acme.dev"],
      movableTags: ["latest"],
    });
    expect(evaluatePolicy(p, facts()).pass).toBe(true);
    expect(
      evaluatePolicy(p, facts({ reference: { pinned: true, repository: "docker.io/library/nginx", tag: null } })).failures[0]?.requirement,
    ).toBe("registry");
    expect(isMovableTag(p, "latest")).toBe(true);
    expect(isMovableTag(p, "1.0")).toBe(false);
  });
});

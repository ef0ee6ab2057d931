import { describe, expect, it } from "vitest";
import type { AdaptedDocument, VerificationClaimed } from "@/lib/domain/events";
import { fixtureBytes } from "@/tests/helpers/fixtures";
import { adaptVerificationClaim, type ClaimResult, isVerificationMediaType } from "./claims";

const now = new Date("2030-01-01T00:00:00Z");
const HEX = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
const HEX2 = "73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333";

const utf8 = (text: string) => new TextEncoder().encode(text);
const adaptJson = (value: unknown) =>
  adaptVerificationClaim({ contentType: "application/json", body: utf8(JSON.stringify(value)) }, { now });
const adaptYaml = (text: string, contentType = "application/yaml") => adaptVerificationClaim({ contentType, body: utf8(text) }, { now });

function accepted(result: ClaimResult | undefined): Extract<AdaptedDocument, { ok: true }> {
  if (!result?.adapted.ok) throw new Error(`expected an accepted document, got ${JSON.stringify(result)}`);
  return result.adapted;
}

function refused(result: ClaimResult | undefined): Extract<AdaptedDocument, { ok: false }> {
  if (result === undefined || result.adapted.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
  return result.adapted;
}

function claims(result: ClaimResult | undefined): VerificationClaimed[] {
  return accepted(result).events as VerificationClaimed[];
}

describe("cosign verify --output json", () => {
  const fixture = fixtureBytes("cosign", "verify-output.json");

  it("turns the fixture into a pass claim with the signer identity and issuer", () => {
    const results = adaptVerificationClaim({ contentType: "application/json", body: fixture }, { now });
    expect(results).toHaveLength(1);
    const doc = accepted(results[0]);
    expect(doc).toMatchObject({ eventId: null, eventSource: null, documentType: "cosign/verify" });
    expect(doc.events).toEqual([
      {
        type: "verification.claimed",
        occurredAt: now,
        verifier: "cosign",
        result: "pass",
        artifact: {
          digest: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          repository: "gcr.io/baz/baz",
          tag: null,
          raw: "gcr.io/baz/baz",
        },
        reference: "gcr.io/baz/baz",
        policy: null,
        rule: null,
        message: expect.stringMatching(/verified/),
        environment: null,
        namespace: null,
        identity: "subject",
        issuer: "oidc-issuer",
      },
    ]);
  });

  it("accepts the other critical.type spellings and falls back to the issuer OID", () => {
    const [item] = JSON.parse(fixture.toString("utf8")) as Array<{ critical: { type: string }; optional: Record<string, string> }>;
    for (const type of ["https://sigstore.dev/cosign/sign/v1", "atomic container signature"]) {
      const { Issuer: _issuer, ...optional } = item?.optional ?? {};
      const [result] = adaptJson([{ ...item, critical: { ...item?.critical, type }, optional }]);
      expect(claims(result)[0]).toMatchObject({ verifier: "cosign", result: "pass", issuer: "oidc-issuer", identity: "subject" });
    }
  });

  it("records one claim per signature, keyed signatures without identity", () => {
    const item = (digest: string) => ({
      critical: {
        identity: { "docker-reference": "registry.acme.dev/app" },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    });
    const [result] = adaptJson([item(`sha256:${HEX}`), item(`sha256:${HEX2}`)]);
    expect(claims(result).map((c) => [c.artifact?.digest, c.identity, c.issuer])).toEqual([
      [`sha256:${HEX}`, null, null],
      [`sha256:${HEX2}`, null, null],
    ]);
  });

  it("refuses an unknown type, a bad digest or reference", () => {
    const item = JSON.parse(fixture.toString("utf8"))[0];
    const cases: Array<[unknown, string]> = [
      [{ ...item, critical: { ...item.critical, type: "something else" } }, "$[0].critical.type"],
      [
        { ...item, critical: { ...item.critical, image: { "docker-manifest-digest": `sha256:${HEX.toUpperCase()}` } } },
        '$[0].critical.image["docker-manifest-digest"]',
      ],
      [
        { ...item, critical: { ...item.critical, identity: { "docker-reference": "GCR.io/Baz/Baz" } } },
        '$[0].critical.identity["docker-reference"]',
      ],
      [{ ...item, critical: { ...item.critical, identity: {} } }, '$[0].critical.identity["docker-reference"]'],
    ];
    for (const [value, path] of cases) {
      expect(refused(adaptJson([value])[0]).errors.map((e) => e.path)).toContain(path);
    }
  });
});

describe("notation inspect --output json", () => {
  const inspect = {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    signatures: [
      {
        mediaType: "application/jose+json",
        digest: `sha256:${HEX2}`,
        signatureAlgorithm: "RSASSA-PSS-SHA-256",
        signedAttributes: {
          contentType: "application/vnd.cncf.notary.payload.v1+json",
          signingScheme: "notary.x509",
          signingTime: "2022-02-06T20:50:17Z",
          expiry: "2023-02-06T20:50:17Z",
        },
        userDefinedAttributes: { "io.wabbit-networks.buildId": "123" },
        unsignedAttributes: { "io.cncf.notary.signingAgent": "notation/1.0.0" },
        certificates: [
          {
            SHA256Fingerprint: "b13a843be16b1f461f08d61c14f3eab7d87c073570da077217541a7eb31c084d",
            issuedTo: "CN=wabbit-com Software,O=Notary,L=Seattle,ST=WA,C=US",
            issuedBy: "CN=wabbit-com Software Root Certificate Authority,O=Notary,L=Seattle,ST=WA,C=US",
            expiry: "2025-07-06T20:50:17Z",
          },
          {
            SHA256Fingerprint: "ea3939548ad0c0a86f164ab8b97858854238c797f30bddeba6cb28688f3f6536",
            issuedTo: "CN=wabbit-com Software Root Certificate Authority,O=Notary,L=Seattle,ST=WA,C=US",
            issuedBy: "CN=wabbit-com Software Root Certificate Authority,O=Notary,L=Seattle,ST=WA,C=US",
            expiry: "2035-07-06T20:50:17Z",
          },
        ],
        signedArtifact: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${HEX}`, size: 16724 },
      },
      {
        mediaType: "application/cose",
        digest: `sha256:${"c".repeat(64)}`,
        signatureAlgorithm: "ECDSA-SHA-384",
        signedAttributes: { signingScheme: "notary.x509.signingAuthority", signingTime: "2022-02-07T10:00:00Z" },
        certificates: [
          { SHA256Fingerprint: "f".repeat(64), issuedTo: "CN=release", issuedBy: "CN=Acme CA", expiry: "2026-01-01T00:00:00Z" },
        ],
        signedArtifact: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${HEX}`, size: 16724 },
      },
    ],
  };

  it("records each listed signature as a skipped claim naming the signer", () => {
    const [result] = adaptJson(inspect);
    const doc = accepted(result);
    expect(doc.documentType).toBe("notation/inspect");
    expect(doc.notes.join(" ")).toMatch(/does not verify/);
    expect(doc.events).toHaveLength(2);
    expect(doc.events[0]).toEqual({
      type: "verification.claimed",
      occurredAt: now,
      verifier: "notation",
      result: "skip",
      artifact: { digest: `sha256:${HEX}`, repository: null, tag: null, raw: `sha256:${HEX}` },
      reference: null,
      policy: null,
      rule: null,
      message: expect.stringMatching(/without verifying them.*notary\.x509.*2022-02-06T20:50:17Z/),
      environment: null,
      namespace: null,
      identity: "CN=wabbit-com Software,O=Notary,L=Seattle,ST=WA,C=US",
      issuer: "CN=wabbit-com Software Root Certificate Authority,O=Notary,L=Seattle,ST=WA,C=US",
    });
    expect(claims(result)[1]).toMatchObject({ result: "skip", identity: "CN=release", issuer: "CN=Acme CA" });
  });

  it("keeps an inspect output without signatures as evidence and refuses bad digests", () => {
    expect(accepted(adaptJson({ mediaType: inspect.mediaType, signatures: [] })[0]).events).toEqual([]);
    const broken = { ...inspect, signatures: [{ ...inspect.signatures[0], signedArtifact: { digest: "sha256:0123456789abcdef0" } }] };
    expect(refused(adaptJson(broken)[0]).errors).toEqual([
      { path: "$.signatures[0].signedArtifact.digest", message: expect.stringMatching(/64 hex/) },
    ]);
    const missing = { ...inspect, signatures: [{ digest: `sha256:${HEX}` }] };
    expect(refused(adaptJson(missing)[0]).errors[0]?.path).toBe("$.signatures[0].signedArtifact");
  });
});

describe("Kyverno policy reports (fixtures)", () => {
  const kyverno = (name: string) => fixtureBytes("kyverno", name);

  it("reads the admission report: a fail claim without an image", () => {
    const results = adaptVerificationClaim(
      { contentType: "application/yaml", body: kyverno("image-validating-policies_report_admission_report.yaml") },
      { now },
    );
    expect(results).toHaveLength(1);
    const doc = accepted(results[0]);
    expect(doc).toMatchObject({ documentType: "wgpolicyk8s.io/PolicyReport", eventId: null, eventSource: null });
    expect(doc.events).toEqual([
      {
        type: "verification.claimed",
        occurredAt: now,
        verifier: "kyverno",
        result: "fail",
        artifact: null,
        reference: null,
        policy: "ivpol-report-admission-sample",
        rule: null,
        message: "failed to verify image with notary cert",
        environment: null,
        namespace: null,
      },
    ]);
    expect(doc.notes.join(" ")).toMatch(/1 of 1 results name no image/);
  });

  it("reads a two-document stream of partial reports as two evidence-only documents", () => {
    const results = adaptVerificationClaim(
      { contentType: "text/yaml", body: kyverno("reports_background_verify-image-fail_report-assert.yaml") },
      { now },
    );
    expect(results.map((r) => r.index)).toEqual([0, 1]);
    for (const result of results) {
      const doc = accepted(result);
      expect(doc.events).toEqual([]);
      expect(doc.notes.join(" ")).toMatch(/no results/);
    }
    expect(results[1]?.document).toMatchObject({ scope: { name: "signed-by-someone-else" } });
  });

  it("reads the reports inside a kind: List", () => {
    const results = adaptVerificationClaim(
      {
        contentType: "application/x-yaml",
        body: kyverno("verify-images_clusterpolicy_standard_verify-image-background-basic_chainsaw-step-03-assert-1.yaml"),
      },
      { now },
    );
    expect(results).toHaveLength(1);
    expect(claims(results[0])).toEqual([
      expect.objectContaining({
        verifier: "kyverno",
        result: "pass",
        policy: "keyed-basic-policy",
        rule: "keyed-basic-rule",
        namespace: "test-verify-images",
        artifact: null,
      }),
    ]);
  });
});

describe("policy reports (hand-written)", () => {
  const report = (results: unknown[] | undefined, extra: Record<string, unknown> = {}) => ({
    apiVersion: "wgpolicyk8s.io/v1alpha2",
    kind: "PolicyReport",
    metadata: {
      name: "pod-web",
      namespace: "shop",
      uid: "6b0c1a52-7e0c-4a51-9d3f-0f7b3c1e2d11",
      resourceVersion: "4242",
      creationTimestamp: "2026-05-01T10:00:00Z",
    },
    scope: { apiVersion: "v1", kind: "Pod", name: "web", namespace: "shop" },
    ...(results ? { results } : {}),
    ...extra,
  });

  it("finds the image in Kyverno's messages and properties", () => {
    const [result] = adaptJson(
      report([
        {
          policy: "verify-signature",
          rule: "check-image",
          result: "pass",
          source: "kyverno",
          message: "verified image signatures for registry.acme.dev/shop/web:1.4.2",
          timestamp: { seconds: 1777629600, nanos: 500000000 },
        },
        {
          policy: "verify-signature",
          rule: "check-image",
          result: "fail",
          source: "kyverno",
          message: `failed to verify image ghcr.io/kyverno/test-verify-image@sha256:${HEX}: .attestors[0].entries[0].keys: no matching signatures`,
        },
        {
          policy: "verify-signature",
          rule: "check-image",
          result: "warn",
          properties: { image: `registry.acme.dev/shop/api@sha256:${HEX2}` },
          message: "nothing here",
        },
        { policy: "disallow-latest", result: "skip", source: "Falco", message: "see https://example.com/docs for nginx" },
      ]),
    );
    const doc = accepted(result);
    expect(doc.eventId).toBe("6b0c1a52-7e0c-4a51-9d3f-0f7b3c1e2d11/4242");
    expect(doc.eventSource).toBe("kubernetes:wgpolicyk8s.io/PolicyReport");
    const [pass, fail, warn, skip] = claims(result);
    expect(pass).toMatchObject({
      result: "pass",
      occurredAt: new Date(1777629600500),
      reference: "registry.acme.dev/shop/web:1.4.2",
      artifact: { digest: null, repository: "registry.acme.dev/shop/web", tag: "1.4.2" },
      namespace: "shop",
    });
    expect(fail).toMatchObject({
      result: "fail",
      occurredAt: new Date("2026-05-01T10:00:00Z"),
      artifact: { digest: `sha256:${HEX}`, repository: "ghcr.io/kyverno/test-verify-image", tag: null },
    });
    expect(warn).toMatchObject({
      result: "warn",
      artifact: { digest: `sha256:${HEX2}`, repository: "registry.acme.dev/shop/api" },
      rule: "check-image",
    });
    expect(skip).toMatchObject({ result: "skip", verifier: "Falco", artifact: null, reference: null, rule: null });
    expect(doc.notes.join(" ")).toMatch(/1 of 4 results name no image/);
  });

  it("reads ClusterPolicyReport v1beta1, openreports.io and EphemeralReport spec.results", () => {
    const results = [{ policy: "p", rule: "r", result: "error", message: "registry error" }];
    const cluster = accepted(
      adaptJson({ ...report(results), apiVersion: "wgpolicyk8s.io/v1beta1", kind: "ClusterPolicyReport", metadata: {}, scope: null })[0],
    );
    expect(cluster.documentType).toBe("wgpolicyk8s.io/ClusterPolicyReport");
    expect(cluster.events[0]).toMatchObject({ result: "error", namespace: null, occurredAt: now });
    expect(accepted(adaptJson({ ...report(results), apiVersion: "openreports.io/v1alpha1", kind: "Report" })[0]).events).toHaveLength(1);
    const ephemeral = { apiVersion: "reports.kyverno.io/v1", kind: "EphemeralReport", metadata: { namespace: "shop" }, spec: { results } };
    expect(accepted(adaptJson(ephemeral)[0]).events[0]).toMatchObject({ result: "error", namespace: "shop" });
  });

  it("refuses unknown result values, missing policies and unsupported versions", () => {
    expect(refused(adaptJson(report([{ policy: "p", result: "passed" }]))[0]).errors[0]?.path).toBe("$.results[0].result");
    expect(refused(adaptJson(report([{ result: "pass" }]))[0]).errors[0]?.path).toBe("$.results[0].policy");
    const old = refused(adaptJson({ ...report([]), apiVersion: "wgpolicyk8s.io/v1alpha1" })[0]);
    expect(old.errors[0]?.path).toBe("$.apiVersion");
    expect(refused(adaptJson(report(undefined, { results: "none" }))[0]).errors[0]?.path).toBe("$.results");
  });
});

describe("admission decision", () => {
  const decision = {
    apiVersion: "vitrine.dev/v1",
    kind: "AdmissionDecision",
    verifier: "sigstore-policy-controller",
    allowed: false,
    image: `registry.acme.dev/app:1.0@sha256:${HEX}`,
    policy: "require-release-signature",
    message: "no matching signatures",
    namespace: "prod-payments",
    environment: "prod",
    time: "2026-05-01T10:00:00+02:00",
  };

  it("turns a denial into a fail claim", () => {
    const doc = accepted(adaptJson(decision)[0]);
    expect(doc).toMatchObject({ eventId: null, eventSource: null, documentType: "vitrine.dev/AdmissionDecision", notes: [] });
    expect(doc.events).toEqual([
      {
        type: "verification.claimed",
        occurredAt: new Date("2026-05-01T08:00:00Z"),
        verifier: "sigstore-policy-controller",
        result: "fail",
        artifact: { digest: `sha256:${HEX}`, repository: "registry.acme.dev/app", tag: "1.0", raw: decision.image },
        reference: decision.image,
        policy: "require-release-signature",
        rule: null,
        message: "no matching signatures",
        environment: "prod",
        namespace: "prod-payments",
      },
    ]);
  });

  it("turns an admission into a pass claim, keyed on its id, and notes a mutable reference", () => {
    const { policy: _p, message: _m, namespace: _n, environment: _e, time: _t, ...minimal } = decision;
    const doc = accepted(adaptJson({ ...minimal, allowed: true, image: "nginx:1.27", id: "705ab4f5-6393-11e8-b7cc-42010a800002" })[0]);
    expect(doc.eventId).toBe("705ab4f5-6393-11e8-b7cc-42010a800002");
    expect(doc.eventSource).toBe("admission:sigstore-policy-controller");
    expect(doc.events[0]).toMatchObject({
      result: "pass",
      occurredAt: now,
      artifact: { digest: null, repository: "docker.io/library/nginx", tag: "1.27" },
    });
    expect(doc.notes.join(" ")).toMatch(/not digest-pinned/);
  });

  it("refuses invalid decisions with their paths", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ allowed: "yes" }, "$.allowed"],
      [{ verifier: "" }, "$.verifier"],
      [{ image: "https://registry.acme.dev/app" }, "$.image"],
      [{ image: `registry.acme.dev/app@sha256:${HEX.toUpperCase()}` }, "$.image"],
      [{ time: "tomorrow" }, "$.time"],
      [{ apiVersion: "vitrine.dev/v2" }, "$.apiVersion"],
    ];
    for (const [overrides, path] of cases) {
      expect(refused(adaptJson({ ...decision, ...overrides })[0]).errors.map((e) => e.path)).toContain(path);
    }
  });

  it("accepts a JSON array of documents, one result each", () => {
    const results = adaptJson([decision, { ...decision, allowed: true }, { ...decision, image: "" }]);
    expect(results.map((r) => [r.index, r.adapted.ok])).toEqual([
      [0, true],
      [1, true],
      [2, false],
    ]);
    expect(refused(results[2]).errors[0]?.path).toBe("$[2].image");
  });
});

describe("anything else", () => {
  it("refuses unknown shapes, naming what was expected", () => {
    for (const value of [{ foo: 1 }, { kind: "Deployment", apiVersion: "apps/v1" }, [], [1, 2], "text", 42]) {
      const adapted = refused(adaptJson(value)[0]);
      expect(adapted.detail).toMatch(/expected cosign verify --output json.*notation inspect.*PolicyReport.*AdmissionDecision/);
    }
  });

  it("refuses bodies it cannot read as one rejected result", () => {
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ["text/plain", utf8("{}"), /Content-Type text\/plain is not accepted/],
      ["", utf8("{}"), /\(none\)/],
      ["application/json", new Uint8Array(), /empty/],
      ["application/json", new Uint8Array([0x7b, 0xff, 0x7d]), /UTF-8/],
      ["application/json", utf8("{ nope"), /not valid JSON/],
      ["application/yaml", utf8("# only a comment\n"), /no documents/],
    ];
    for (const [contentType, body, detail] of cases) {
      const results = adaptVerificationClaim({ contentType, body }, { now });
      expect(results).toHaveLength(1);
      expect(refused(results[0]).detail).toMatch(detail);
    }
  });

  it("knows its media types", () => {
    expect(isVerificationMediaType("application/json; charset=utf-8")).toBe(true);
    expect(isVerificationMediaType("application/yaml")).toBe(true);
    expect(isVerificationMediaType("text/yaml")).toBe(true);
    expect(isVerificationMediaType("application/x-yaml")).toBe(true);
    expect(isVerificationMediaType("text/plain")).toBe(false);
  });
});

describe("hostile YAML and JSON", () => {
  const decisionYaml = `apiVersion: vitrine.dev/v1
kind: AdmissionDecision
verifier: kyverno
allowed: true
image: registry.acme.dev/app@sha256:${HEX}
`;

  it("refuses a billion-laughs alias bomb quickly, keeping the other documents of the stream", () => {
    const bomb = `${["a", "b", "c", "d", "e", "f", "g", "h", "i"]
      .map((name, i, all) =>
        i === 0
          ? `${name}: &${name} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`
          : `${name}: &${name} [${Array(9)
              .fill(`*${all[i - 1]}`)
              .join(",")}]`,
      )
      .join("\n")}\n`;
    const started = performance.now();
    const results = adaptYaml(`${bomb}---\n${decisionYaml}`);
    // A guard against exponential blow-up (seconds to hours), not a speed target: that is the benchmarks'.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(results.map((r) => r.adapted.ok)).toEqual([false, true]);
    expect(refused(results[0]).detail).toMatch(/document 1 of the YAML stream.*aliases expand too much/);
  });

  // How fast this is belongs to the benchmarks, not to a timed test on a shared machine.
  it("refuses 10,000-deep nesting, in JSON and in YAML", () => {
    const deepJson = adaptVerificationClaim(
      { contentType: "application/json", body: utf8(`${"[".repeat(10_000)}${"]".repeat(10_000)}`) },
      { now },
    );
    expect(refused(deepJson[0]).detail).toMatch(/deeper than 64/);
    const deepObject = adaptVerificationClaim(
      { contentType: "application/json", body: utf8(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`) },
      { now },
    );
    expect(refused(deepObject[0]).detail).toMatch(/deeper than 64/);
    const deepYaml = adaptYaml(`a: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`);
    expect(refused(deepYaml[0]).ok).toBe(false);
    const moderatelyDeepYaml = adaptYaml(`a: ${"[".repeat(500)}${"]".repeat(500)}\n`);
    expect(refused(moderatelyDeepYaml[0]).detail).toMatch(/deeper than 64/);
  });

  it("refuses syntax errors, duplicate keys and explicit tags, with the line", () => {
    expect(refused(adaptYaml("a: [1, 2\nb: 3\n")[0]).detail).toMatch(/line \d+, column \d+/);
    expect(refused(adaptYaml("kind: AdmissionDecision\nkind: Other\n")[0]).detail).toMatch(/line 2/);
    expect(refused(adaptYaml(`${decisionYaml}extra: !custom value\n`)[0]).detail).toMatch(/custom YAML tags/);
    expect(refused(adaptYaml(`${decisionYaml}extra: !!binary aGVsbG8=\n`)[0]).detail).toMatch(/tags/);
  });

  it("skips empty documents in a stream", () => {
    const results = adaptYaml(`---\n---\n${decisionYaml}---\n`);
    expect(results).toHaveLength(1);
    expect(accepted(results[0]).events).toHaveLength(1);
  });
});

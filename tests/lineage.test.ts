// Lineage and blast radius over a seeded story, ingested through the real verbs with real
// cryptography: commit -> build (SLSA provenance signed by a trusted key) -> image index -> two
// platform images -> tags (one moved) -> staging and prod deployments; a base image as the build's
// input, a debug image built from the index, and a second builder that reproduced one platform image.
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as blastRadiusRoute } from "@/app/api/v1/blast-radius/route";
import { GET as lineageRoute } from "@/app/api/v1/lineage/[digest]/route";
import { type AppError, toAppError } from "@/lib/api/errors";
import type { TokenActor } from "@/lib/auth/actor";
import type { LineageGraph } from "@/lib/domain/lineage";
import { ingestAttestationsRequest, ingestEventsRequest, ingestSignaturesRequest } from "@/lib/server/ingest/ingest-requests";
import { runDueJobs } from "@/lib/server/jobs/worker";
import { type BlastRadius, exportBlastRadiusCsv, getBlastRadius, ZBlastRadiusQuery } from "@/lib/server/lineage/blast-radius";
import { getLineage } from "@/lib/server/lineage/get-lineage";
import { createToken } from "@/lib/server/tokens/create-token";
import { createTrustedIdentity } from "@/lib/server/trust/create-trusted-identity";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { ensureDefaultTrustRoot } from "@/lib/server/trust/ensure-default-trust-root";
import { revokeTrustEntry } from "@/lib/server/trust/revoke-trust-entry";
import { preAuthEncoding } from "@/lib/verify/dsse";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { fixtureBytes } from "./helpers/fixtures";

const { db } = setupTestDatabase();
const admin = { kind: "system", name: "test" } as const;
const IN_TOTO = "application/vnd.in-toto+json";
const GITHUB = "https://github.com/actions/runner/github-hosted";
const REPRODUCER = "https://builder.acme.dev/reproducer";
const BEACON =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";
const C1 = "1".repeat(40);
const C2 = "2c".repeat(20);
const C3 = "3".repeat(40);
const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const hexOf = (digest: string) => digest.slice("sha256:".length);

const INDEX = digestOf("app index 1.1");
const AMD = digestOf("app linux/amd64 1.1");
// The arm64 image is the digest the Sigstore conformance bundles sign, so a keyless signature verifies.
const ARM = `sha256:${createHash("sha256").update(fixtureBytes("sigstore", "a.txt")).digest("hex")}`;
const BASE = digestOf("base image");
const OLD = digestOf("app index 1.0");
const DEBUG = digestOf("app debug image");
const T = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 10, minutes)).toISOString();

let actor: TokenActor;
const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
const backup = generateKeyPairSync("ec", { namedCurve: "P-256" });
let releaseKey: { id: string; fingerprint: string };
let beaconId: string;
let readToken: string;

const pemOf = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const request = (body: unknown) => ({
  actor,
  headers: new Headers({ "content-type": "application/json" }),
  body: Buffer.from(JSON.stringify(body)),
  idempotencyKey: null,
  now: new Date(),
});

async function events(list: unknown[]) {
  const { answer } = await ingestEventsRequest(request(list));
  expect(answer.rejected, JSON.stringify(answer.results)).toBe(0);
}

async function signature(body: unknown) {
  const { answer } = await ingestSignaturesRequest(request(body));
  expect(answer.results[0]?.status, JSON.stringify(answer.results[0])).toBe("accepted");
}

function cosign(digest: string, key: KeyObject) {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": "registry.test/app" },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
  return {
    artifact: digest,
    format: "cosign",
    payload: payload.toString("base64"),
    signature: sign("sha256", payload, key).toString("base64"),
  };
}

async function provenance(options: {
  subjects: string[];
  builder: string;
  run: string;
  sources: Array<{ repo: string; commit: string }>;
  inputs?: Array<{ repo: string; digest: string }>;
}) {
  const statement = Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: options.subjects.map((d) => ({ name: "registry.test/app", digest: { sha256: hexOf(d) } })),
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: {
          buildType: "https://actions.github.io/buildtypes/workflow/v1",
          resolvedDependencies: [
            ...options.sources.map((s) => ({ uri: `git+${s.repo}@refs/heads/main`, digest: { gitCommit: s.commit } })),
            ...(options.inputs ?? []).map((i) => ({
              uri: `pkg:oci/${i.repo.split("/").pop()}@${i.digest.replace(":", "%3A")}?repository_url=${i.repo}`,
              digest: { sha256: hexOf(i.digest) },
            })),
          ],
        },
        runDetails: { builder: { id: options.builder }, metadata: { invocationId: options.run, finishedOn: T(1) } },
      },
    }),
  );
  const sig = sign("sha256", preAuthEncoding(IN_TOTO, statement), { key: release.privateKey, dsaEncoding: "der" });
  const { answer } = await ingestAttestationsRequest(
    request({ envelope: { payloadType: IN_TOTO, payload: statement.toString("base64"), signatures: [{ sig: sig.toString("base64") }] } }),
  );
  expect(answer.results[0]?.status, JSON.stringify(answer.results[0])).toBe("accepted");
}

const published = (id: string, digest: string, tag: string, minute: number) => ({
  context: { specversion: "0.5.1", id, source: "/ci/app", type: "dev.cdevents.artifact.published.0.3.0", timestamp: T(minute) },
  subject: { id: `pkg:oci/app@${digest.replace(":", "%3A")}?repository_url=registry.test/app&tag=${tag}`, content: {} },
});
const deployed = (id: string, digest: string, environment: string, minute: number) => ({
  context: { specversion: "0.5.1", id, source: "/argo", type: "dev.cdevents.service.deployed.0.3.0", timestamp: T(minute) },
  subject: {
    id: "app",
    content: { environment: { id: environment }, artifactId: `pkg:oci/app@${digest.replace(":", "%3A")}?repository_url=registry.test/app` },
  },
});

async function seedStory() {
  await resetDatabase();
  await ensureDefaultTrustRoot({ now: new Date() });
  const t = await db().apiToken.create({ data: { name: "lineage", prefix: "vtr_lineage", tokenHash: "e".repeat(64), scopes: ["ingest"] } });
  actor = { kind: "token", id: t.id, name: "lineage", scopes: ["ingest"] };
  releaseKey = await createTrustedKey({
    actor: admin,
    input: { name: "release-key", publicKey: pemOf(release.publicKey) },
    now: new Date(),
  });
  await createTrustedKey({ actor: admin, input: { name: "backup-key", publicKey: pemOf(backup.publicKey) }, now: new Date() });
  beaconId = (await createTrustedIdentity({ actor: admin, input: { name: "beacon", subject: BEACON, issuer: ISSUER }, now: new Date() }))
    .id;
  readToken = (await createToken({ actor: admin, input: { name: "reader", scopes: ["read"] }, now: new Date() })).secret;

  // The build: commit C1 + base image -> index and both platform images; the debug build takes the index.
  await provenance({
    subjects: [INDEX, AMD, ARM],
    builder: GITHUB,
    run: "run-1",
    sources: [{ repo: "https://github.com/acme/app", commit: C1 }],
    inputs: [{ repo: "registry.test/base", digest: BASE }],
  });
  await provenance({
    subjects: [AMD],
    builder: REPRODUCER,
    run: "repro-1",
    sources: [{ repo: "https://git.acme.dev/mirror/app", commit: C2 }],
  });
  await provenance({
    subjects: [DEBUG],
    builder: GITHUB,
    run: "run-2",
    sources: [{ repo: "https://github.com/acme/app-debug", commit: C3 }],
    inputs: [{ repo: "registry.test/app", digest: INDEX }],
  });
  // The registry's push notification for the index lists its platform manifests (distribution v3 target.references).
  const pushed = await ingestEventsRequest({
    actor,
    headers: new Headers({ "content-type": "application/vnd.docker.distribution.events.v2+json" }),
    body: Buffer.from(
      JSON.stringify({
        events: [
          {
            id: "registry-push-index-1.1",
            timestamp: T(2),
            action: "push",
            target: {
              mediaType: "application/vnd.oci.image.index.v1+json",
              digest: INDEX,
              size: 856,
              repository: "app",
              url: `https://registry.test/v2/app/manifests/${INDEX}`,
              references: [
                {
                  mediaType: "application/vnd.oci.image.manifest.v1+json",
                  digest: AMD,
                  size: 1203,
                  platform: { os: "linux", architecture: "amd64" },
                },
                {
                  mediaType: "application/vnd.oci.image.manifest.v1+json",
                  digest: ARM,
                  size: 1203,
                  platform: { os: "linux", architecture: "arm64", variant: "v8" },
                },
              ],
            },
            request: { id: "r1", host: "registry.test", method: "PUT", useragent: "buildkit/0.17" },
          },
        ],
      }),
    ),
    idempotencyKey: null,
    now: new Date(T(2)),
  });
  expect(pushed.answer.rejected, JSON.stringify(pushed.answer.results)).toBe(0);

  // Tags: latest moves from the old index to the new one; 1.1 only ever names the new one.
  await events([published("p-old", OLD, "latest", 0), published("p-new", INDEX, "latest", 10), published("p-11", INDEX, "1.1", 10)]);
  // Deployments: prod ran the old index, then the new one; staging runs the new one.
  await events([
    deployed("d-prod-old", OLD, "prod", 5),
    deployed("d-staging", INDEX, "staging", 20),
    deployed("d-prod", INDEX, "prod", 30),
  ]);

  // Signatures: the index by the release key only; amd64 also by the backup key; arm64 also keyless by the beacon identity.
  await signature(cosign(INDEX, release.privateKey));
  await signature(cosign(AMD, release.privateKey));
  await signature(cosign(AMD, backup.privateKey));
  await signature(cosign(ARM, release.privateKey));
  await signature({
    artifact: ARM,
    format: "sigstore-bundle",
    bundle: JSON.parse(fixtureBytes("sigstore", "happy-path-v0.3", "bundle.sigstore.json").toString()),
  });
  // The old index carries the release key's signature over another digest: a subject mismatch.
  await signature({ ...cosign(AMD, release.privateKey), artifact: OLD });
  await runDueJobs();
}

const node = (g: LineageGraph, id: string) => g.nodes.find((n) => n.id === id);
const ids = (g: LineageGraph, kind: string) =>
  g.nodes
    .filter((n) => n.kind === kind)
    .map((n) => n.label)
    .sort();
const hasEdge = (g: LineageGraph, from: string, kind: string, to: string) =>
  g.edges.some((e) => e.from === from && e.kind === kind && e.to === to);
const short = (digest: string) => `registry.test/app@${digest.slice(0, 19)}`;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    const app = toAppError(error);
    if (app) return app;
    throw error;
  }
  throw new Error("expected a refusal, but it succeeded");
}

function get(path: string, token: string | null = readToken) {
  return new NextRequest(new URL(path, "http://vitrine.test"), { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe("lineage", () => {
  beforeAll(seedStory);

  it("depth 1: the producing build, the platform manifests, tags, deployments, the consuming build, with leaves and statuses", async () => {
    const g = await getLineage({ digest: INDEX, depth: 1, now: new Date() });
    expect(g).toMatchObject({ root: `artifact:${INDEX}`, depth: 1, truncated: false });
    expect(node(g, `artifact:${INDEX}`)).toMatchObject({
      kind: "artifact",
      status: "verified",
      direction: "root",
      depth: 0,
      digest: INDEX,
      href: `/artifacts/${INDEX}`,
      artifactKind: "oci_index",
    });
    expect(ids(g, "artifact")).toEqual([short(INDEX), short(AMD), short(ARM)].sort());
    expect(ids(g, "build")).toEqual(["run-1", "run-2"]);
    expect(ids(g, "source")).toEqual([]);
    expect(ids(g, "tag")).toEqual(["registry.test/app:1.1", "registry.test/app:latest"]);
    expect(ids(g, "deployment")).toEqual(["prod: app", "staging: app"]);
    expect(ids(g, "key")).toEqual(["backup-key", "beacon", "release-key"]);

    const run1 = g.nodes.find((n) => n.label === "run-1");
    const run2 = g.nodes.find((n) => n.label === "run-2");
    expect(run1).toMatchObject({ kind: "build", direction: "upstream", depth: 1, status: "verified", builderId: GITHUB });
    expect(run2).toMatchObject({ direction: "downstream", depth: 1 });
    expect(hasEdge(g, run1?.id as string, "output", `artifact:${INDEX}`)).toBe(true);
    expect(hasEdge(g, run1?.id as string, "output", `artifact:${AMD}`)).toBe(true);
    expect(hasEdge(g, `artifact:${INDEX}`, "input", run2?.id as string)).toBe(true);
    expect(hasEdge(g, `artifact:${INDEX}`, "manifest", `artifact:${AMD}`)).toBe(true);
    expect(hasEdge(g, `artifact:${INDEX}`, "manifest", `artifact:${ARM}`)).toBe(true);
    expect(node(g, `artifact:${AMD}`)).toMatchObject({ direction: "upstream", depth: 1, status: "verified" });

    // Tags: latest moved here from the old index (status moved, its history newest first); 1.1 never moved.
    const latest = node(g, "tag:registry.test/app:latest");
    expect(latest).toMatchObject({ status: "moved", currentDigest: INDEX, depth: 1 });
    expect(latest?.history?.map((h) => [h.digest, h.validTo])).toEqual([
      [INDEX, null],
      [OLD, T(10)],
    ]);
    expect(node(g, "tag:registry.test/app:1.1")?.status).toBeNull();
    expect(hasEdge(g, `artifact:${INDEX}`, "tagged", "tag:registry.test/app:latest")).toBe(true);

    // Deployments carry the environment's policy result.
    const prod = g.nodes.find((n) => n.kind === "deployment" && n.environment === "prod");
    expect(prod).toMatchObject({ status: "pass", workload: "app", endedAt: null, pinned: true, startedAt: T(30) });
    expect(hasEdge(g, `artifact:${INDEX}`, "deployed", prod?.id as string)).toBe(true);

    // Leaves: signatures with their verdicts, each to the trust entry it counts for; the provenance attestation to its build.
    const indexSignatures = g.edges.filter((e) => e.from === `artifact:${INDEX}` && e.kind === "signature");
    expect(indexSignatures).toHaveLength(1);
    expect(node(g, indexSignatures[0]?.to as string)).toMatchObject({
      kind: "signature",
      status: "verified",
      format: "cosign",
      direction: "leaf",
    });
    expect(hasEdge(g, indexSignatures[0]?.to as string, "signed-by", `key:keys:${releaseKey.id}`)).toBe(true);
    expect(node(g, `key:keys:${releaseKey.id}`)).toMatchObject({
      kind: "key",
      status: "trusted",
      trustKind: "keys",
      fingerprint: releaseKey.fingerprint,
    });
    expect(node(g, `key:identities:${beaconId}`)).toMatchObject({ status: "trusted", identity: BEACON });
    const attestation = g.nodes.find(
      (n) => n.kind === "attestation" && g.edges.some((e) => e.to === n.id && e.from === `artifact:${INDEX}`),
    );
    expect(attestation).toMatchObject({ status: "verified", label: "SLSA provenance v1" });
    expect(hasEdge(g, attestation?.id as string, "provenance", run1?.id as string)).toBe(true);
    expect(hasEdge(g, attestation?.id as string, "signed-by", `key:keys:${releaseKey.id}`)).toBe(true);

    // Every edge joins two nodes of the answer; every node id is unique.
    const all = new Set(g.nodes.map((n) => n.id));
    expect(all.size).toBe(g.nodes.length);
    for (const e of g.edges) expect(all.has(e.from) && all.has(e.to), JSON.stringify(e)).toBe(true);
  });

  it("depth 2 reaches the commit, the base image, the reproducing build and the debug image; depth 3 the mirror commit", async () => {
    const two = await getLineage({ digest: INDEX, depth: 2, now: new Date() });
    expect(ids(two, "source")).toEqual([`github.com/acme/app@${C1.slice(0, 12)}`]);
    expect(ids(two, "build")).toEqual(["repro-1", "run-1", "run-2"]);
    expect(ids(two, "artifact")).toEqual(
      // The debug image is named only by its provenance subject: that name is its name.
      [short(INDEX), short(AMD), short(ARM), short(DEBUG), `registry.test/base@${BASE.slice(0, 19)}`].sort(),
    );
    expect(node(two, `artifact:${BASE}`)).toMatchObject({ direction: "upstream", depth: 2, status: "unsigned" });
    expect(node(two, `artifact:${DEBUG}`)).toMatchObject({ direction: "downstream", depth: 2, status: "unsigned" });
    const source = two.nodes.find((n) => n.kind === "source");
    const run1 = two.nodes.find((n) => n.label === "run-1");
    expect(source).toMatchObject({ repository: "https://github.com/acme/app", commit: C1, depth: 2, status: null });
    expect(hasEdge(two, source?.id as string, "source", run1?.id as string)).toBe(true);
    expect(hasEdge(two, `artifact:${BASE}`, "input", run1?.id as string)).toBe(true);
    // The debug build's own commit is upstream of a downstream build: not walked.
    expect(ids(two, "source")).not.toContain(`github.com/acme/app-debug@${C3.slice(0, 12)}`);

    const three = await getLineage({ digest: INDEX, depth: 3, now: new Date() });
    expect(ids(three, "source")).toEqual([`git.acme.dev/mirror/app@${C2.slice(0, 12)}`, `github.com/acme/app@${C1.slice(0, 12)}`]);
    expect(three.nodes.length).toBeGreaterThan(two.nodes.length);
    expect(two.nodes.length).toBeGreaterThan((await getLineage({ digest: INDEX, depth: 1, now: new Date() })).nodes.length);
  });

  it("from a platform image: the index that contains it is downstream, with the index's tags and deployments one hop further", async () => {
    const one = await getLineage({ digest: AMD, depth: 1, now: new Date() });
    expect(ids(one, "artifact")).toEqual([short(INDEX), short(AMD)].sort());
    expect(node(one, `artifact:${INDEX}`)).toMatchObject({ direction: "downstream", depth: 1 });
    expect(ids(one, "build")).toEqual(["repro-1", "run-1"]);
    expect(ids(one, "tag")).toEqual([]);
    const two = await getLineage({ digest: AMD, depth: 2, now: new Date() });
    expect(ids(two, "tag")).toEqual(["registry.test/app:1.1", "registry.test/app:latest"]);
    expect(ids(two, "deployment")).toEqual(["prod: app", "staging: app"]);
    expect(ids(two, "build")).toEqual(["repro-1", "run-1", "run-2"]);
    // Siblings are not walked: the arm64 image is neither upstream nor downstream of amd64.
    expect(node(two, `artifact:${ARM}`)).toBeUndefined();
  });

  it("the old index: a moved tag it no longer holds, a past deployment, and its subject-mismatch signature", async () => {
    const g = await getLineage({ digest: OLD, depth: 1, now: new Date() });
    expect(node(g, `artifact:${OLD}`)?.status).toBe("subject-mismatch");
    const latest = g.edges.find((e) => e.to === "tag:registry.test/app:latest");
    expect(latest).toMatchObject({ from: `artifact:${OLD}`, kind: "was-tagged", validFrom: T(0), validTo: T(10) });
    expect(node(g, "tag:registry.test/app:latest")?.currentDigest).toBe(INDEX);
    const past = g.nodes.find((n) => n.kind === "deployment");
    expect(past).toMatchObject({ environment: "prod", endedAt: T(30), startedAt: T(5) });
  });

  it("caps the graph and says so", async () => {
    const g = await getLineage({ digest: INDEX, depth: 3, now: new Date(), maxNodes: 5 });
    expect(g.truncated).toBe(true);
    expect(g.nodes.length).toBeLessThanOrEqual(5);
    const all = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) expect(all.has(e.from) && all.has(e.to)).toBe(true);
  });

  it("refuses a malformed digest or depth (422) and an unknown digest (404), in the verb and over the route", async () => {
    expect((await refusal(getLineage({ digest: "sha256:abc", now: new Date() }))).status).toBe(422);
    expect((await refusal(getLineage({ digest: INDEX.toUpperCase().replace("SHA256", "sha256"), now: new Date() }))).status).toBe(422);
    expect((await refusal(getLineage({ digest: INDEX, depth: 6, now: new Date() }))).status).toBe(422);
    expect((await refusal(getLineage({ digest: digestOf("never seen"), now: new Date() }))).status).toBe(404);

    const route = (path: string, digest: string, token?: string | null) =>
      lineageRoute(get(path, token), { params: Promise.resolve({ digest }) });
    const ok = await route(`/api/v1/lineage/${INDEX}?depth=3`, INDEX);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as LineageGraph;
    expect(body.depth).toBe(3);
    expect(body.nodes.some((n) => n.kind === "source")).toBe(true);
    const encoded = await route(`/api/v1/lineage/${encodeURIComponent(INDEX)}`, encodeURIComponent(INDEX));
    expect(((await encoded.json()) as LineageGraph).depth).toBe(2);
    for (const depth of ["0", "6", "2.5", "x", ""]) {
      const res = await route(`/api/v1/lineage/${INDEX}?depth=${depth}`, INDEX);
      expect(res.status, depth).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { errors: Array<{ path: string }> }).errors[0]?.path).toBe("$.query.depth");
    }
    const bad = await route("/api/v1/lineage/sha256:xyz", "sha256:xyz");
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ path: string }> }).errors[0]?.path).toBe("$.params.digest");
    const unknown = await route(`/api/v1/lineage/${digestOf("nope")}`, digestOf("nope"));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect((await route(`/api/v1/lineage/${INDEX}`, INDEX, null)).status).toBe(401);
  });
});

describe("blast radius", () => {
  beforeAll(seedStory);
  const radius = (q: Record<string, string>) => getBlastRadius({ query: ZBlastRadiusQuery.parse(q) });
  const byDigest = (r: BlastRadius) => Object.fromEntries(r.artifacts.map((a) => [a.digest, a]));

  it("a key: what it signed, where that runs, and what has no other trusted signature", async () => {
    const r = await radius({ key: releaseKey.id });
    expect(r.subject).toEqual({ kind: "key", id: releaseKey.id, label: "release-key" });
    // OLD's signature is a subject mismatch but still the key's: it is listed, with nothing else vouching for it.
    expect(r.totals).toEqual({ artifacts: 4, deployments: 2, onlyTrust: 2 });
    const a = byDigest(r);
    expect(a[INDEX]).toMatchObject({ otherTrustedSignatures: 0, onlyTrust: true, names: ["registry.test/app"] });
    expect(a[INDEX]?.deployments.map((d) => [d.environment, d.workload, d.since])).toEqual([
      ["prod", "app", T(30)],
      ["staging", "app", T(20)],
    ]);
    expect(a[AMD]).toMatchObject({ otherTrustedSignatures: 1, onlyTrust: false, deployments: [] });
    expect(a[ARM]).toMatchObject({ otherTrustedSignatures: 1, onlyTrust: false });
    expect(a[OLD]).toMatchObject({ onlyTrust: true, deployments: [] });
    expect(a[INDEX]?.signedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // onlyTrust first.
    expect(r.artifacts.map((x) => x.onlyTrust)).toEqual([true, true, false, false]);
    expect(r.environments).toEqual([
      { environment: "prod", deployments: 1, onlyTrust: 1 },
      { environment: "staging", deployments: 1, onlyTrust: 1 },
    ]);
    // The same key by fingerprint.
    expect((await radius({ key: releaseKey.fingerprint })).totals).toEqual(r.totals);
  });

  it("pages artefacts with a cursor", async () => {
    const first = await radius({ key: releaseKey.id, limit: "3" });
    expect(first.artifacts).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await radius({ key: releaseKey.id, limit: "3", cursor: first.nextCursor as string });
    expect(second.artifacts).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(second.totals.artifacts).toBe(4);
    const all = (await radius({ key: releaseKey.id })).artifacts.map((a) => a.digest);
    expect([...first.artifacts, ...second.artifacts].map((a) => a.digest)).toEqual(all);
    expect((await refusal(radius({ key: releaseKey.id, cursor: "bm9wZQ" }))).status).toBe(422);
  });

  it("an identity, a commit and a builder", async () => {
    const identity = await radius({ identity: "beacon" });
    expect(identity.subject).toEqual({ kind: "identity", id: beaconId, label: "beacon" });
    expect(identity.artifacts.map((a) => [a.digest, a.otherTrustedSignatures, a.onlyTrust])).toEqual([[ARM, 1, false]]);
    expect((await radius({ identity: beaconId })).totals.artifacts).toBe(1);

    // Commit C1 built all three; only amd64 was also reproduced (verified provenance) elsewhere.
    const commit = await radius({ commit: C1 });
    expect(commit.subject).toEqual({ kind: "commit", id: C1, label: `github.com/acme/app@${C1.slice(0, 12)}` });
    expect(commit.totals).toEqual({ artifacts: 3, deployments: 2, onlyTrust: 2 });
    expect(byDigest(commit)[AMD]).toMatchObject({ otherTrustedSignatures: 1, onlyTrust: false });
    expect(byDigest(commit)[INDEX]).toMatchObject({ onlyTrust: true });
    expect(byDigest(commit)[INDEX]?.signedAt).toBeUndefined();
    const mirror = await radius({ commit: C2.slice(0, 7) });
    expect(mirror.artifacts.map((a) => [a.digest, a.onlyTrust])).toEqual([[AMD, false]]);

    const builder = await radius({ builder: GITHUB });
    expect(builder.totals).toEqual({ artifacts: 4, deployments: 2, onlyTrust: 3 });
    expect(byDigest(builder)[AMD]?.onlyTrust).toBe(false);
    expect(byDigest(builder)[DEBUG]?.onlyTrust).toBe(true);
    expect((await radius({ builder: REPRODUCER })).artifacts.map((a) => [a.digest, a.onlyTrust])).toEqual([[AMD, false]]);
  });

  it("refuses anything but exactly one subject (422) and unknown subjects (404)", async () => {
    expect(ZBlastRadiusQuery.safeParse({}).success).toBe(false);
    expect(ZBlastRadiusQuery.safeParse({ key: "a", commit: C1 }).success).toBe(false);
    expect(ZBlastRadiusQuery.safeParse({ commit: "XYZ" }).success).toBe(false);
    expect((await refusal(radius({ key: "00000000-0000-4000-8000-000000000000" }))).status).toBe(404);
    expect((await refusal(radius({ key: `sha256:${"9".repeat(64)}` }))).status).toBe(404);
    expect((await refusal(radius({ key: "not a fingerprint" }))).status).toBe(422);
    expect((await refusal(radius({ identity: "nobody" }))).status).toBe(404);
    expect((await refusal(radius({ commit: "f".repeat(40) }))).status).toBe(404);
    expect((await refusal(radius({ builder: "https://nowhere" }))).status).toBe(404);

    const route = (query: string) => blastRadiusRoute(get(`/api/v1/blast-radius?${query}`));
    for (const q of [
      "",
      `key=${releaseKey.id}&builder=${GITHUB}`,
      "commit=XYZ",
      "limit=5",
      `key=${releaseKey.id}&limit=101`,
      `key=${releaseKey.id}&format=xml`,
    ]) {
      const res = await route(q);
      expect(res.status, q).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await route("identity=nobody")).status).toBe(404);
    const ok = await route(`identity=beacon`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as BlastRadius).totals.artifacts).toBe(1);
  });

  it("CSV: one row per artefact and deployment, RFC 4180, formula-safe, over the route", async () => {
    const res = await blastRadiusRoute(get(`/api/v1/blast-radius?key=${releaseKey.id}&format=csv`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="blast-radius-key-${releaseKey.id}.csv"`);
    const text = await res.text();
    const lines = text.split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines[0]).toBe("digest,names,signed_at,other_trusted_signatures,only_trust,environment,cluster,namespace,workload,since");
    // INDEX runs twice (two rows), AMD, ARM and OLD nowhere (one row each).
    expect(lines).toHaveLength(1 + 5);
    expect(lines.filter((l) => l.startsWith(`${INDEX},`)).map((l) => l.split(",").slice(3))).toEqual([
      ["0", "true", "prod", "", "", "app", T(30)],
      ["0", "true", "staging", "", "", "app", T(20)],
    ]);
    expect(
      lines
        .find((l) => l.startsWith(`${AMD},`))
        ?.split(",")
        .slice(3),
    ).toEqual(["1", "false", "", "", "", "", ""]);

    // A name that looks like a formula is defused (and quoted, for its comma).
    await db().$executeRawUnsafe(
      `INSERT INTO artifact_names (id, artifact_id, name, first_seen_at)
       SELECT gen_random_uuid(), id, $2, '2000-01-01T00:00:00Z' FROM artifacts WHERE digest = $1`,
      AMD,
      "=cmd|' /C calc'!A0,evil",
    );
    const csv = await exportBlastRadiusCsv({ query: ZBlastRadiusQuery.parse({ key: releaseKey.id, format: "csv" }) });
    const amd = (await new Response(csv.stream).text()).split("\r\n").find((l) => l.startsWith(`${AMD},`)) ?? "";
    expect(amd.startsWith(`${AMD},"'=cmd|' /C calc'!A0,evil registry.test/app",`)).toBe(true);
    expect(amd.endsWith(",1,false,,,,,")).toBe(true);
  });

  it("after the key is revoked: still its artefacts (by fingerprint), and the identity is now arm64's only trust", async () => {
    await revokeTrustEntry({ actor: admin, kind: "keys", id: releaseKey.id, input: { reason: "key leaked" }, now: new Date() });
    await runDueJobs();
    const key = await radius({ key: releaseKey.id });
    expect(key.totals.artifacts).toBe(4);
    expect(byDigest(key)[ARM]).toMatchObject({ otherTrustedSignatures: 1, onlyTrust: false });
    const identity = await radius({ identity: "beacon" });
    expect(identity.artifacts.map((a) => [a.digest, a.otherTrustedSignatures, a.onlyTrust])).toEqual([[ARM, 0, true]]);
    const g = await getLineage({ digest: INDEX, depth: 1, now: new Date() });
    expect(node(g, `artifact:${INDEX}`)?.status).toBe("revoked");
    expect(node(g, `key:keys:${releaseKey.id}`)?.status).toBe("revoked");
  });
});

// Vitrine as the admission gate: AdmissionReviews decided from Vitrine's own verdicts under the policy of the
// namespace's environment, and every decision kept (document, decision row, ledger entries, evaluation job).
// Real cryptography: cosign signatures made here with generated keys, verified on arrival against the trust store.
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeEach, describe, expect, it } from "vitest";
import { PUT as putNamespacesRoute } from "@/app/api/v1/admission/namespaces/route";
import { POST as reviewRoute } from "@/app/api/v1/admission/review/route";
import type { TokenActor } from "@/lib/auth/actor";
import { getNamespaceMappings } from "@/lib/server/admission/get-namespace-mappings";
import { putNamespaceMappings } from "@/lib/server/admission/put-namespace-mappings";
import { reviewAdmission } from "@/lib/server/admission/review-admission";
import { ingestEventsRequest, ingestSignaturesRequest } from "@/lib/server/ingest/ingest-requests";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { putPolicy } from "@/lib/server/policies/put-policy";
import { createToken } from "@/lib/server/tokens/create-token";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const system = { kind: "system", name: "test" } as const;
const REPO = "registry.acme.dev/payments";
const digestOf = (label: string) => `sha256:${createHash("sha256").update(label).digest("hex")}`;
const API = digestOf("api");
const WORKER = digestOf("worker");
const MIGRATE = digestOf("migrate");
const UNSIGNED = digestOf("unsigned");

let ingest: TokenActor;
let gate: TokenActor;
let gateSecret: string;
let release: ReturnType<typeof generateKeyPairSync>;
let nightly: ReturnType<typeof generateKeyPairSync>;
let uidSeq = 0;

const pem = (k: ReturnType<typeof generateKeyPairSync>) => k.publicKey.export({ type: "spki", format: "pem" }).toString();

function cosign(digest: string, privateKey: KeyObject) {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": REPO },
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
    signature: sign("sha256", payload, privateKey).toString("base64"),
  };
}

async function signWith(digest: string, key: ReturnType<typeof generateKeyPairSync>) {
  const { answer } = await ingestSignaturesRequest({
    actor: ingest,
    headers: new Headers({ "content-type": "application/json" }),
    body: Buffer.from(JSON.stringify(cosign(digest, key.privateKey))),
    idempotencyKey: null,
    now: new Date(),
  });
  expect(answer.accepted).toBe(1);
}

/** An artifact.published CDEvent: the artefact under REPO/<name>, tagged. */
async function publish(digest: string, name: string, tag: string) {
  const { answer } = await ingestEventsRequest({
    actor: ingest,
    headers: new Headers({ "content-type": "application/json" }),
    body: Buffer.from(
      JSON.stringify({
        context: {
          specversion: "0.5.1",
          id: `pub-${name}-${tag}-${digest.slice(7, 15)}`,
          source: "/ci",
          type: "dev.cdevents.artifact.published.0.3.0",
          timestamp: "2026-11-25T09:00:00Z",
        },
        subject: { id: `pkg:oci/${name}@${digest.replace(":", "%3A")}?repository_url=${REPO}/${name}&tag=${tag}`, content: {} },
      }),
    ),
    idempotencyKey: null,
    now: new Date(),
  });
  expect(answer.accepted).toBe(1);
}

type Containers = Array<{ name: string; image: string }>;

function admissionReview(options: {
  containers: Containers;
  initContainers?: Containers;
  namespace?: string;
  uid?: string;
  kind?: "Pod" | "Deployment" | "CronJob";
  dryRun?: boolean;
}) {
  const podSpec = { containers: options.containers, ...(options.initContainers ? { initContainers: options.initContainers } : {}) };
  const kind = options.kind ?? "Pod";
  const spec =
    kind === "Pod"
      ? podSpec
      : kind === "Deployment"
        ? { replicas: 2, template: { spec: podSpec } }
        : { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: podSpec } } } };
  const group = kind === "Pod" ? "" : kind === "Deployment" ? "apps" : "batch";
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: options.uid ?? `00000000-0000-4000-8000-${String(++uidSeq).padStart(12, "0")}`,
      kind: { group, version: "v1", kind },
      resource: { group, version: "v1", resource: `${kind.toLowerCase()}s` },
      operation: "CREATE",
      namespace: options.namespace ?? "prod",
      userInfo: { username: "alice@acme.dev" },
      object: { apiVersion: "v1", kind, metadata: { name: "checkout", namespace: options.namespace ?? "prod" }, spec },
      dryRun: options.dryRun ?? false,
    },
  };
}

function decide(review: unknown, body = Buffer.from(JSON.stringify(review))) {
  return reviewAdmission({ actor: gate, body, contentType: "application/json", now: new Date() });
}

const pinned = (name: string, digest: string) => `${REPO}/${name}@${digest}`;
const threeImages = () => ({
  containers: [
    { name: "api", image: pinned("api", API) },
    { name: "worker", image: pinned("worker", WORKER) },
  ],
  initContainers: [{ name: "migrate", image: pinned("migrate", MIGRATE) }],
});

function routeRequest(url: string, init: { method: string; token?: string; body?: string; contentType?: string }) {
  const headers = new Headers({ "content-type": init.contentType ?? "application/json" });
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  return new NextRequest(new URL(url, "http://vitrine.test"), { method: init.method, headers, body: init.body });
}

describe("admission gate", () => {
  beforeEach(async () => {
    await resetDatabase();
    const now = new Date();
    const i = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest"] }, now });
    ingest = { kind: "token", id: i.id, name: i.name, scopes: ["ingest"] };
    const g = await createToken({ actor: system, input: { name: "gate", scopes: ["admission"] }, now });
    gate = { kind: "token", id: g.id, name: g.name, scopes: ["admission"] };
    gateSecret = g.secret;
    release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    nightly = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await createTrustedKey({ actor: system, input: { name: "release-key", publicKey: pem(release) }, now });
    await createTrustedKey({ actor: system, input: { name: "nightly-key", publicKey: pem(nightly) }, now });
    for (const d of [API, WORKER, MIGRATE]) await signWith(d, release);
  });

  it("a pod of three images, all signed by a trusted key, is allowed, and the decision is kept", async () => {
    const review = admissionReview(threeImages());
    const body = Buffer.from(JSON.stringify(review, null, 2));
    const ledgerBefore = await db().ledgerEntry.count();
    const outcome = await decide(review, body);
    expect(outcome.answer).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: review.request.uid, allowed: true },
    });
    expect(outcome.replayed).toBe(false);

    // The review itself, verbatim, as a document.
    const document = await db().document.findUniqueOrThrow({ where: { id: outcome.documentId }, include: { content: true } });
    expect(Buffer.from(document.content!.body).equals(body)).toBe(true);
    expect(document).toMatchObject({
      format: "admission-review",
      route: "admission",
      tokenId: gate.id,
      sha256: createHash("sha256").update(body).digest("hex"),
    });

    // The decision row.
    const decision = await db().admissionDecision.findUniqueOrThrow({ where: { requestUid: review.request.uid } });
    expect(decision).toMatchObject({
      id: outcome.decisionId,
      documentId: document.id,
      environment: "prod",
      namespace: "prod",
      workloadKind: "Pod",
      workloadName: "checkout",
      operation: "CREATE",
      dryRun: false,
      allowed: true,
      message: null,
      requestedBy: "alice@acme.dev",
    });
    expect(decision.durationMs).toBeGreaterThan(0);
    const artifacts = await db().artifact.findMany({ where: { digest: { in: [API, WORKER, MIGRATE] } } });
    const idOf = (d: string) => artifacts.find((a) => a.digest === d)?.id;
    expect(decision.images).toEqual([
      expect.objectContaining({
        reference: pinned("api", API),
        digest: API,
        artifactId: idOf(API),
        pass: true,
        failures: [],
        containers: ["api"],
      }),
      expect.objectContaining({ reference: pinned("worker", WORKER), digest: WORKER, artifactId: idOf(WORKER), pass: true }),
      expect.objectContaining({
        reference: pinned("migrate", MIGRATE),
        digest: MIGRATE,
        artifactId: idOf(MIGRATE),
        pass: true,
        containers: ["migrate"],
      }),
    ]);

    // Two ledger entries: the document (its sha256, checked by ledger verify) and the decision.
    const entries = await db().ledgerEntry.findMany({ where: { sequence: { gt: BigInt(ledgerBefore) } }, orderBy: { sequence: "asc" } });
    expect(entries.map((e) => e.kind)).toEqual(["document.accepted", "admission.allowed"]);
    expect(entries.every((e) => e.documentId === document.id && e.actor === `token:${gate.id}`)).toBe(true);
    expect(entries[0]?.payload).toMatchObject({ sha256: `sha256:${document.sha256}`, route: "admission", uid: review.request.uid });
    expect(entries[1]?.payload).toMatchObject({ decisionId: decision.id, environment: "prod", workload: "Pod/checkout", allowed: true });
    expect(await verifyLedger()).toMatchObject({ valid: true });

    // The artefacts are queued for evaluation in the same transaction, a few seconds out (a rollout's pods coalesce).
    const jobs = await db().job.findMany({ where: { kind: "artifacts.changed", doneAt: null } });
    // (The signatures' own evaluation is queued too, without a dedupe key, for the same artefacts.)
    const ours = jobs.find(
      (j) =>
        j.dedupeKey !== null &&
        JSON.stringify([...((j.payload as { artifactIds?: string[] }).artifactIds ?? [])].sort()) ===
          JSON.stringify([idOf(API), idOf(WORKER), idOf(MIGRATE)].sort()),
    );
    expect(ours?.dedupeKey).toMatch(/^artifacts\.changed:/);
    expect(ours!.runAt.getTime()).toBeGreaterThan(decision.decidedAt.getTime());
  });

  it("one unsigned image denies the pod, and the message names that image and the failed requirement", async () => {
    await publish(UNSIGNED, "cache", "7.2");
    const review = admissionReview({
      ...threeImages(),
      containers: [...threeImages().containers, { name: "cache", image: pinned("cache", UNSIGNED) }],
    });
    const { answer } = await decide(review);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.code).toBe(403);
    const lines = answer.response.status?.message.split("\n") ?? [];
    expect(lines[0]).toBe("Vitrine denied Pod/checkout in namespace prod (environment prod): 1 of 4 images fails the trust policy");
    expect(lines.slice(1)).toEqual([
      `- ${pinned("cache", UNSIGNED)} (container cache): signatures: needs 1 verified signature; it has none`,
    ]);
    const decision = await db().admissionDecision.findUniqueOrThrow({ where: { requestUid: review.request.uid } });
    expect(decision.allowed).toBe(false);
    expect(decision.message).toBe(answer.response.status?.message);
    expect((decision.images as Array<{ pass: boolean }>).map((i) => i.pass)).toEqual([true, true, false, true]);
    const denied = await db().ledgerEntry.findFirstOrThrow({ where: { kind: "admission.denied" } });
    expect(denied.payload).toMatchObject({
      allowed: false,
      images: expect.arrayContaining([expect.objectContaining({ digest: UNSIGNED, pass: false })]),
    });
  });

  it("an artefact Vitrine has never seen has no signatures: denied, saying so", async () => {
    const ghost = digestOf("ghost");
    const { answer } = await decide(admissionReview({ containers: [{ name: "ghost", image: pinned("ghost", ghost) }] }));
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain(
      `signatures: needs 1 verified signature; it has none: Vitrine has no record of the artefact ${ghost}`,
    );
    const [decision] = await db().admissionDecision.findMany();
    expect(decision?.images).toEqual([expect.objectContaining({ digest: ghost, artifactId: null, pass: false })]);
  });

  it("a tag-only image is denied under a pinning policy (the built-in default), without resolving the tag", async () => {
    await publish(API, "api", "1.4.0");
    const { answer } = await decide(admissionReview({ containers: [{ name: "api", image: `${REPO}/api:1.4.0` }] }));
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message.split("\n")[1]).toBe(
      `- ${REPO}/api:1.4.0 (container api): digest-pinning: prod requires digest-pinned references; this names the tag 1.4.0`,
    );
    const [decision] = await db().admissionDecision.findMany();
    expect(decision?.images).toEqual([expect.objectContaining({ digest: null, artifactId: null, resolvedFromTag: null, pinned: false })]);
  });

  it("where the policy does not require pinning, a known tag is resolved to its current digest and decided on that", async () => {
    await putPolicy({ actor: system, environment: "dev", document: { requireDigestPinning: false }, source: "", now: new Date() });
    await publish(WORKER, "api", "1.0"); // an older target of the tag
    await publish(API, "api", "1.0"); // the tag moved: now it points at API
    await publish(UNSIGNED, "cache", "latest");
    const ok = await decide(admissionReview({ namespace: "dev", containers: [{ name: "api", image: `${REPO}/api:1.0` }] }));
    expect(ok.answer.response).toMatchObject({ allowed: true });
    expect(ok.answer.response.warnings).toEqual([
      `${REPO}/api:1.0 is not pinned by digest; Vitrine decided on ${API}, where ${REPO}/api:1.0 points now`,
    ]);
    const decision = await db().admissionDecision.findUniqueOrThrow({ where: { id: ok.decisionId } });
    const api = await db().artifact.findUniqueOrThrow({ where: { digest: API } });
    expect(decision.images).toEqual([
      expect.objectContaining({ digest: API, artifactId: api.id, resolvedFromTag: `${REPO}/api:1.0`, pinned: false, pass: true }),
    ]);

    // Resolved but unsigned: denied for the signature; an unknown tag: denied, it cannot be resolved.
    const bad = await decide(
      admissionReview({
        namespace: "dev",
        containers: [
          { name: "cache", image: `${REPO}/cache` },
          { name: "new", image: `${REPO}/api:2.0` },
        ],
      }),
    );
    const lines = bad.answer.response.status?.message.split("\n") ?? [];
    expect(lines[0]).toContain("2 of 2 images fail");
    expect(lines[1]).toBe(`- ${REPO}/cache (container cache): signatures: needs 1 verified signature; it has none`);
    expect(lines[2]).toContain(`resolution: Vitrine knows no digest for the tag ${REPO}/api:2.0`);
  });

  it("a namespace mapped to another environment is decided under that environment's policy", async () => {
    await putPolicy({
      actor: system,
      environment: "prod",
      document: { signatures: { required: 1, signers: ["release-key"] } },
      source: "",
      now: new Date(),
    });
    const NIGHTLY = digestOf("nightly build");
    await signWith(NIGHTLY, nightly);
    const containers = [{ name: "app", image: pinned("app", NIGHTLY) }];
    // payments-eu has no policy of its own: the built-in default takes any trusted signer.
    const before = await decide(admissionReview({ namespace: "payments-eu", containers }));
    expect(before.answer.response.allowed).toBe(true);

    const mapped = await putNamespaceMappings({
      actor: system,
      namespaces: { "payments-eu": "prod", "payments-us": "prod" },
      now: new Date(),
    });
    expect(mapped.changed).toBe(true);
    expect(await getNamespaceMappings()).toMatchObject({ namespaces: { "payments-eu": "prod", "payments-us": "prod" } });
    const entry = await db().ledgerEntry.findFirstOrThrow({ where: { kind: "admission.namespaces.updated" } });
    expect(entry.payload).toEqual({ namespaces: { "payments-eu": "prod", "payments-us": "prod" }, previous: {} });
    // The same mapping again changes nothing and adds no ledger entry.
    expect(
      (await putNamespaceMappings({ actor: system, namespaces: { "payments-us": "prod", "payments-eu": "prod" }, now: new Date() }))
        .changed,
    ).toBe(false);
    expect(await db().ledgerEntry.count({ where: { kind: "admission.namespaces.updated" } })).toBe(1);

    const after = await decide(admissionReview({ namespace: "payments-eu", containers }));
    expect(after.answer.response.allowed).toBe(false);
    expect(after.answer.response.status?.message).toContain("(environment prod)");
    expect(after.answer.response.status?.message).toContain("needs 1 verified signature from release-key");
    const decision = await db().admissionDecision.findUniqueOrThrow({ where: { id: after.decisionId } });
    expect(decision).toMatchObject({ namespace: "payments-eu", environment: "prod" });
    // A namespace without a mapping is still its own environment.
    const other = await decide(admissionReview({ namespace: "staging", containers }));
    expect(other.answer.response.allowed).toBe(true);
    expect((await db().admissionDecision.findUniqueOrThrow({ where: { id: other.decisionId } })).environment).toBe("staging");
  });

  it("the pod templates of Deployments and CronJobs are decided like pods; dry runs are recorded as such", async () => {
    const deployment = await decide(admissionReview({ ...threeImages(), kind: "Deployment" }));
    expect(deployment.answer.response.allowed).toBe(true);
    const cron = await decide(
      admissionReview({ kind: "CronJob", dryRun: true, containers: [{ name: "job", image: pinned("job", UNSIGNED) }] }),
    );
    expect(cron.answer.response.allowed).toBe(false);
    const rows = await db().admissionDecision.findMany({ orderBy: { decidedAt: "asc" } });
    expect(rows.map((r) => [r.workloadKind, r.allowed, r.dryRun])).toEqual([
      ["Deployment", true, false],
      ["CronJob", false, true],
    ]);
  });

  it("a re-sent review (same uid) is answered as before and recorded once; a different review with that uid is refused", async () => {
    const review = admissionReview({ containers: [{ name: "cache", image: pinned("cache", UNSIGNED) }] });
    const first = await decide(review);
    const counts = async () => ({
      decisions: await db().admissionDecision.count(),
      documents: await db().document.count({ where: { route: "admission" } }),
      ledger: await db().ledgerEntry.count(),
    });
    const before = await counts();
    // Meanwhile the artefact got signed: a replay still answers the decision that was made.
    await signWith(UNSIGNED, release);
    const ledgerAfterSigning = (await counts()).ledger;
    const again = await decide(review);
    expect(again).toEqual({ ...first, replayed: true });
    const concurrent = await Promise.all([decide(review), decide(review)]);
    expect(concurrent.map((c) => c.decisionId)).toEqual([first.decisionId, first.decisionId]);
    expect(await counts()).toEqual({ ...before, ledger: ledgerAfterSigning });

    // Two identical new reviews at the same instant: one decision, both answered with it.
    const fresh = admissionReview({ containers: [{ name: "api", image: pinned("api", API) }] });
    const racing = await Promise.all([decide(fresh), decide(fresh), decide(fresh)]);
    expect(new Set(racing.map((r) => r.decisionId)).size).toBe(1);
    expect(racing.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await db().admissionDecision.count({ where: { requestUid: fresh.request.uid } })).toBe(1);
    before.decisions += 1;
    before.documents += 1;
    before.ledger += 2;
    const ledgerAfterRace = ledgerAfterSigning + 2;

    const changed = { ...review, request: { ...review.request, namespace: "staging" } };
    await expect(decide(changed)).rejects.toMatchObject({ code: "conflict", status: 409 });
    expect(await counts()).toEqual({ ...before, ledger: ledgerAfterRace });
  });

  describe("over the route (withApi: token auth, problem+json)", () => {
    const post = (body: string, token: string | null = gateSecret, contentType?: string) =>
      reviewRoute(routeRequest("/api/v1/admission/review", { method: "POST", token: token ?? undefined, body, contentType }));

    it("answers the AdmissionReview with the request's uid", async () => {
      const review = admissionReview(threeImages());
      const res = await post(JSON.stringify(review));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(await res.json()).toEqual({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response: { uid: review.request.uid, allowed: true },
      });
      expect(res.headers.get("vitrine-decision-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("a bad AdmissionReview is a 422 problem naming the JSON paths, and stores nothing", async () => {
      const review = admissionReview(threeImages());
      const bad = {
        ...review,
        apiVersion: "admission.k8s.io/v1beta1",
        request: { ...review.request, uid: "", object: { ...review.request.object, spec: { containers: [{ name: "api" }] } } },
      };
      const res = await post(JSON.stringify(bad));
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await res.json()) as { code: string; errors: Array<{ path: string }> };
      expect(problem.code).toBe("unprocessable");
      expect(problem.errors.map((e) => e.path)).toEqual(expect.arrayContaining(["$.apiVersion", "$.request.uid"]));

      const noImage = {
        ...review,
        request: { ...review.request, object: { ...review.request.object, spec: { containers: [{ name: "api" }] } } },
      };
      const res2 = await post(JSON.stringify(noImage));
      expect(res2.status).toBe(422);
      expect(((await res2.json()) as { errors: Array<{ path: string }> }).errors).toEqual([
        { path: "$.request.object.spec.containers[0].image", message: "must name the container's image" },
      ]);
      const nul = await post(JSON.stringify({ ...review, request: { ...review.request, namespace: "a\u0000b" } }));
      expect(nul.status).toBe(422);
      expect((await post("{not json")).status).toBe(400);
      expect((await post(JSON.stringify(review), gateSecret, "text/plain")).status).toBe(415);
      expect(await db().admissionDecision.count()).toBe(0);
      expect(await db().document.count({ where: { route: "admission" } })).toBe(0);
    });

    it("needs a token with the admission scope: none is 401, an ingest token 403", async () => {
      const body = JSON.stringify(admissionReview(threeImages()));
      expect((await post(body, null)).status).toBe(401);
      const ci = await createToken({ actor: system, input: { name: "ci2", scopes: ["ingest", "read", "admin"] }, now: new Date() });
      const res = await post(body, ci.secret);
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(await db().admissionDecision.count()).toBe(0);
    });

    it("PUT /api/v1/admission/namespaces validates namespace and environment names, with paths", async () => {
      const admin = await createToken({ actor: system, input: { name: "git", scopes: ["admin"] }, now: new Date() });
      const put = (body: unknown, token = admin.secret) =>
        putNamespacesRoute(routeRequest("/api/v1/admission/namespaces", { method: "PUT", token, body: JSON.stringify(body) }));
      const bad = await put({ namespaces: { Payments_EU: "prod", "payments-us": "not an env!" } });
      expect(bad.status).toBe(422);
      const problem = (await bad.json()) as { errors: Array<{ path: string }> };
      expect(problem.errors.map((e) => e.path).sort()).toEqual(['$.namespaces["payments-us"]', "$.namespaces.Payments_EU"].sort());
      expect((await put({ namespaces: {}, extra: 1 })).status).toBe(422);
      expect((await put({ namespaces: { "payments-eu": "prod" } }, gateSecret)).status).toBe(403);
      const ok = await put({ namespaces: { "payments-eu": "prod" } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ namespaces: { "payments-eu": "prod" }, changed: true });
    });
  });
});

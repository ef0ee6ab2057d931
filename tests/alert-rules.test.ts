// Every alert rule of DESIGN.md, through the real ingestion verbs and the job queue: the documents
// that should fire a rule open exactly one alert with the rule's severity and its evidence, and
// documents that should not fire it fire nothing.
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { Actor, TokenActor } from "@/lib/auth/actor";
import { sqlFromPool } from "@/lib/db/sql";
import { reviewAdmission } from "@/lib/server/admission/review-admission";
import { evaluateAlerts } from "@/lib/server/alerts/evaluate-alerts";
import { ingestEventsRequest, ingestSignaturesRequest, ingestVerificationsRequest } from "@/lib/server/ingest/ingest-requests";
import { runDueJobs } from "@/lib/server/jobs/worker";
import { putPolicy } from "@/lib/server/policies/put-policy";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { revokeTrustEntry } from "@/lib/server/trust/revoke-trust-entry";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const admin = { kind: "system", name: "test" } as const;
const REPO = "registry.acme.dev";
const digestOf = (label: string) => `sha256:${createHash("sha256").update(`${label}-${randomUUID()}`).digest("hex")}`;
type Keys = ReturnType<typeof generateKeyPairSync>;
const pem = (k: Keys) => k.publicKey.export({ type: "spki", format: "pem" }).toString();
let ingest: TokenActor;
let gate: Actor;
let trusted: Keys;
let trustedKeyId: string;

const json = (body: unknown) => ({
  actor: ingest,
  headers: new Headers({ "content-type": "application/json" }),
  body: Buffer.from(JSON.stringify(body)),
  idempotencyKey: null,
  now: new Date(),
});

function cosign(digest: string, privateKey: KeyObject, name = "app") {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": `${REPO}/${name}` },
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

async function signed(digest: string, key: Keys = trusted, extra: Record<string, unknown> = {}) {
  const { answer } = await ingestSignaturesRequest(json({ ...cosign(digest, key.privateKey), ...extra }));
  expect(answer.accepted).toBe(1);
}

async function publish(digest: string, tag: string, name = "app") {
  const hex = digest.slice("sha256:".length);
  const { answer } = await ingestEventsRequest(
    json({
      context: {
        specversion: "0.5.1",
        id: randomUUID(),
        source: "/ci",
        type: "dev.cdevents.artifact.published.0.3.0",
        timestamp: new Date().toISOString(),
      },
      subject: { id: `pkg:oci/${name}@sha256%3A${hex}?repository_url=${REPO}/${name}&tag=${tag}`, content: {} },
    }),
  );
  expect(answer.accepted).toBe(1);
}

async function deploy(options: { environment: string; workload?: string; digest?: string; tag?: string; name?: string }) {
  const name = options.name ?? "app";
  const artifactId = options.digest
    ? `pkg:oci/${name}@sha256%3A${options.digest.slice(7)}?repository_url=${REPO}/${name}`
    : `pkg:oci/${name}?repository_url=${REPO}/${name}&tag=${options.tag}`;
  const { answer } = await ingestEventsRequest(
    json({
      context: {
        specversion: "0.5.1",
        id: randomUUID(),
        source: "/argo",
        type: "dev.cdevents.service.deployed.0.3.0",
        timestamp: new Date().toISOString(),
      },
      subject: { id: options.workload ?? "api", content: { environment: { id: options.environment }, artifactId } },
    }),
  );
  expect(answer.accepted).toBe(1);
}

async function claim(digest: string, allowed: boolean, environment = "prod") {
  const { answer } = await ingestVerificationsRequest(
    json({
      apiVersion: "vitrine.dev/v1",
      kind: "AdmissionDecision",
      verifier: "policy-controller",
      allowed,
      image: `${REPO}/app@${digest}`,
      policy: "signed-images",
      environment,
      message: allowed ? "ok" : "no matching signature",
    }),
  );
  expect(answer.accepted).toBe(1);
}

async function alerts(rule?: string) {
  await runDueJobs();
  return db().alert.findMany({ where: rule ? { rule } : {}, orderBy: { createdAt: "asc" } });
}

async function only(rule: string, severity: string) {
  const found = await alerts(rule);
  expect(found.map((a) => [a.rule, a.status, a.severity])).toEqual([[rule, "open", severity]]);
  const [alert] = found;
  const evidence = alert?.evidence as { documents?: string[] };
  expect(evidence.documents?.length ?? 0).toBeGreaterThan(0);
  for (const id of evidence.documents ?? []) expect(await db().document.count({ where: { id } })).toBe(1);
  return alert!;
}

describe("alert rules", () => {
  beforeEach(async () => {
    await resetDatabase();
    const t = await db().apiToken.create({ data: { name: "i", prefix: "vtr_i", tokenHash: "d".repeat(64), scopes: ["ingest"] } });
    ingest = { kind: "token", id: t.id, name: "i", scopes: ["ingest"] };
    const g = await db().apiToken.create({ data: { name: "g", prefix: "vtr_g", tokenHash: "e".repeat(64), scopes: ["admission"] } });
    gate = { kind: "token", id: g.id, name: "g", scopes: ["admission"] };
    trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
    trustedKeyId = (await createTrustedKey({ actor: admin, input: { name: "release", publicKey: pem(trusted) }, now: new Date() })).id;
    await runDueJobs();
  });

  it("unsigned-deployed: an unsigned image in prod fires once (critical); a signed one fires nothing", async () => {
    const good = digestOf("good");
    await signed(good);
    await deploy({ environment: "prod", workload: "good", digest: good });
    expect(await alerts()).toEqual([]);
    const bad = digestOf("bad");
    await deploy({ environment: "prod", workload: "bad", digest: bad });
    const alert = await only("unsigned-deployed", "critical");
    expect(alert).toMatchObject({ environment: "prod", subjectKind: "deployment" });
    expect(alert.summary).toContain("bad in prod");
    // The condition persists: the same alert, not a second one.
    await deploy({ environment: "prod", workload: "bad", digest: bad });
    await only("unsigned-deployed", "critical");
    // The ledger records the alert.
    expect(await db().ledgerEntry.count({ where: { kind: "alert.opened", subject: `alert:${alert.id}` } })).toBe(1);
  });

  it("invalid-signature: a tampered signature fires once (critical); a valid one nothing", async () => {
    const ok = digestOf("ok");
    await signed(ok);
    expect(await alerts("invalid-signature")).toEqual([]);
    const digest = digestOf("tampered");
    const good = cosign(digest, trusted.privateKey);
    const bytes = Buffer.from(good.signature, "base64");
    bytes[bytes.length - 4] = (bytes[bytes.length - 4] ?? 0) ^ 0x10;
    await ingestSignaturesRequest(json({ ...good, signature: bytes.toString("base64") }));
    const alert = await only("invalid-signature", "critical");
    expect(alert).toMatchObject({ subjectKind: "artifact", subjectId: digest, environment: null });
  });

  it("untrusted-signer: only untrusted signatures fire (high); one trusted beside it fires nothing", async () => {
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const both = digestOf("both");
    await signed(both, stranger, { publicKey: pem(stranger) });
    await signed(both);
    expect(await alerts("untrusted-signer")).toEqual([]);
    const digest = digestOf("stranger");
    await signed(digest, stranger, { publicKey: pem(stranger) });
    await only("untrusted-signer", "high");
  });

  it("revoked-key-in-use: revoking the key behind a running deployment fires (critical)", async () => {
    const digest = digestOf("release");
    await signed(digest);
    await deploy({ environment: "prod", digest });
    expect(await alerts("revoked-key-in-use")).toEqual([]);
    await revokeTrustEntry({ actor: admin, kind: "keys", id: trustedKeyId, input: { reason: "leaked" }, now: new Date() });
    const alert = await only("revoked-key-in-use", "critical");
    expect(alert.environment).toBe("prod");
  });

  it("tag-mutated: a moved tag fires (high); `latest` deployed in dev, where the policy lets it move, fires nothing", async () => {
    await putPolicy({
      actor: admin,
      environment: "dev",
      document: { requireDigestPinning: false, signatures: { required: 0 }, movableTags: ["latest"] },
      source: "",
      now: new Date(),
    });
    const [l1, l2] = [digestOf("l1"), digestOf("l2")];
    await publish(l1, "latest");
    await deploy({ environment: "dev", tag: "latest" });
    await publish(l2, "latest");
    expect(await alerts("tag-mutated")).toEqual([]);
    const [a, b] = [digestOf("v1a"), digestOf("v1b")];
    await publish(a, "1.0");
    await publish(b, "1.0");
    const alert = await only("tag-mutated", "high");
    expect(alert).toMatchObject({ subjectKind: "tag", subjectId: `${REPO}/app:1.0` });
    expect(alert.evidence).toMatchObject({ from: a, to: b });
  });

  it("mutable-reference-deployed: a tag in an environment that requires pinning fires (high); where pinning is not required, nothing", async () => {
    await putPolicy({
      actor: admin,
      environment: "dev",
      document: { requireDigestPinning: false, signatures: { required: 0 } },
      source: "",
      now: new Date(),
    });
    const digest = digestOf("tagged");
    await signed(digest);
    await publish(digest, "2.0");
    await deploy({ environment: "dev", tag: "2.0" });
    expect(await alerts("mutable-reference-deployed")).toEqual([]);
    await deploy({ environment: "prod", tag: "2.0" });
    const alert = await only("mutable-reference-deployed", "high");
    expect(alert.environment).toBe("prod");
  });

  it("mutable-reference-deployed also fires for a tag Vitrine cannot resolve", async () => {
    await deploy({ environment: "prod", tag: "never-pushed" });
    await only("mutable-reference-deployed", "high");
  });

  it("digest-drift: a tag deployed after it moved from a signed digest to an unsigned one fires (critical)", async () => {
    await putPolicy({
      actor: admin,
      environment: "prod",
      document: { requireDigestPinning: false, signatures: { required: 0 } },
      source: "",
      now: new Date(),
    });
    const [signedDigest, drifted] = [digestOf("signed"), digestOf("drifted")];
    await signed(signedDigest);
    await publish(signedDigest, "3.0");
    await deploy({ environment: "prod", tag: "3.0", workload: "before" });
    expect(await alerts("digest-drift")).toEqual([]);
    await publish(drifted, "3.0");
    await deploy({ environment: "prod", tag: "3.0", workload: "after" });
    const alert = await only("digest-drift", "critical");
    expect(alert.evidence).toMatchObject({ deployed: drifted, signed: [signedDigest] });
  });

  it("verification-failed: an external verifier's failure fires (high); a pass fires nothing", async () => {
    const ok = digestOf("ok");
    await signed(ok);
    await claim(ok, true);
    expect(await alerts("verification-failed")).toEqual([]);
    const denied = digestOf("denied");
    await claim(denied, false);
    const alert = await only("verification-failed", "high");
    expect(alert.environment).toBe("prod");
  });

  it("verifier-disagreement: a verifier that passed an unsigned artefact fires (high); agreeing fires nothing", async () => {
    const ok = digestOf("ok");
    await signed(ok);
    await claim(ok, true);
    expect(await alerts("verifier-disagreement")).toEqual([]);
    const unsigned = digestOf("unsigned");
    await claim(unsigned, true);
    await only("verifier-disagreement", "high");
  });

  it("missing-provenance: required provenance missing fires (medium); not required, nothing", async () => {
    await putPolicy({
      actor: admin,
      environment: "prod",
      document: { attestations: [{ predicateType: "https://slsa.dev/provenance/v1", builder: "^https://github\\.com/acme/.+$" }] },
      source: "",
      now: new Date(),
    });
    const digest = digestOf("no-provenance");
    await signed(digest);
    await deploy({ environment: "staging", digest });
    expect(await alerts("missing-provenance")).toEqual([]);
    await deploy({ environment: "prod", digest });
    const alert = await only("missing-provenance", "medium");
    expect(alert.environment).toBe("prod");
  });

  it("admission-denied: Vitrine's gate refusing a pod fires (medium); an allowed pod nothing", async () => {
    const okDigest = digestOf("admitted");
    await signed(okDigest);
    const review = (uid: string, image: string) =>
      Buffer.from(
        JSON.stringify({
          apiVersion: "admission.k8s.io/v1",
          kind: "AdmissionReview",
          request: {
            uid,
            kind: { group: "", version: "v1", kind: "Pod" },
            resource: { group: "", version: "v1", resource: "pods" },
            operation: "CREATE",
            namespace: "prod",
            object: {
              apiVersion: "v1",
              kind: "Pod",
              metadata: { name: "checkout", namespace: "prod" },
              spec: { containers: [{ name: "c", image }] },
            },
          },
        }),
      );
    const allowed = await reviewAdmission({
      actor: gate,
      body: review(randomUUID(), `${REPO}/app@${okDigest}`),
      contentType: "application/json",
      now: new Date(),
    });
    expect(allowed.answer.response.allowed).toBe(true);
    expect(await alerts("admission-denied")).toEqual([]);
    const denied = await reviewAdmission({
      actor: gate,
      body: review(randomUUID(), `${REPO}/app@${digestOf("unknown")}`),
      contentType: "application/json",
      now: new Date(),
    });
    expect(denied.answer.response.allowed).toBe(false);
    // The denial queues its own evaluation, due at once, even for an image Vitrine has never seen (no artefact to
    // re-evaluate): the alert does not wait for the minute's sweep.
    const due = await db().job.findMany({ where: { kind: "artifacts.changed", doneAt: null, runAt: { lte: new Date() } } });
    expect(due.length).toBeGreaterThan(0);
    const alert = await only("admission-denied", "medium");
    expect(alert.environment).toBe("prod");
  });

  it("unsigned-published: still unsigned when the grace period ends fires (medium); signed in time, nothing", async () => {
    const [late, onTime] = [digestOf("late"), digestOf("on-time")];
    await publish(late, "4.0");
    await publish(onTime, "5.0");
    await signed(onTime);
    await alerts();
    expect(await alerts("unsigned-published")).toEqual([]);
    await evaluateAlerts(sqlFromPool(), { now: new Date(Date.now() + 31 * 60_000), sweep: true });
    const alert = await only("unsigned-published", "medium");
    expect(alert.subjectId).toBe(late);
  });

  it("a resolved alert reopens when its condition returns; a severity override per environment applies", async () => {
    await db().setting.create({ data: { key: "alerts.severity", value: { prod: { "unsigned-deployed": "high" } } } });
    const digest = digestOf("flapping");
    await deploy({ environment: "prod", digest, workload: "flap" });
    const alert = await only("unsigned-deployed", "high");
    await db().alert.update({ where: { id: alert.id }, data: { status: "resolved", resolvedAt: new Date() } });
    // Signed: the condition clears; then the key is revoked: the same alert reopens.
    await signed(digest);
    await runDueJobs();
    expect((await db().alert.findUniqueOrThrow({ where: { id: alert.id } })).conditionActive).toBe(false);
    await revokeTrustEntry({ actor: admin, kind: "keys", id: trustedKeyId, input: { reason: "leaked" }, now: new Date() });
    await runDueJobs();
    const again = await db().alert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(again).toMatchObject({ status: "open", fireCount: 2, conditionActive: true });
    const kinds = (await db().alertEvent.findMany({ where: { alertId: alert.id }, orderBy: { createdAt: "asc" } })).map((e) => e.kind);
    expect(kinds).toEqual(["fired", "condition-cleared", "reopened"]);
    expect(await db().alert.count({ where: { rule: "unsigned-deployed" } })).toBe(1);
  });
});

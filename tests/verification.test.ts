// Vitrine's own verdicts: every submitted signature is verified against the trust store, again
// on every trust change. Real cryptography: the Sigstore fixtures and keys generated here.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import { evaluateArtifactPolicies } from "@/lib/server/artifacts/evaluate-artifact-policies";
import { ingestEventsRequest, ingestSignaturesRequest, ingestVerificationsRequest } from "@/lib/server/ingest/ingest-requests";
import { runDueJobs } from "@/lib/server/jobs/worker";
import { putPolicy } from "@/lib/server/policies/put-policy";
import { createTrustedIdentity } from "@/lib/server/trust/create-trusted-identity";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { ensureDefaultTrustRoot } from "@/lib/server/trust/ensure-default-trust-root";
import { revokeTrustEntry } from "@/lib/server/trust/revoke-trust-entry";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { fixtureBytes } from "./helpers/fixtures";

const { db } = setupTestDatabase();
const admin = { kind: "system", name: "test" } as const;
const IDENTITY =
  "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";
const A_TXT = `sha256:${createHash("sha256").update(fixtureBytes("sigstore", "a.txt")).digest("hex")}`;
let actor: TokenActor;

function submit(body: unknown) {
  return ingestSignaturesRequest({
    actor,
    headers: new Headers({ "content-type": "application/json" }),
    body: Buffer.from(JSON.stringify(body)),
    idempotencyKey: null,
    now: new Date(),
  });
}

function deploy(digest: string, environment: string, workload: string) {
  const [, hex] = digest.split(":");
  return ingestEventsRequest({
    actor,
    headers: new Headers({ "content-type": "application/json" }),
    body: Buffer.from(
      JSON.stringify({
        context: {
          specversion: "0.5.1",
          id: `${environment}-${workload}`,
          source: "/argo",
          type: "dev.cdevents.service.deployed.0.3.0",
          timestamp: new Date().toISOString(),
        },
        subject: {
          id: workload,
          content: { environment: { id: environment }, artifactId: `pkg:oci/app@sha256%3A${hex}?repository_url=registry.test/app` },
        },
      }),
    ),
    idempotencyKey: null,
    now: new Date(),
  });
}

async function deploymentsOf(digest: string) {
  const rows = await db().deployment.findMany({
    where: { artifact: { digest } },
    include: { environment: true },
    orderBy: { workload: "asc" },
  });
  return rows.map((d) => [d.environment.name, d.workload, d.policyPass]);
}

async function verdictOf(digest: string) {
  return db().signature.findMany({ where: { artifact: { digest } }, select: { verdict: true, verdictReason: true, evidence: true } });
}

function bundle(caseName: string) {
  return JSON.parse(fixtureBytes("sigstore", caseName, "bundle.sigstore.json").toString());
}

function cosignSignature(digest: string, privateKey: ReturnType<typeof generateKeyPairSync>["privateKey"]) {
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
    signature: sign("sha256", payload, privateKey).toString("base64"),
  };
}

describe("server-side verification", () => {
  beforeEach(async () => {
    await resetDatabase();
    await ensureDefaultTrustRoot({ now: new Date() });
    const t = await db().apiToken.create({ data: { name: "v", prefix: "vtr_v", tokenHash: "c".repeat(64), scopes: ["ingest"] } });
    actor = { kind: "token", id: t.id, name: "v", scopes: ["ingest"] };
  });

  it("a keyless Sigstore bundle is untrusted until its identity is trusted, then verified", async () => {
    await submit({ artifact: A_TXT, format: "sigstore-bundle", bundle: bundle("happy-path-v0.3") });
    expect((await verdictOf(A_TXT))[0]?.verdict).toBe("untrusted");
    await createTrustedIdentity({ actor: admin, input: { name: "beacon", subject: IDENTITY, issuer: ISSUER }, now: new Date() });
    await runDueJobs();
    const [v] = await verdictOf(A_TXT);
    expect(v?.verdict).toBe("verified");
    expect(v?.evidence).toMatchObject({ identity: IDENTITY, issuer: ISSUER });
  });

  it("a tampered Sigstore bundle is never verified, even from a trusted identity", async () => {
    await createTrustedIdentity({ actor: admin, input: { name: "beacon", subject: IDENTITY, issuer: ISSUER }, now: new Date() });
    await submit({ artifact: A_TXT, format: "sigstore-bundle", bundle: bundle("signature-mismatch_fail") });
    expect((await verdictOf(A_TXT))[0]?.verdict).toBe("invalid");
  });

  it("cosign: trusted key verified, unknown key not, wrong digest a subject mismatch; revoking flips verified to revoked", async () => {
    const trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const key = await createTrustedKey({
      actor: admin,
      input: { name: "release", publicKey: trusted.publicKey.export({ type: "spki", format: "pem" }).toString() },
      now: new Date(),
    });
    const A = `sha256:${"a".repeat(64)}`;
    const B = `sha256:${"b".repeat(64)}`;
    const C = `sha256:${"c".repeat(64)}`;
    await submit(cosignSignature(A, trusted.privateKey));
    // The stranger sends its public key as a hint: valid, but not trusted (the hint never makes it trusted).
    await submit({
      ...cosignSignature(B, stranger.privateKey),
      publicKey: stranger.publicKey.export({ type: "spki", format: "pem" }).toString(),
    });
    // A byte of a trusted signature changed: invalid.
    const T = `sha256:${"9".repeat(64)}`;
    const good = cosignSignature(T, trusted.privateKey);
    const flipped = Buffer.from(good.signature, "base64");
    flipped[flipped.length - 3]! ^= 0x01;
    await submit({ ...good, signature: flipped.toString("base64") });
    await submit({ ...cosignSignature(C, trusted.privateKey), artifact: C, payload: cosignSignature(A, trusted.privateKey).payload });
    expect((await verdictOf(A))[0]?.verdict).toBe("verified");
    expect((await verdictOf(B))[0]?.verdict).toBe("untrusted");
    expect((await verdictOf(T))[0]?.verdict).toBe("invalid");
    expect((await verdictOf(C))[0]?.verdict).not.toBe("verified");
    await deploy(A, "prod", "api");
    await deploy(A, "staging", "api-canary");
    await deploy(B, "prod", "worker");
    await runDueJobs();
    expect(await deploymentsOf(A)).toEqual([
      ["prod", "api", true],
      ["staging", "api-canary", true],
    ]);
    expect(await deploymentsOf(B)).toEqual([["prod", "worker", false]]);
    await revokeTrustEntry({ actor: admin, kind: "keys", id: key.id, input: { reason: "key leaked" }, now: new Date() });
    // The revocation queued its re-evaluation in its own transaction; the worker carries it out.
    expect(await db().job.count({ where: { kind: "trust.changed", doneAt: null } })).toBe(1);
    await runDueJobs();
    expect((await verdictOf(A))[0]?.verdict).toBe("revoked");
    expect(await deploymentsOf(A)).toEqual([
      ["prod", "api", false],
      ["staging", "api-canary", false],
    ]);
    const failing = await db().deployment.findFirstOrThrow({ where: { workload: "api" } });
    expect(JSON.stringify(failing.policyFailures)).toContain("needs 1 verified signature");
    expect(await db().ledgerEntry.count({ where: { kind: { contains: "revoked" } } })).toBe(1);
    const evaluation = await db().ledgerEntry.findFirstOrThrow({
      where: { kind: "evaluation.trust-changed" },
      orderBy: { sequence: "desc" },
    });
    expect(evaluation.payload).toMatchObject({ reason: "trust.key.revoked", verdictChanges: 1, deploymentsNowFailing: 2 });
  });

  it("the artefact's policy result per environment names the trusted signer a policy asks for", async () => {
    const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = (k: typeof release) => k.publicKey.export({ type: "spki", format: "pem" }).toString();
    await createTrustedKey({ actor: admin, input: { name: "release-key", publicKey: pem(release) }, now: new Date() });
    await createTrustedKey({ actor: admin, input: { name: "nightly-key", publicKey: pem(other) }, now: new Date() });
    await putPolicy({
      actor: admin,
      environment: "prod",
      document: { signatures: { required: 1, signers: ["release-key"] } },
      source: "",
      now: new Date(),
    });
    await db().environment.create({ data: { name: "dev" } });
    const A = `sha256:${"d".repeat(64)}`;
    const B = `sha256:${"e".repeat(64)}`;
    await submit(cosignSignature(A, release.privateKey));
    await submit(cosignSignature(B, other.privateKey));
    const a = await evaluateArtifactPolicies({ digest: A });
    const b = await evaluateArtifactPolicies({ digest: B });
    expect(a.map((e) => [e.environment, e.result.pass])).toEqual([
      ["dev", true],
      ["prod", true],
    ]);
    // B is verified (nightly-key is trusted) so dev's default policy allows it, but prod wants release-key.
    expect(b.map((e) => [e.environment, e.result.pass])).toEqual([
      ["dev", true],
      ["prod", false],
    ]);
    expect(b[1]?.result.failures[0]?.reason).toContain("release-key");
  });

  it("a verifier that passed what Vitrine does not verify is a recorded disagreement, resolved when they agree again", async () => {
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const D = `sha256:${"f".repeat(64)}`;
    await submit(cosignSignature(D, signer.privateKey));
    await ingestVerificationsRequest({
      actor,
      headers: new Headers({ "content-type": "application/json" }),
      body: Buffer.from(
        JSON.stringify({
          apiVersion: "vitrine.dev/v1",
          kind: "AdmissionDecision",
          verifier: "policy-controller",
          allowed: true,
          image: `registry.test/app@${D}`,
          policy: "signed-images",
        }),
      ),
      idempotencyKey: null,
      now: new Date(),
    });
    await runDueJobs();
    const open = await db().verifierDisagreement.findMany({ where: { resolvedAt: null } });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ verifier: "policy-controller", claimResult: "pass", vitrineStatus: "not verified" });
    await createTrustedKey({
      actor: admin,
      input: { name: "now-trusted", publicKey: signer.publicKey.export({ type: "spki", format: "pem" }).toString() },
      now: new Date(),
    });
    await runDueJobs();
    expect((await verdictOf(D))[0]?.verdict).toBe("verified");
    expect(await db().verifierDisagreement.count({ where: { resolvedAt: null } })).toBe(0);
  });

  it("a job whose worker died is claimed again once its lease runs out, and runs exactly once more", async () => {
    await createTrustedKey({
      actor: admin,
      input: { name: "k", publicKey: generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString() },
      now: new Date(),
    });
    // A worker claims the job and dies: its lease is still running, so nobody else takes it.
    await db().job.updateMany({ data: { lockedBy: "dead:1", lockedUntil: new Date(Date.now() + 60_000), attempts: 1, dedupeKey: null } });
    expect(await runDueJobs()).toBe(0);
    await db().job.updateMany({ data: { lockedUntil: new Date(Date.now() - 1) } });
    expect(await runDueJobs()).toBe(1);
    const [job] = await db().job.findMany();
    expect(job).toMatchObject({ kind: "trust.changed", attempts: 2 });
    expect(job?.doneAt).not.toBeNull();
    expect(await runDueJobs()).toBe(0);
  });

  it("trust changes made while a re-evaluation waits coalesce into it", async () => {
    for (const name of ["k1", "k2", "k3"]) {
      await createTrustedKey({
        actor: admin,
        input: { name, publicKey: generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString() },
        now: new Date(),
      });
    }
    expect(await db().job.count({ where: { kind: "trust.changed" } })).toBe(1);
    expect(await runDueJobs()).toBe(1);
  });

  it("ingest batches waiting for their evaluation share one job, with the artefacts of all of them", async () => {
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const [X, Y] = [`sha256:${"7".repeat(64)}`, `sha256:${"8".repeat(64)}`];
    await submit(cosignSignature(X, signer.privateKey));
    await submit(cosignSignature(Y, signer.privateKey));
    const waiting = await db().job.findMany({ where: { kind: "artifacts.changed", doneAt: null } });
    expect(waiting).toHaveLength(1);
    const ids = (waiting[0]?.payload as { artifactIds: string[] } | undefined)?.artifactIds ?? [];
    const artifacts = await db().artifact.findMany({ where: { digest: { in: [X, Y] } }, select: { id: true } });
    expect([...ids].sort()).toEqual(artifacts.map((a) => a.id).sort());
    await runDueJobs();
    const ran = await db().job.findMany({ where: { kind: "artifacts.changed" } });
    expect(ran.map((j) => j.doneAt !== null)).toEqual([true]);
  });
});

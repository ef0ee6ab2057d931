// The compliance view against a seeded story whose right answers are known in advance: deployments
// ingested through the real verbs (CDEvents, cosign signatures with a trusted key, a DSSE SLSA
// provenance, external admission claims, Vitrine's own admission gate), evaluated by the job queue,
// one alert acknowledged and one suppressed with a justification (an exception). Every number, the
// failures per requirement, violations, exceptions, the trend, the drill-down lists, the window's
// edges, the snapshots and the route's 422s.
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as drillDownRoute } from "@/app/api/v1/compliance/deployments/route";
import { GET as complianceRoute } from "@/app/api/v1/compliance/route";
import type { Actor, TokenActor, UserActor } from "@/lib/auth/actor";
import { sqlFromPool } from "@/lib/db/sql";
import { addDays, utcDay, type Window } from "@/lib/domain/compliance-window";
import { reviewAdmission } from "@/lib/server/admission/review-admission";
import { evaluateAlerts } from "@/lib/server/alerts/evaluate-alerts";
import { triageAlert } from "@/lib/server/alerts/triage-alert";
import { COMPLIANCE_MEASURES, type ComplianceMeasure } from "@/lib/server/compliance/definitions";
import { getCompliance } from "@/lib/server/compliance/get-compliance";
import { listComplianceDeployments } from "@/lib/server/compliance/list-compliance-deployments";
import { snapshotCompliance } from "@/lib/server/compliance/snapshot-compliance";
import {
  ingestAttestationsRequest,
  ingestEventsRequest,
  ingestSignaturesRequest,
  ingestVerificationsRequest,
} from "@/lib/server/ingest/ingest-requests";
import { enqueueJob } from "@/lib/server/jobs/queue";
import { runDueJobs } from "@/lib/server/jobs/worker";
import { createToken } from "@/lib/server/tokens/create-token";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { preAuthEncoding } from "@/lib/verify/dsse";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";

const { db } = setupTestDatabase();
const system = { kind: "system", name: "test" } as const;
const REPO = "registry.acme.dev";
const IN_TOTO = "application/vnd.in-toto+json";
const digestOf = (label: string) => `sha256:${createHash("sha256").update(`${label}-${randomUUID()}`).digest("hex")}`;
const at = (text: string) => new Date(`2026-10-${text}Z`);

let ingest: TokenActor;
let gate: Actor;
let oncall: UserActor;
let readSecret: string;
let ingestSecret: string;
let release: ReturnType<typeof generateKeyPairSync>;
let releaseFingerprint: string;

// The window under test: ten days of October.
const WINDOW: Window = { from: at("10T00:00:00"), to: at("20T00:00:00") };
const NOW = new Date();

// The story, as a table: when each prod deployment ran and what is true of it. The expectations below
// are written from this table by hand; the trend's are derived from it in plain TypeScript.
type Story = {
  workload: string;
  from: string;
  to?: string;
  pinned: boolean;
  verifiedSignature: boolean;
  verifiedProvenance: boolean;
  admitted: boolean;
  compliant: boolean;
};
const PROD: Story[] = [
  // Ended before the window.
  {
    workload: "old",
    from: "01T00:00:00",
    to: "03T00:00:00",
    pinned: true,
    verifiedSignature: true,
    verifiedProvenance: false,
    admitted: false,
    compliant: true,
  },
  // Started before the window, ended inside it.
  {
    workload: "straddle",
    from: "02T00:00:00",
    to: "12T12:00:00",
    pinned: true,
    verifiedSignature: true,
    verifiedProvenance: false,
    admitted: false,
    compliant: true,
  },
  // Signed, pinned, SLSA provenance, passed by an external verifier (a claim without an environment).
  {
    workload: "good",
    from: "05T00:00:00",
    pinned: true,
    verifiedSignature: true,
    verifiedProvenance: true,
    admitted: true,
    compliant: true,
  },
  // Ended exactly when the window starts: not in it.
  {
    workload: "edge-early",
    from: "08T00:00:00",
    to: "10T00:00:00",
    pinned: true,
    verifiedSignature: true,
    verifiedProvenance: false,
    admitted: false,
    compliant: true,
  },
  // Deployed by tag (web:1.0 -> a signed digest): not pinned, fails digest-pinning.
  {
    workload: "tagged",
    from: "12T00:00:00",
    pinned: false,
    verifiedSignature: true,
    verifiedProvenance: false,
    admitted: false,
    compliant: false,
  },
  // A tag nobody published: no artefact at all.
  {
    workload: "unresolved",
    from: "14T00:00:00",
    pinned: false,
    verifiedSignature: false,
    verifiedProvenance: false,
    admitted: false,
    compliant: false,
  },
  // Pinned but unsigned; an external verifier failed it here and passed it in staging only.
  {
    workload: "unsigned",
    from: "15T00:00:00",
    pinned: true,
    verifiedSignature: false,
    verifiedProvenance: false,
    admitted: false,
    compliant: false,
  },
  // Signed, pinned, allowed by Vitrine's own admission gate in prod.
  {
    workload: "gated",
    from: "16T00:00:00",
    pinned: true,
    verifiedSignature: true,
    verifiedProvenance: false,
    admitted: true,
    compliant: true,
  },
  // Started exactly when the window ends: not in it.
  {
    workload: "edge-late",
    from: "20T00:00:00",
    pinned: true,
    verifiedSignature: true,
    verifiedProvenance: false,
    admitted: false,
    compliant: true,
  },
];

const D: Record<string, string> = {};

const json = (body: unknown, now = new Date()) => ({
  actor: ingest,
  headers: new Headers({ "content-type": "application/json" }),
  body: Buffer.from(JSON.stringify(body)),
  idempotencyKey: null,
  now,
});

async function signed(digest: string, name: string) {
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
  const { answer } = await ingestSignaturesRequest(
    json({
      artifact: digest,
      format: "cosign",
      payload: payload.toString("base64"),
      signature: sign("sha256", payload, release.privateKey).toString("base64"),
    }),
  );
  expect(answer.accepted).toBe(1);
}

async function provenance(digest: string, name: string) {
  const statement = Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: `${REPO}/${name}`, digest: { sha256: digest.slice(7) } }],
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: { buildType: "https://actions.github.io/buildtypes/workflow/v1", resolvedDependencies: [] },
        runDetails: { builder: { id: "https://github.com/actions/runner/github-hosted" }, metadata: { invocationId: randomUUID() } },
      },
    }),
  );
  const sig = sign("sha256", preAuthEncoding(IN_TOTO, statement), { key: release.privateKey as KeyObject, dsaEncoding: "der" });
  const { answer } = await ingestAttestationsRequest(
    json({
      envelope: {
        payloadType: IN_TOTO,
        payload: statement.toString("base64"),
        signatures: [{ keyid: releaseFingerprint, sig: sig.toString("base64") }],
      },
    }),
  );
  expect(answer.accepted).toBe(1);
}

function cdevent(type: string, timestamp: Date, subject: unknown) {
  return {
    context: { specversion: "0.5.1", id: randomUUID(), source: "/argo", type, timestamp: timestamp.toISOString() },
    subject,
  };
}

async function publish(digest: string, name: string, tag: string, when: Date) {
  const { answer } = await ingestEventsRequest(
    json(
      cdevent("dev.cdevents.artifact.published.0.3.0", when, {
        id: `pkg:oci/${name}@sha256%3A${digest.slice(7)}?repository_url=${REPO}/${name}&tag=${tag}`,
        content: {},
      }),
    ),
  );
  expect(answer.accepted).toBe(1);
}

async function deploy(options: { environment?: string; workload: string; when: Date; digest?: string; tag?: string; name?: string }) {
  const name = options.name ?? options.workload;
  const artifactId = options.digest
    ? `pkg:oci/${name}@sha256%3A${options.digest.slice(7)}?repository_url=${REPO}/${name}`
    : `pkg:oci/${name}?repository_url=${REPO}/${name}&tag=${options.tag}`;
  const { answer } = await ingestEventsRequest(
    json(
      cdevent("dev.cdevents.service.deployed.0.3.0", options.when, {
        id: options.workload,
        content: { environment: { id: options.environment ?? "prod" }, artifactId },
      }),
    ),
  );
  expect(answer.accepted).toBe(1);
  // Evaluated while it runs (the queue evaluates running deployments only).
  await runDueJobs();
}

async function remove(workload: string, when: Date, environment = "prod") {
  const { answer } = await ingestEventsRequest(
    json(cdevent("dev.cdevents.service.removed.0.3.0", when, { id: workload, content: { environment: { id: environment } } })),
  );
  expect(answer.accepted).toBe(1);
}

async function claim(digest: string, name: string, allowed: boolean, environment?: string) {
  const { answer } = await ingestVerificationsRequest(
    json({
      apiVersion: "vitrine.dev/v1",
      kind: "AdmissionDecision",
      verifier: "policy-controller",
      allowed,
      image: `${REPO}/${name}@${digest}`,
      policy: "signed-images",
      ...(environment ? { environment } : {}),
      message: allowed ? "ok" : "no matching signature",
    }),
  );
  expect(answer.accepted).toBe(1);
}

let uid = 0;
async function admit(digest: string, name: string) {
  const review = {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `00000000-0000-4000-8000-${String(++uid).padStart(12, "0")}`,
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      operation: "CREATE",
      namespace: "prod",
      userInfo: { username: "alice@acme.dev" },
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "prod" },
        spec: { containers: [{ name, image: `${REPO}/${name}@${digest}` }] },
      },
      dryRun: false,
    },
  };
  const outcome = await reviewAdmission({
    actor: gate,
    body: Buffer.from(JSON.stringify(review)),
    contentType: "application/json",
    now: new Date(),
  });
  return outcome.answer.response.allowed;
}

async function alertOf(rule: string, workload: string) {
  return db().alert.findFirstOrThrow({ where: { rule, environment: "prod", subjectLabel: { startsWith: `${workload} in ` } } });
}

/** Every page of a drill-down, `limit` rows at a time. */
async function drillAll(measure: ComplianceMeasure, value: boolean, window = WINDOW, environment = "prod") {
  const rows = [];
  let cursor: string | undefined;
  let pages = 0;
  let total = -1;
  do {
    const page = await listComplianceDeployments({ environment, window, measure, value, cursor, limit: 2 });
    rows.push(...page.items);
    total = page.total;
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 50);
  return { rows, total, workloads: rows.map((r) => r.workload).sort() };
}

function request(path: string, token = readSecret) {
  return new NextRequest(new URL(path, "http://vitrine.test"), { headers: { authorization: `Bearer ${token}` } });
}

async function problemOf(res: Response) {
  expect(res.status).toBe(422);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { errors: Array<{ path: string; message: string }> };
}

const inWindow = (s: Story, w: Window) => at(s.from).getTime() < w.to.getTime() && (!s.to || at(s.to).getTime() > w.from.getTime());

/** The six counts the table says for a window: the oracle for the trend. */
function expectedCounts(w: Window) {
  const active = PROD.filter((s) => inWindow(s, w));
  return Object.fromEntries(
    COMPLIANCE_MEASURES.map((m) => [m, m === "total" ? active.length : active.filter((s) => s[m]).length]),
  ) as Record<ComplianceMeasure, number>;
}

describe("compliance view", () => {
  beforeAll(async () => {
    await resetDatabase();
    const now = new Date();
    const i = await createToken({ actor: system, input: { name: "ci", scopes: ["ingest"] }, now });
    ingest = { kind: "token", id: i.id, name: i.name, scopes: ["ingest"] };
    ingestSecret = i.secret;
    const g = await createToken({ actor: system, input: { name: "gate", scopes: ["admission"] }, now });
    gate = { kind: "token", id: g.id, name: g.name, scopes: ["admission"] };
    readSecret = (await createToken({ actor: system, input: { name: "auditor", scopes: ["read"] }, now })).secret;
    const u = await db().user.create({ data: { email: "olivia@acme.dev", name: "Olivia Oncall", role: "oncall" } });
    oncall = { kind: "user", id: u.id, email: u.email, name: u.name, role: "oncall" };
    release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    releaseFingerprint = (
      await createTrustedKey({
        actor: system,
        input: { name: "release-key", publicKey: release.publicKey.export({ type: "spki", format: "pem" }).toString() },
        now,
      })
    ).fingerprint;

    for (const w of ["old", "straddle", "good", "edge-early", "web", "gated", "edge-late"]) {
      D[w] = digestOf(w);
      await signed(D[w] as string, w);
    }
    D.unsigned = digestOf("unsigned");
    await provenance(D.good as string, "good");
    await publish(D.web as string, "web", "1.0", at("01T00:00:00"));
    await runDueJobs();

    await deploy({ workload: "old", digest: D.old, when: at("01T00:00:00") });
    await remove("old", at("03T00:00:00"));
    await deploy({ workload: "straddle", digest: D.straddle, when: at("02T00:00:00") });
    await deploy({ workload: "good", digest: D.good, when: at("05T00:00:00") });
    await deploy({ workload: "edge-early", digest: D["edge-early"], when: at("08T00:00:00") });
    await remove("edge-early", at("10T00:00:00"));
    await deploy({ workload: "tagged", name: "web", tag: "1.0", when: at("12T00:00:00") });
    await remove("straddle", at("12T12:00:00"));
    await deploy({ workload: "unresolved", name: "ghost", tag: "9.9", when: at("14T00:00:00") });
    await deploy({ workload: "unsigned", digest: D.unsigned, when: at("15T00:00:00") });
    await deploy({ workload: "gated", digest: D.gated, when: at("16T00:00:00") });
    await deploy({ workload: "edge-late", digest: D["edge-late"], when: at("20T00:00:00") });
    // Outside the environment: the same unsigned image in staging, in the window.
    await deploy({ environment: "staging", workload: "unsigned", digest: D.unsigned, when: at("15T00:00:00") });

    await claim(D.good as string, "good", true);
    await claim(D.unsigned as string, "unsigned", false, "prod");
    await claim(D.unsigned as string, "unsigned", true, "staging");
    await claim(D.web as string, "web", true, "dev");
    expect(await admit(D.gated as string, "gated")).toBe(true);
    expect(await admit(D.unsigned as string, "unsigned")).toBe(false);
    await runDueJobs();
    // The gate's own re-evaluation waits a few seconds for the rest of a rollout: evaluate now.
    await evaluateAlerts(sqlFromPool(), { now: new Date() });

    // Triage: the tag deployment's alert acknowledged; the unsigned deployment's suppressed (an exception).
    await triageAlert({
      actor: oncall,
      id: (await alertOf("mutable-reference-deployed", "tagged")).id,
      action: "acknowledge",
      input: {},
      now: new Date(),
    });
    await triageAlert({
      actor: oncall,
      id: (await alertOf("unsigned-deployed", "unsigned")).id,
      action: "suppress",
      input: { justification: "Vendor image, signature expected with 2.1", until: addDays(NOW, 7).toISOString() },
      now: new Date(),
    });
  });

  it("the story is what the table says: verdicts, resolution and policy results", async () => {
    const deployments = await db().deployment.findMany({ include: { environment: true, artifact: true } });
    const prod = deployments.filter((d) => d.environment.name === "prod");
    expect(prod.map((d) => d.workload).sort()).toEqual(PROD.map((s) => s.workload).sort());
    for (const s of PROD) {
      const d = prod.find((x) => x.workload === s.workload)!;
      expect([s.workload, d.pinned, d.policyPass]).toEqual([s.workload, s.pinned, s.compliant]);
      expect([s.workload, d.startedAt.toISOString(), d.endedAt?.toISOString() ?? null]).toEqual([
        s.workload,
        at(s.from).toISOString(),
        s.to ? at(s.to).toISOString() : null,
      ]);
    }
    expect(prod.find((d) => d.workload === "unresolved")?.artifactId).toBeNull();
    expect(prod.find((d) => d.workload === "tagged")?.artifact?.digest).toBe(D.web);
    expect(await db().attestation.findMany({ select: { verdict: true } })).toEqual([{ verdict: "verified" }]);
  });

  it("counts every measure of DESIGN.md's contract over the window", async () => {
    const view = await getCompliance({ environment: "prod", window: WINDOW, now: NOW });
    expect(view.deployments).toEqual({ total: 6, pinned: 4, verifiedSignature: 4, verifiedProvenance: 1, admitted: 2, compliant: 3 });
    expect(view.deployments).toEqual(expectedCounts(WINDOW));
    expect(view).toMatchObject({
      environment: "prod",
      from: WINDOW.from.toISOString(),
      to: WINDOW.to.toISOString(),
      environmentKnown: true,
    });
    // Staging has the one unsigned deployment, passed there by the external verifier.
    const staging = await getCompliance({ environment: "staging", window: WINDOW, now: NOW });
    expect(staging.deployments).toEqual({ total: 1, pinned: 1, verifiedSignature: 0, verifiedProvenance: 0, admitted: 1, compliant: 0 });
  });

  it("policy failures per requirement, from the deployments' stored results", async () => {
    const view = await getCompliance({ environment: "prod", window: WINDOW, now: NOW });
    expect(view.policy).toEqual({
      passing: 3,
      failing: 3,
      notEvaluated: 0,
      // tagged and unresolved name tags; unsigned and unresolved have no verified signature.
      failures: { "digest-pinning": 2, signatures: 2, attestations: 0, registry: 0 },
    });
  });

  it("open violations by rule (acknowledged counted apart, suppressed not at all), most severe first", async () => {
    const view = await getCompliance({ environment: "prod", window: WINDOW, now: NOW });
    expect(view.violations).toEqual([
      // unresolved only: unsigned's is suppressed.
      { rule: "unsigned-deployed", severity: "critical", open: 1, acknowledged: 0 },
      // unresolved open, tagged acknowledged.
      { rule: "mutable-reference-deployed", severity: "high", open: 1, acknowledged: 1 },
      // The external verifier's failure for unsigned in prod.
      { rule: "verification-failed", severity: "high", open: 1, acknowledged: 0 },
      // Vitrine's own gate denied unsigned.
      { rule: "admission-denied", severity: "medium", open: 1, acknowledged: 0 },
    ]);
    const staging = await getCompliance({ environment: "staging", window: WINDOW, now: NOW });
    expect(staging.violations.map((v) => v.rule)).toContain("unsigned-deployed");
  });

  it("exceptions: the suppressed alert with its justification, end and who suppressed it", async () => {
    const view = await getCompliance({ environment: "prod", window: WINDOW, now: NOW });
    const alert = await alertOf("unsigned-deployed", "unsigned");
    expect(view.exceptions).toHaveLength(1);
    expect(view.exceptions[0]).toMatchObject({
      alertId: alert.id,
      rule: "unsigned-deployed",
      severity: "critical",
      subject: { kind: "deployment", label: "unsigned in prod" },
      justification: "Vendor image, signature expected with 2.1",
      until: addDays(NOW, 7).toISOString(),
      suppressedBy: { actor: `user:${oncall.id}`, name: "Olivia Oncall" },
    });
    expect(view.exceptions[0]?.suppressedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await getCompliance({ environment: "staging", window: WINDOW, now: NOW })).exceptions).toEqual([]);
  });

  it("the trend: one day per UTC day of the window, each counted like a window of its own", async () => {
    const view = await getCompliance({ environment: "prod", window: WINDOW, now: NOW });
    expect(view.trend.map((t) => t.day)).toEqual(Array.from({ length: 10 }, (_, i) => `2026-10-${String(10 + i)}`));
    for (const t of view.trend) {
      const day = new Date(`${t.day}T00:00:00Z`);
      const { day: _d, source, ...numbers } = t;
      expect(source).toBe("live");
      expect([t.day, numbers]).toEqual([t.day, expectedCounts({ from: day, to: addDays(day, 1) })]);
    }
    // Written out for two days, so the oracle itself is checked.
    expect(view.trend[0]).toMatchObject({ day: "2026-10-10", total: 2, pinned: 2, verifiedSignature: 2, admitted: 1, compliant: 2 });
    expect(view.trend[9]).toMatchObject({ day: "2026-10-19", total: 5, pinned: 3, verifiedSignature: 3, admitted: 2, compliant: 2 });
  });

  it("drill-down: every number's list has exactly as many rows, and the right ones", async () => {
    const view = await getCompliance({ environment: "prod", window: WINDOW, now: NOW });
    for (const measure of COMPLIANCE_MEASURES) {
      const yes = await drillAll(measure, true);
      const no = await drillAll(measure, false);
      const expectedYes = PROD.filter((s) => inWindow(s, WINDOW) && (measure === "total" || s[measure])).map((s) => s.workload);
      expect([measure, yes.workloads]).toEqual([measure, expectedYes.sort()]);
      expect([measure, yes.rows.length, yes.total]).toEqual([measure, view.deployments[measure], view.deployments[measure]]);
      expect([measure, no.rows.length, no.total]).toEqual([measure, 6 - view.deployments[measure], 6 - view.deployments[measure]]);
      for (const r of yes.rows) if (measure !== "total") expect(r.measures[measure]).toBe(true);
      for (const r of no.rows) if (measure !== "total") expect(r.measures[measure]).toBe(false);
    }
    expect((await drillAll("pinned", false)).workloads).toEqual(["tagged", "unresolved"]);
    expect((await drillAll("compliant", false)).workloads).toEqual(["tagged", "unresolved", "unsigned"]);
    // Behind each policy failure count: the deployments failing that requirement.
    for (const [requirement, workloads] of [
      ["digest-pinning", ["tagged", "unresolved"]],
      ["signatures", ["unresolved", "unsigned"]],
      ["attestations", []],
    ] as const) {
      const page = await listComplianceDeployments({ environment: "prod", window: WINDOW, measure: "total", value: true, requirement });
      expect([requirement, page.items.map((r) => r.workload).sort(), page.total]).toEqual([requirement, workloads, workloads.length]);
    }
  });

  it("drill-down rows: workload, artefact, reference as deployed, times and the policy's reasons; newest first", async () => {
    const { rows } = await drillAll("total", true);
    expect(rows.map((r) => r.workload)).toEqual(
      ["unsigned", "gated", "unresolved", "tagged", "good", "straddle"].sort(
        (a, b) => at(PROD.find((s) => s.workload === b)!.from).getTime() - at(PROD.find((s) => s.workload === a)!.from).getTime(),
      ),
    );
    const tagged = rows.find((r) => r.workload === "tagged")!;
    expect(tagged).toMatchObject({
      artifact: { digest: D.web },
      tagReference: `${REPO}/web:1.0`,
      startedAt: at("12T00:00:00").toISOString(),
      endedAt: null,
      measures: { pinned: false, verifiedSignature: true, verifiedProvenance: false, admitted: false, compliant: false },
      policy: { pass: false, failures: [{ requirement: "digest-pinning" }] },
    });
    expect(tagged.reference).toContain("tag=1.0");
    const straddle = rows.find((r) => r.workload === "straddle")!;
    expect(straddle).toMatchObject({ endedAt: at("12T12:00:00").toISOString(), policy: { pass: true, failures: [] } });
    const unresolved = rows.find((r) => r.workload === "unresolved")!;
    expect(unresolved.artifact).toBeNull();
    expect(unresolved.policy?.failures.map((f) => f.requirement).sort()).toEqual(["digest-pinning", "signatures"]);
    const good = rows.find((r) => r.workload === "good")!;
    expect(good.artifact?.name).toContain("good");
  });

  it("window edges: [from, to) — ended exactly at from is out, started exactly at to is out, a millisecond more is in", async () => {
    const total = async (w: Window) => (await getCompliance({ environment: "prod", window: w, now: NOW })).deployments.total;
    expect(await total(WINDOW)).toBe(6);
    expect(await total({ from: new Date(WINDOW.from.getTime() - 1), to: WINDOW.to })).toBe(7); // + edge-early
    expect(await total({ from: WINDOW.from, to: new Date(WINDOW.to.getTime() + 1) })).toBe(7); // + edge-late
    expect(await total({ from: at("01T00:00:00"), to: at("02T00:00:00") })).toBe(1); // old alone
    expect(await total({ from: at("03T00:00:00"), to: at("05T00:00:00") })).toBe(1); // straddle; old ended at 03:00
    expect(await total({ from: new Date("2026-09-01T00:00:00Z"), to: new Date("2026-09-02T00:00:00Z") })).toBe(0);
    // A window that has not ended: everything running counts.
    const open = await getCompliance({ environment: "prod", window: { from: addDays(NOW, -1), to: NOW }, now: NOW });
    expect(open.deployments.total).toBe(6); // good, tagged, unresolved, unsigned, gated, edge-late
    expect(open.trend.at(-1)?.day).toBe(utcDay(NOW));
  });

  it("an environment with no deployments, or none at all, answers zeros", async () => {
    const none = await getCompliance({ environment: "nowhere", window: WINDOW, now: NOW });
    expect(none).toMatchObject({
      environmentKnown: false,
      deployments: { total: 0, pinned: 0, verifiedSignature: 0, verifiedProvenance: 0, admitted: 0, compliant: 0 },
      violations: [],
      exceptions: [],
    });
    expect(none.trend).toHaveLength(10);
    expect(none.trend.every((t) => t.total === 0)).toBe(true);
    expect((await listComplianceDeployments({ environment: "nowhere", window: WINDOW, measure: "total", value: true })).items).toEqual([]);
  });

  it("GET /api/v1/compliance answers the contract; bad queries are 422s naming the field", async () => {
    const res = await complianceRoute(request(`/api/v1/compliance?environment=prod&from=2026-10-10&to=2026-10-20T00:00:00Z`));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      environment: "prod",
      from: "2026-10-10T00:00:00.000Z",
      to: "2026-10-20T00:00:00.000Z",
      deployments: { total: 6, pinned: 4, verifiedSignature: 4, verifiedProvenance: 1, admitted: 2, compliant: 3 },
    });
    expect(Object.keys(body.deployments)).toEqual([...COMPLIANCE_MEASURES]);
    // Default window: the last 30 days.
    const recent = await (await complianceRoute(request("/api/v1/compliance?environment=prod"))).json();
    expect(new Date(recent.to).getTime() - new Date(recent.from).getTime()).toBe(30 * 86_400_000);

    const cases: Array<[string, string]> = [
      ["", "$.query.environment"],
      ["?environment=", "$.query.environment"],
      ["?environment=prod%20eu", "$.query.environment"],
      ["?environment=prod&from=yesterday", "$.query.from"],
      ["?environment=prod&to=2026-02-31", "$.query.to"],
      ["?environment=prod&from=2026-10-20&to=2026-10-10", "$.query.from"],
      ["?environment=prod&from=2026-10-10&to=2026-10-10", "$.query.from"],
      ["?environment=prod&from=2025-01-01&to=2026-10-10", "$.query.from"],
      ["?environment=prod&to=2020-01-01T00:00:00%2B01:00&from=2020-02-01", "$.query.from"],
      ["?environment=prod&environment=staging", "$.query.environment"],
    ];
    for (const [query, path] of cases) {
      const problem = await problemOf(await complianceRoute(request(`/api/v1/compliance${query}`)));
      expect([query, problem.errors.map((e) => e.path)]).toEqual([query, [path]]);
    }
    expect((await complianceRoute(request("/api/v1/compliance?environment=prod", ingestSecret))).status).toBe(403);
  });

  it("GET /api/v1/compliance/deployments pages a measure; bad measure, value or cursor are 422s", async () => {
    const base = "/api/v1/compliance/deployments?environment=prod&from=2026-10-10&to=2026-10-20";
    const first = await (await drillDownRoute(request(`${base}&measure=compliant&value=false&limit=2`))).json();
    expect(first).toMatchObject({ measure: "compliant", value: false, total: 3 });
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toMatchObject({ workload: "unsigned", artifact: { digest: D.unsigned } });
    const second = await (await drillDownRoute(request(`${base}&measure=compliant&value=false&limit=2&cursor=${first.nextCursor}`))).json();
    expect(second.items.map((i: { workload: string }) => i.workload)).toEqual(["tagged"]);
    expect(second.nextCursor).toBeNull();
    // Defaults: every deployment in the window.
    expect((await (await drillDownRoute(request(base))).json()).total).toBe(6);

    for (const [query, path] of [
      ["&measure=signed", "$.query.measure"],
      ["&value=yes", "$.query.value"],
      ["&cursor=not-a-cursor", "$.query.cursor"],
      ["&limit=0", "$.query.limit"],
      ["&requirement=pinning", "$.query.requirement"],
    ] as const) {
      const problem = await problemOf(await drillDownRoute(request(`${base}${query}`)));
      expect([query, problem.errors.map((e) => e.path)]).toEqual([query, [path]]);
    }
  });

  describe("daily snapshots", () => {
    it("the job upserts yesterday and today for every environment, idempotently", async () => {
      const now = new Date("2026-10-16T12:00:00Z");
      const first = await snapshotCompliance(sqlFromPool(), { now });
      expect(first).toEqual({ days: ["2026-10-15", "2026-10-16"], rows: 4 });
      const rows = async () =>
        withPg(
          async (c) =>
            (
              await c.query(
                `SELECT environment, to_char(day, 'YYYY-MM-DD') AS day, total, pinned, verified_signature, verified_provenance, admitted, compliant, computed_at FROM compliance_snapshots ORDER BY environment, day`,
              )
            ).rows,
        );
      const before = await rows();
      expect(before.map((r) => [r.environment, r.day, r.total])).toEqual([
        ["prod", "2026-10-15", 4],
        ["prod", "2026-10-16", 5],
        ["staging", "2026-10-15", 1],
        ["staging", "2026-10-16", 1],
      ]);
      const day16 = expectedCounts({ from: at("16T00:00:00"), to: at("17T00:00:00") });
      expect(before[1]).toMatchObject({
        total: day16.total,
        pinned: day16.pinned,
        verified_signature: day16.verifiedSignature,
        verified_provenance: day16.verifiedProvenance,
        admitted: day16.admitted,
        compliant: day16.compliant,
      });
      const later = new Date("2026-10-16T13:00:00Z");
      expect(await snapshotCompliance(sqlFromPool(), { now: later })).toEqual({ days: ["2026-10-15", "2026-10-16"], rows: 4 });
      const after = await rows();
      expect(after.map(({ computed_at: _c, ...r }) => r)).toEqual(before.map(({ computed_at: _c, ...r }) => r));
      expect(after.every((r) => new Date(r.computed_at).getTime() === later.getTime())).toBe(true);
    });

    it("the trend reads the snapshot of a day before yesterday (its numbers of the time); yesterday and today are live", async () => {
      // A snapshot from the time differs from what is computed now: the trend must show the snapshot's.
      await withPg((c) => c.query(`UPDATE compliance_snapshots SET total = 42 WHERE environment = 'prod' AND day = '2026-10-15'`));
      await withPg((c) => c.query(`UPDATE compliance_snapshots SET total = 43 WHERE environment = 'prod' AND day = '2026-10-16'`));
      const now = new Date("2026-10-17T12:00:00Z");
      const view = await getCompliance({ environment: "prod", window: WINDOW, now });
      expect(view.trend.map((t) => [t.day, t.source])).toEqual([
        ...Array.from({ length: 5 }, (_, i) => [`2026-10-1${i}`, "live"]),
        ["2026-10-15", "snapshot"],
        ["2026-10-16", "live"],
        ["2026-10-17", "live"],
      ]);
      expect(view.trend.map((t) => t.total).slice(5)).toEqual([42, 5, 5]);
      // The window's own counts never come from snapshots.
      expect(view.deployments.total).toBe(6);
    });

    it("through the queue: a compliance.snapshot job writes today's row", async () => {
      await enqueueJob(sqlFromPool(), { kind: "compliance.snapshot", dedupeKey: "compliance.snapshot" });
      await runDueJobs();
      const today = await withPg(
        async (c) =>
          (
            await c.query(
              `SELECT environment, total, pinned, compliant FROM compliance_snapshots WHERE day = $1::date ORDER BY environment`,
              [utcDay(new Date())],
            )
          ).rows,
      );
      // Running in prod now: good, tagged, unresolved, unsigned, gated, edge-late.
      expect(today.map((r) => [r.environment, r.total, r.pinned, r.compliant])).toEqual([
        ["prod", 6, 4, 3],
        ["staging", 1, 1, 0],
      ]);
    });
  });
});

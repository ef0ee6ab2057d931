// The verbs behind the noun pages (commit, build, environment, tag, key) over a small story ingested
// through the real ingestion verbs: one build from commit C made A and B on top of a base image; the
// release key signed A and B, the backup key B; tag 1.0 moved from A to C2; prod ran B then A.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/api/errors";
import type { TokenActor } from "@/lib/auth/actor";
import { getBuild } from "@/lib/server/builds/get-build";
import { getCommit } from "@/lib/server/commits/get-commit";
import { ENDED_PAGE_LIMIT, getEnvironment } from "@/lib/server/environments/get-environment";
import { listEnvironments } from "@/lib/server/environments/list-environments";
import { ingestAttestationsRequest, ingestEventsRequest, ingestSignaturesRequest } from "@/lib/server/ingest/ingest-requests";
import { runDueJobs } from "@/lib/server/jobs/worker";
import { getTag } from "@/lib/server/tags/get-tag";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { findTrustEntryByName } from "@/lib/server/trust/find-trust-entry-by-name";
import { getTrustEntryOrThrow } from "@/lib/server/trust/get-trust-entry-or-throw";
import { listSignaturesByEntry } from "@/lib/server/trust/list-signatures-by-entry";
import type { TrustedKeyItem } from "@/lib/server/trust/trust-entry";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const system = { kind: "system", name: "test" } as const;
const BUILDER = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
const COMMIT = "c0ffee".padEnd(40, "1");
const OTHER_COMMIT = "c0ffee".padEnd(40, "2");
const hex = (c: string) => c.repeat(64);
const [A, B, C2, BASE] = ["a", "b", "c", "d"].map((c) => `sha256:${hex(c)}`) as [string, string, string, string];
const T = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 10, minutes)).toISOString();
const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
const backup = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pemOf = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();

let actor: TokenActor;
let releaseKey: TrustedKeyItem;

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

const purl = (digest: string) => `pkg:oci/app@${digest.replace(":", "%3A")}?repository_url=registry.test/app`;
const published = (id: string, digest: string, minute: number) => ({
  context: { specversion: "0.5.1", id, source: "/ci", type: "dev.cdevents.artifact.published.0.3.0", timestamp: T(minute) },
  subject: { id: `${purl(digest)}&tag=1.0`, content: {} },
});
const deployed = (id: string, environment: string, workload: string, minute: number, artifactId: string) => ({
  context: { specversion: "0.5.1", id, source: "/argo", type: "dev.cdevents.service.deployed.0.3.0", timestamp: T(minute) },
  subject: { id: workload, content: { environment: { id: environment }, artifactId } },
});
const packaged = (id: string, digest: string, commit: string) => ({
  context: { specversion: "0.5.1", id, source: "/ci", type: "dev.cdevents.artifact.packaged.0.3.0", timestamp: T(1) },
  subject: { id: purl(digest), content: { change: { id: commit, source: "https://github.com/acme/other" } } },
});

beforeAll(async () => {
  await resetDatabase();
  const t = await db().apiToken.create({ data: { name: "nouns", prefix: "vtr_nouns", tokenHash: "f".repeat(64), scopes: ["ingest"] } });
  actor = { kind: "token", id: t.id, name: "nouns", scopes: ["ingest"] };
  const created = await createTrustedKey({
    actor: system,
    input: { name: "release-key", publicKey: pemOf(release.publicKey) },
    now: new Date(),
  });
  releaseKey = (await getTrustEntryOrThrow({ kind: "keys", id: created.id, now: new Date() })) as TrustedKeyItem;
  await createTrustedKey({ actor: system, input: { name: "backup-key", publicKey: pemOf(backup.publicKey) }, now: new Date() });

  const statement = {
    _type: "https://in-toto.io/Statement/v1",
    subject: [A, B].map((d) => ({ name: "registry.test/app", digest: { sha256: d.slice(7) } })),
    predicateType: "https://slsa.dev/provenance/v1",
    predicate: {
      buildDefinition: {
        buildType: "https://actions.github.io/buildtypes/workflow/v1",
        resolvedDependencies: [
          { uri: "git+https://github.com/acme/app@refs/heads/main", digest: { gitCommit: COMMIT } },
          { uri: `pkg:oci/base@${BASE.replace(":", "%3A")}?repository_url=registry.test/base`, digest: { sha256: BASE.slice(7) } },
        ],
      },
      runDetails: { builder: { id: BUILDER }, metadata: { invocationId: "run-1", startedOn: T(0), finishedOn: T(2) } },
    },
  };
  const { answer } = await ingestAttestationsRequest(request({ statement }));
  expect(answer.results[0]?.status, JSON.stringify(answer.results[0])).toBe("accepted");
  // Another commit with the same first six characters (a seventh tells them apart), packaged into C2.
  await events([packaged("pk-other", C2, OTHER_COMMIT)]);
  await events([published("p-a", A, 3), published("p-c", C2, 8)]);
  for (const body of [cosign(A, release.privateKey), cosign(B, release.privateKey), cosign(B, backup.privateKey)]) {
    const res = await ingestSignaturesRequest(request(body));
    expect(res.answer.results[0]?.status).toBe("accepted");
  }
  // prod: api ran B, then A (B's deployment ended); staging: web names the tag; history: many ended runs of "batch".
  const batch = Array.from({ length: ENDED_PAGE_LIMIT + 3 }, (_, i) => deployed(`batch-${i}`, "prod", "batch", 20 + i, purl(B)));
  await events([
    deployed("prod-b", "prod", "api", 4, purl(B)),
    deployed("prod-a", "prod", "api", 5, purl(A)),
    deployed("staging-web", "staging", "web", 10, "pkg:oci/app?repository_url=registry.test/app&tag=1.0"),
    ...batch,
  ]);
  await runDueJobs();
});

describe("getCommit", () => {
  it("finds the commit, its build, what that build produced with verdicts, and where it runs", async () => {
    const found = await getCommit({ sha: COMMIT });
    expect(found.status).toBe("found");
    if (found.status !== "found") return;
    const c = found.detail;
    expect(c.sources.map((s) => s.repository)).toEqual(["https://github.com/acme/app"]);
    expect(c.builds).toMatchObject([{ builderId: BUILDER, invocationId: "run-1", outputs: 2 }]);
    const byDigest = Object.fromEntries(c.artifacts.map((a) => [a.digest, a]));
    expect(Object.keys(byDigest).sort()).toEqual([A, B].sort());
    expect(byDigest[A]?.verdicts).toEqual([{ verdict: "verified", count: 1 }]);
    expect(byDigest[B]?.verdicts).toEqual([{ verdict: "verified", count: 2 }]);
    expect(byDigest[A]?.deployments).toMatchObject([{ environment: "prod", workload: "api" }]);
    // B runs as the last "batch" deployment; its api deployment ended when A replaced it.
    expect(byDigest[B]?.deployments).toMatchObject([{ environment: "prod", workload: "batch" }]);
    expect(c.environments).toEqual([{ environment: "prod", deployments: 2 }]);
  });

  it("sends a unique prefix on, names the candidates of an ambiguous one, and misses unknown commits", async () => {
    expect(await getCommit({ sha: COMMIT.slice(0, 7) })).toEqual({ status: "prefix", commit: COMMIT });
    // Six characters is below the pages' minimum (they check first); the verb still answers: both commits start with it.
    const ambiguous = await getCommit({ sha: "c0ffee" });
    expect(ambiguous.status).toBe("ambiguous");
    if (ambiguous.status === "ambiguous") expect(ambiguous.candidates.map((c) => c.commit).sort()).toEqual([COMMIT, OTHER_COMMIT].sort());
    expect(await getCommit({ sha: "0".repeat(40) })).toEqual({ status: "missing" });
  });
});

describe("getBuild", () => {
  it("shows the run with its sources, inputs, outputs and the provenance naming its outputs", async () => {
    const [row] = await db().build.findMany({ where: { builderId: BUILDER } });
    const b = await getBuild({ id: row?.id as string });
    expect(b).toMatchObject({ builderId: BUILDER, invocationId: "run-1", startedAt: T(0), finishedAt: T(2), builderBuilds: 1 });
    expect(b?.sources).toEqual([{ repository: "https://github.com/acme/app", commit: COMMIT }]);
    expect(b?.inputs.map((a) => a.digest)).toEqual([BASE]);
    expect(b?.outputs.map((a) => a.digest).sort()).toEqual([A, B].sort());
    expect(b?.attestations).toHaveLength(1);
    expect(b?.attestations[0]).toMatchObject({ predicateType: "https://slsa.dev/provenance/v1", describesThisBuild: true });
    expect(b?.attestations[0]?.subjects.sort()).toEqual([A, B].sort());
    expect(await getBuild({ id: "00000000-0000-4000-8000-000000000000" })).toBeNull();
  });
});

describe("environments", () => {
  it("lists every environment with its running deployments and policy results", async () => {
    const { items } = await listEnvironments();
    const prod = items.find((e) => e.name === "prod");
    const staging = items.find((e) => e.name === "staging");
    expect(prod).toMatchObject({ running: 2, passing: 2, failing: 0, unpinned: 0, hasPolicy: false });
    // The tag-named deployment fails the default policy (digest pinning).
    expect(staging).toMatchObject({ running: 1, passing: 0, failing: 1, unpinned: 1 });
  });

  it("pages what ran before, newest first, and refuses a cursor it did not write", async () => {
    const first = await getEnvironment({ name: "prod" });
    expect(first?.counts).toMatchObject({ running: 2, ended: ENDED_PAGE_LIMIT + 3 });
    expect(first?.running.items.map((d) => d.workload).sort()).toEqual(["api", "batch"]);
    expect(first?.ended.items).toHaveLength(ENDED_PAGE_LIMIT);
    const ends = first?.ended.items.map((d) => d.endedAt as string) ?? [];
    expect([...ends].sort().reverse()).toEqual(ends);
    const second = await getEnvironment({ name: "prod", endedCursor: first?.ended.nextCursor ?? undefined });
    expect(second?.ended.items).toHaveLength(3);
    expect(second?.ended.nextCursor).toBeNull();
    const seen = new Set([...(first?.ended.items ?? []), ...(second?.ended.items ?? [])].map((d) => d.id));
    expect(seen.size).toBe(ENDED_PAGE_LIMIT + 3);
    expect(second?.ended.items.some((d) => d.workload === "api" && d.artifact?.digest === B && d.status === "replaced")).toBe(true);
    await expect(getEnvironment({ name: "prod", endedCursor: "not-a-cursor" })).rejects.toBeInstanceOf(AppError);
    expect(await getEnvironment({ name: "nowhere" })).toBeNull();
  });
});

describe("getTag", () => {
  it("gives the history newest first with the move, the current digest, and deployments that named it", async () => {
    const tag = await getTag({ reference: "registry.test/app:1.0" });
    expect(tag?.current).toEqual({ digest: C2, since: T(8) });
    expect(tag?.counts).toEqual({ intervals: 2, moves: 1, digests: 2, deployments: 1 });
    expect(tag?.history.items.map((h) => [h.digest, h.movedFrom, h.validTo])).toEqual([
      [C2, A, null],
      [A, null, T(8)],
    ]);
    expect(tag?.deployments.items).toMatchObject([
      { environment: "staging", workload: "web", resolvedDigest: C2, policy: { pass: false } },
    ]);
    expect(await getTag({ reference: "registry.test/app:nothing" })).toBeNull();
  });
});

describe("trust entries", () => {
  it("lists what a key signed, newest first, a page at a time, with its verdicts", async () => {
    const page1 = await listSignaturesByEntry({ entry: releaseKey, limit: 1 });
    expect(page1.total).toBe(2);
    expect(page1.verdicts).toEqual([{ verdict: "verified", count: 2 }]);
    expect(page1.items).toHaveLength(1);
    const page2 = await listSignaturesByEntry({ entry: releaseKey, limit: 1, cursor: page1.nextCursor ?? undefined });
    expect(page2.nextCursor).toBeNull();
    expect([page1.items[0]?.artifact.digest, page2.items[0]?.artifact.digest].sort()).toEqual([A, B].sort());
    await expect(listSignaturesByEntry({ entry: releaseKey, cursor: "nonsense" })).rejects.toBeInstanceOf(AppError);
  });

  it("finds an entry by name, preferring the kind asked for", async () => {
    expect(await findTrustEntryByName({ name: "release-key", prefer: "identities" })).toEqual({ kind: "keys", id: releaseKey.id });
    expect(await findTrustEntryByName({ name: "nobody", prefer: "keys" })).toBeNull();
  });
});

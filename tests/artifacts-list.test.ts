// GET /api/v1/artifacts filters (DESIGN.md "Reads": q matches digest prefix, name, tag and commit;
// signed, environment; plus repository, builder, time window and order), with cursor pagination.
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import { listArtifacts, ZListArtifactsQuery } from "@/lib/server/artifacts/list-artifacts";
import { ingestAttestationsRequest, ingestEventsRequest, ingestSignaturesRequest } from "@/lib/server/ingest/ingest-requests";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const D = (c: string) => `sha256:${c.repeat(64)}`;
const [SIGNED, UNSIGNED, STRANGER, BUILT] = [D("1"), D("2"), D("3"), D("4")];
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const BUILDER = "https://github.com/acme/ci/.github/workflows/build.yml@refs/heads/main";
let actor: TokenActor;

const json = (body: unknown) => ({
  actor,
  headers: new Headers({ "content-type": "application/json" }),
  body: Buffer.from(JSON.stringify(body)),
  idempotencyKey: null,
  now: new Date(),
});

function cosign(digest: string, key: ReturnType<typeof generateKeyPairSync>, extra: Record<string, unknown> = {}) {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": "registry.acme.dev/app" },
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
    signature: sign("sha256", payload, key.privateKey).toString("base64"),
    ...extra,
  };
}

async function publish(digest: string, name: string) {
  await ingestEventsRequest(
    json({
      context: {
        specversion: "0.5.1",
        id: randomUUID(),
        source: "/ci",
        type: "dev.cdevents.artifact.published.0.3.0",
        timestamp: new Date().toISOString(),
      },
      subject: { id: `pkg:oci/${name}@sha256%3A${digest.slice(7)}?repository_url=registry.acme.dev/${name}&tag=1.0`, content: {} },
    }),
  );
}

describe("the artefacts list", () => {
  beforeAll(async () => {
    await resetDatabase();
    const t = await db().apiToken.create({ data: { name: "l", prefix: "vtr_l", tokenHash: "f".repeat(64), scopes: ["ingest"] } });
    actor = { kind: "token", id: t.id, name: "l", scopes: ["ingest"] };
    const trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await createTrustedKey({
      actor: { kind: "system", name: "test" },
      input: { name: "release", publicKey: trusted.publicKey.export({ type: "spki", format: "pem" }).toString() },
      now: new Date(),
    });
    await publish(SIGNED, "signed");
    await publish(UNSIGNED, "unsigned");
    await publish(STRANGER, "stranger");
    await ingestSignaturesRequest(json(cosign(SIGNED, trusted)));
    await ingestSignaturesRequest(
      json(cosign(STRANGER, stranger, { publicKey: stranger.publicKey.export({ type: "spki", format: "pem" }).toString() })),
    );
    await ingestEventsRequest(
      json({
        context: {
          specversion: "0.5.1",
          id: randomUUID(),
          source: "/argo",
          type: "dev.cdevents.service.deployed.0.3.0",
          timestamp: new Date().toISOString(),
        },
        subject: {
          id: "api",
          content: {
            environment: { id: "prod" },
            artifactId: `pkg:oci/signed@sha256%3A${SIGNED.slice(7)}?repository_url=registry.acme.dev/signed`,
          },
        },
      }),
    );
    const statement = {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: "registry.acme.dev/built", digest: { sha256: BUILT.slice(7) } }],
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: {
          buildType: "https://actions.github.io/buildtypes/workflow/v1",
          externalParameters: {},
          resolvedDependencies: [{ uri: "git+https://github.com/acme/app@refs/heads/main", digest: { gitCommit: COMMIT } }],
        },
        runDetails: { builder: { id: BUILDER }, metadata: { invocationId: "run-1" } },
      },
    };
    const envelope = {
      payloadType: "application/vnd.in-toto+json",
      payload: Buffer.from(JSON.stringify(statement)).toString("base64"),
      signatures: [{ sig: "c2ln" }],
    };
    const answer = await ingestAttestationsRequest(json({ envelope }));
    expect(answer.answer.accepted).toBe(1);
  });

  const digests = async (query: Record<string, string>) => {
    const parsed = ZListArtifactsQuery.parse(query);
    return (await listArtifacts(parsed)).items.map((i) => i.digest).sort();
  };

  it("filters by signature state", async () => {
    expect(await digests({ signed: "verified" })).toEqual([SIGNED]);
    expect(await digests({ signed: "unverified" })).toEqual([STRANGER]);
    expect(await digests({ signed: "true" })).toEqual([SIGNED, STRANGER].sort());
    expect(await digests({ signed: "false" })).toEqual([UNSIGNED, BUILT].sort());
  });

  it("filters by environment, repository, builder; q matches a commit", async () => {
    expect(await digests({ environment: "prod" })).toEqual([SIGNED]);
    expect(await digests({ environment: "staging" })).toEqual([]);
    expect(await digests({ repository: "registry.acme.dev/unsigned" })).toEqual([UNSIGNED]);
    expect(await digests({ builder: BUILDER })).toEqual([BUILT]);
    expect(await digests({ q: COMMIT.slice(0, 10) })).toEqual([BUILT]);
  });

  it("pages with a cursor in both orders, and refuses bad filters", async () => {
    const first = await listArtifacts({ limit: 2, sort: "oldest" });
    expect(first.items).toHaveLength(2);
    const second = await listArtifacts({ limit: 2, sort: "oldest", cursor: first.nextCursor ?? undefined });
    const all = [...first.items, ...second.items].map((i) => i.digest);
    expect(new Set(all).size).toBe(4);
    expect(second.nextCursor).toBeNull();
    expect(ZListArtifactsQuery.safeParse({ signed: "maybe" }).success).toBe(false);
    expect(ZListArtifactsQuery.safeParse({ from: "2026-11-02", to: "2026-11-01" }).success).toBe(false);
    expect(ZListArtifactsQuery.safeParse({ from: "yesterday" }).success).toBe(false);
  });
});

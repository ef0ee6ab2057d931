import * as openpgp from "openpgp";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import {
  ingestAttestationsRequest,
  ingestEventsRequest,
  ingestSignaturesRequest,
  ingestVerificationsRequest,
} from "@/lib/server/ingest/ingest-requests";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { fixtureBytes } from "./helpers/fixtures";

const { db } = setupTestDatabase();
let actor: TokenActor;
const hex = (n: number) => n.toString(16).padStart(64, "0");

function req(body: string | Uint8Array, headers: Record<string, string>) {
  return {
    actor,
    headers: new Headers(headers),
    body: typeof body === "string" ? Buffer.from(body) : body,
    idempotencyKey: null,
    now: new Date(),
  };
}

function cdevent(id: string, digestN: number, tag = "1.0") {
  return {
    context: {
      specversion: "0.5.1",
      id,
      source: "/ci/formats",
      type: "dev.cdevents.artifact.published.0.3.0",
      timestamp: "2026-11-20T10:00:00Z",
    },
    subject: { id: `pkg:oci/app@sha256%3A${hex(digestN)}?repository_url=registry.test/app&tag=${tag}`, content: {} },
  };
}

describe("ingestion formats end to end (adapter -> store -> domain -> ledger)", () => {
  beforeAll(async () => {
    await resetDatabase();
  });
  beforeEach(async () => {
    await resetDatabase();
    const t = await db().apiToken.create({
      data: { name: "formats", prefix: "vtr_formats", tokenHash: "d".repeat(64), scopes: ["ingest"] },
    });
    actor = { kind: "token", id: t.id, name: t.name, scopes: ["ingest"] };
  });

  it("CloudEvents binary mode: the CDEvent body is stored verbatim and applied", async () => {
    const body = JSON.stringify(cdevent("ce-1", 1));
    const { single, answer } = await ingestEventsRequest(
      req(body, {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "ce-1",
        "ce-source": "/ci/formats",
        "ce-type": "dev.cdevents.artifact.published.0.3.0",
      }),
    );
    expect(single).toBe(true);
    expect(answer.results[0]).toMatchObject({ status: "accepted", artifact: `sha256:${hex(1)}` });
    const doc = await db().document.findFirstOrThrow({ include: { content: true } });
    expect(Buffer.from(doc.content!.body).toString()).toBe(body);
    expect(doc.format).toBe("cloudevents");
  });

  it("CloudEvents binary mode: attributes that disagree with the CDEvent are refused", async () => {
    const { answer } = await ingestEventsRequest(
      req(JSON.stringify(cdevent("ce-2", 2)), {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "other",
        "ce-source": "/ci/formats",
        "ce-type": "dev.cdevents.artifact.published.0.3.0",
      }),
    );
    expect(answer.results[0]?.status).toBe("rejected");
    expect(await db().document.count()).toBe(0);
  });

  it("CloudEvents structured and batch modes", async () => {
    const ce = (id: string, n: number) => ({
      specversion: "1.0",
      id,
      source: "/ci/formats",
      type: "dev.cdevents.artifact.published.0.3.0",
      datacontenttype: "application/json",
      data: cdevent(id, n),
    });
    const one = await ingestEventsRequest(req(JSON.stringify(ce("s-1", 3)), { "content-type": "application/cloudevents+json" }));
    expect(one.answer.accepted).toBe(1);
    const batch = await ingestEventsRequest(
      req(JSON.stringify([ce("b-1", 4), ce("b-2", 5), { specversion: "0.3", id: "x" }]), {
        "content-type": "application/cloudevents-batch+json",
      }),
    );
    expect(batch.single).toBe(false);
    expect(batch.answer).toMatchObject({ accepted: 2, rejected: 1 });
    expect(await db().artifact.count()).toBe(3);
  });

  it("a tag moved to another digest closes the previous interval", async () => {
    await ingestEventsRequest(req(JSON.stringify([cdevent("m-1", 10, "latest")]), { "content-type": "application/json" }));
    const moved = await ingestEventsRequest(
      req(
        JSON.stringify([
          { ...cdevent("m-2", 11, "latest"), context: { ...cdevent("m-2", 11).context, timestamp: "2026-11-21T10:00:00Z" } },
        ]),
        { "content-type": "application/json" },
      ),
    );
    expect(moved.answer.results[0]?.notes?.join(" ")).toMatch(/moved from sha256:0+a to sha256:0+b/);
    const history = await db().tagHistory.findMany({
      where: { tag: { reference: "registry.test/app:latest" } },
      orderBy: { validFrom: "asc" },
    });
    expect(history.map((h) => [h.digest, h.validTo?.toISOString() ?? null])).toEqual([
      [`sha256:${hex(10)}`, "2026-11-21T10:00:00.000Z"],
      [`sha256:${hex(11)}`, null],
    ]);
  });

  it("an OpenPGP signature over SHA256SUMS becomes one signature per listed artefact", async () => {
    const { privateKey } = await openpgp.generateKey({
      type: "curve25519",
      userIDs: [{ name: "Release", email: "release@acme.test" }],
      format: "armored",
    });
    const sums = `${hex(20)}  app-linux-amd64.tar.gz\n${hex(21)}  app-darwin-arm64.tar.gz\n`;
    const signature = await openpgp.sign({
      message: await openpgp.createMessage({ binary: Buffer.from(sums) }),
      signingKeys: await openpgp.readPrivateKey({ armoredKey: privateKey }),
      detached: true,
      format: "armored",
    });
    const { answer } = await ingestSignaturesRequest(
      req(JSON.stringify({ format: "openpgp", signedData: Buffer.from(sums).toString("base64"), signature }), {
        "content-type": "application/json",
      }),
    );
    expect(answer.results[0]?.status).toBe("accepted");
    const sigs = await db().signature.findMany({ include: { artifact: { include: { names: true } } } });
    expect(sigs.map((s) => s.artifact.digest).sort()).toEqual([`sha256:${hex(20)}`, `sha256:${hex(21)}`]);
    // Verified on arrival: signed by a key the trust store does not hold.
    expect(sigs.map((s) => [s.format, s.verdict])).toEqual([
      ["openpgp", "untrusted"],
      ["openpgp", "untrusted"],
    ]);
  });

  it("SLSA provenance in DSSE fills in the build, its builder, source commit and subjects", async () => {
    const statement = {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: "registry.test/app", digest: { sha256: hex(30) } }],
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: {
          buildType: "https://actions.github.io/buildtypes/workflow/v1",
          externalParameters: {},
          resolvedDependencies: [
            { uri: "git+https://github.com/acme/app@refs/heads/main", digest: { gitCommit: "a".repeat(40) } },
            { uri: `pkg:oci/base@sha256%3A${hex(31)}`, digest: { sha256: hex(31) } },
          ],
        },
        runDetails: { builder: { id: "https://github.com/actions/runner" }, metadata: { invocationId: "run-77" } },
      },
    };
    const envelope = {
      payloadType: "application/vnd.in-toto+json",
      payload: Buffer.from(JSON.stringify(statement)).toString("base64"),
      signatures: [{ sig: "c2ln" }],
    };
    const { answer } = await ingestAttestationsRequest(req(JSON.stringify({ envelope }), { "content-type": "application/json" }));
    expect(answer.results[0]?.status).toBe("accepted");
    const build = await db().build.findFirstOrThrow({
      include: { sources: { include: { source: true } }, artifacts: { include: { artifact: true } } },
    });
    expect(build).toMatchObject({ builderId: "https://github.com/actions/runner", invocationId: "run-77" });
    expect(build.sources.map((s) => [s.source.repository, s.source.commit])).toEqual([["https://github.com/acme/app", "a".repeat(40)]]);
    expect(build.artifacts.map((a) => [a.role, a.artifact.digest]).sort()).toEqual([
      ["input", `sha256:${hex(31)}`],
      ["output", `sha256:${hex(30)}`],
    ]);
    const attestation = await db().attestation.findFirstOrThrow({ include: { subjects: true } });
    expect(attestation).toMatchObject({ predicateType: "https://slsa.dev/provenance/v1", envelope: "dsse", buildId: build.id });
    expect(attestation.subjects.map((s) => s.digest)).toEqual([`sha256:${hex(30)}`]);
    // The subject's name is the artefact's name.
    const names = await db().artifactName.findMany({ where: { artifact: { digest: `sha256:${hex(30)}` } } });
    expect(names.map((n) => n.name)).toEqual(["registry.test/app"]);
  });

  it("a Kyverno YAML stream with several reports is stored as one document per report", async () => {
    const { single, answer } = await ingestVerificationsRequest(
      req(fixtureBytes("kyverno", "reports_background_verify-image-fail_report-assert.yaml"), { "content-type": "application/yaml" }),
    );
    expect(single).toBe(false);
    expect(answer.accepted).toBe(answer.results.length);
    expect(await db().document.count()).toBe(answer.accepted);
  });

  it("a deployment of a tag resolves it to the digest it pointed at then, and is not pinned", async () => {
    await ingestEventsRequest(req(JSON.stringify(cdevent("t-1", 40, "stable")), { "content-type": "application/json" }));
    const deploy = {
      context: {
        specversion: "0.5.1",
        id: "d-1",
        source: "/argo",
        type: "dev.cdevents.service.deployed.0.3.0",
        timestamp: "2026-11-22T10:00:00Z",
      },
      subject: {
        id: "app",
        content: { environment: { id: "prod" }, artifactId: "pkg:oci/app?repository_url=registry.test/app&tag=stable" },
      },
    };
    await ingestEventsRequest(req(JSON.stringify(deploy), { "content-type": "application/json" }));
    const d = await db().deployment.findFirstOrThrow({ include: { environment: true, artifact: true } });
    expect(d).toMatchObject({
      pinned: false,
      tagReference: "registry.test/app:stable",
      resolvedDigest: `sha256:${hex(40)}`,
      status: "running",
    });
    expect(d.environment.name).toBe("prod");
    expect(d.artifact?.digest).toBe(`sha256:${hex(40)}`);
    expect((await verifyLedger()).valid).toBe(true);
  });
});

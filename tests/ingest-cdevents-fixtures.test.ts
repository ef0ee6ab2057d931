import { beforeAll, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import { ingestEvents } from "@/lib/server/ingest/ingest-events";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { fixtureBytes, fixtureNames } from "./helpers/fixtures";

const { db } = setupTestDatabase();
const actor: TokenActor = { kind: "token", id: "00000000-0000-7000-8000-000000000001", name: "fixtures", scopes: ["ingest"] };
const names = fixtureNames("cdevents", "conformance").filter((n) => n.endsWith(".json"));

async function ingestFile(name: string) {
  const bytes = fixtureBytes("cdevents", "conformance", name);
  return ingestEvents({
    actor: { ...actor, id: await tokenId() },
    rawBody: bytes,
    contentType: "application/json",
    idempotencyKey: null,
    now: new Date(),
  });
}

let cachedToken: string | undefined;
async function tokenId(): Promise<string> {
  if (!cachedToken) {
    const t = await db().apiToken.create({
      data: { name: "fixtures", prefix: "vtr_fixture", tokenHash: "f".repeat(64), scopes: ["ingest"] },
    });
    cachedToken = t.id;
  }
  return cachedToken;
}

describe("every CDEvents v0.5.1 conformance fixture", () => {
  beforeAll(async () => {
    await resetDatabase();
    cachedToken = undefined;
  });

  it("has 45 fixtures to ingest", () => {
    expect(names.length).toBe(45);
  });

  it.each(names)("%s is accepted once", async (name) => {
    const { single, answer } = await ingestFile(name);
    expect(single).toBe(true);
    expect(answer.results[0]?.status, JSON.stringify(answer.results[0]?.problem)).toBe("accepted");
  });

  it("updates the domain model for the types that carry supply-chain meaning", async () => {
    const digest = "sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";
    expect(await db().artifact.findUnique({ where: { digest } })).not.toBeNull();
    // build.finished names the artefact as its output
    const build = await db().build.findFirst({ where: { artifacts: { some: { artifact: { digest }, role: "output" } } } });
    expect(build?.invocationId).toBe("mySubject123");
    // In file order: deployed (then removed), rolledback, upgraded -> three deployments, one running.
    const deployments = await db().deployment.findMany({ where: { environment: { name: "test123" } }, orderBy: { createdAt: "asc" } });
    expect(deployments.map((d) => d.status)).toEqual(["removed", "replaced", "running"]);
    expect(deployments.every((d) => d.pinned && d.resolvedDigest === digest)).toBe(true);
    expect(await db().environment.findUnique({ where: { name: "testEnv" } })).not.toBeNull();
    expect(await db().document.count()).toBe(45);
    expect(await db().ledgerEntry.count()).toBe(45);
  });

  it("a replay of all of them adds nothing", async () => {
    const before = {
      documents: await db().document.count(),
      ledger: await db().ledgerEntry.count(),
      artifacts: await db().artifact.count(),
    };
    for (const name of names) {
      const { answer } = await ingestFile(name);
      expect(answer.results[0]?.status).toBe("duplicate");
    }
    expect({
      documents: await db().document.count(),
      ledger: await db().ledgerEntry.count(),
      artifacts: await db().artifact.count(),
    }).toEqual(before);
    expect((await verifyLedger()).valid).toBe(true);
  });
});

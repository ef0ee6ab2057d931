import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { TokenActor } from "@/lib/auth/actor";
import {
  ingestAttestationsRequest,
  ingestEventsRequest,
  ingestSignaturesRequest,
  ingestVerificationsRequest,
} from "@/lib/server/ingest/ingest-requests";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { resetDatabase, setupTestDatabase } from "./helpers/db";
import { fixtureBytes, fixtureNames } from "./helpers/fixtures";

const { db } = setupTestDatabase();
let actor: TokenActor;

const sigstoreCases = fixtureNames("sigstore").filter((n) => !n.includes("."));
const dsseCases = sigstoreCases.filter((c) => JSON.parse(fixtureBytes("sigstore", c, "bundle.sigstore.json").toString()).dsseEnvelope);

function artifactDigest(caseName: string): string {
  const names = fixtureNames("sigstore", caseName);
  const bytes = names.includes("artifact") ? fixtureBytes("sigstore", caseName, "artifact") : fixtureBytes("sigstore", "a.txt");
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function request(body: Uint8Array | string, contentType: string) {
  return {
    actor,
    headers: new Headers({ "content-type": contentType }),
    body: typeof body === "string" ? Buffer.from(body) : body,
    idempotencyKey: null,
    now: new Date(),
  };
}

type Sent = { name: string; run: () => ReturnType<typeof ingestEventsRequest> };

function everyFixture(): Sent[] {
  const sent: Sent[] = [
    {
      name: "registry push envelope",
      run: () =>
        ingestEventsRequest(
          request(fixtureBytes("registry", "distribution-push-envelope.json"), "application/vnd.docker.distribution.events.v2+json"),
        ),
    },
    {
      name: "registry pull event",
      run: () =>
        ingestEventsRequest(
          request(fixtureBytes("registry", "distribution-pull-event.json"), "application/vnd.docker.distribution.events.v2+json"),
        ),
    },
    {
      name: "cosign verify output",
      run: () => ingestVerificationsRequest(request(fixtureBytes("cosign", "verify-output.json"), "application/json")),
    },
    {
      name: "cosign attestation bundle",
      run: () =>
        ingestAttestationsRequest(
          request(
            JSON.stringify({ bundle: JSON.parse(fixtureBytes("cosign", "oci-attestation.sigstore.json").toString()) }),
            "application/json",
          ),
        ),
    },
    ...fixtureNames("kyverno").map((f) => ({
      name: `kyverno ${f}`,
      run: () => ingestVerificationsRequest(request(fixtureBytes("kyverno", f), "application/yaml")),
    })),
    ...sigstoreCases.map((c) => ({
      name: `sigstore ${c} as a signature`,
      run: () =>
        ingestSignaturesRequest(
          request(
            JSON.stringify({
              artifact: artifactDigest(c),
              format: "sigstore-bundle",
              bundle: JSON.parse(fixtureBytes("sigstore", c, "bundle.sigstore.json").toString()),
            }),
            "application/json",
          ),
        ),
    })),
    ...dsseCases.map((c) => ({
      name: `sigstore ${c} as an attestation`,
      run: () =>
        ingestAttestationsRequest(
          request(
            JSON.stringify({ bundle: JSON.parse(fixtureBytes("sigstore", c, "bundle.sigstore.json").toString()) }),
            "application/json",
          ),
        ),
    })),
  ];
  return sent;
}

describe("every registry, Sigstore, cosign and Kyverno fixture", () => {
  beforeAll(async () => {
    await resetDatabase();
    const t = await db().apiToken.create({
      data: { name: "fixtures", prefix: "vtr_fixture", tokenHash: "e".repeat(64), scopes: ["ingest"] },
    });
    actor = { kind: "token", id: t.id, name: t.name, scopes: ["ingest"] };
  });

  it("registry push envelope: the invalid digest is rejected, the other events are kept", async () => {
    const { answer } = await ingestEventsRequest(
      request(fixtureBytes("registry", "distribution-push-envelope.json"), "application/vnd.docker.distribution.events.v2+json"),
    );
    expect(answer.results[0]?.status).toBe("rejected");
    expect(answer.results[0]?.problem?.errors.map((e) => e.path)).toContain("$.events[0].target.digest");
    expect(answer.rejected).toBe(1);
    expect(answer.accepted).toBe(answer.results.length - 1);
    expect(answer.accepted).toBeGreaterThanOrEqual(2);
  });

  it("accepts every other fixture with the outcome its format implies", async () => {
    for (const f of everyFixture().slice(1)) {
      const { answer } = await f.run();
      expect(answer.rejected, `${f.name}: ${JSON.stringify(answer.results.find((r) => r.status === "rejected")?.problem)}`).toBe(0);
      // managed-key-wrong-key_fail carries the same bundle as managed-key-happy-path: the same document.
      const expected = f.name.includes("managed-key-wrong-key_fail") ? "duplicate" : "accepted";
      expect(
        answer.results.map((r) => r.status),
        f.name,
      ).toContain(expected);
    }
    expect(await db().signature.count()).toBe(sigstoreCases.length - 1);
    expect(await db().attestation.count()).toBe(dsseCases.length + 1);
    expect(await db().verificationClaim.count({ where: { verifier: "cosign" } })).toBe(1);
    expect(await db().verificationClaim.count({ where: { verifier: "kyverno" } })).toBeGreaterThan(0);
    const claim = await db().verificationClaim.findFirst({ where: { verifier: "cosign" }, include: { artifact: true } });
    expect(claim?.artifact?.digest).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("a replay of all of them adds nothing", async () => {
    const before = {
      documents: await db().document.count(),
      ledger: await db().ledgerEntry.count(),
      signatures: await db().signature.count(),
    };
    for (const f of everyFixture()) {
      const { answer } = await f.run();
      expect(answer.accepted, f.name).toBe(0);
    }
    expect({
      documents: await db().document.count(),
      ledger: await db().ledgerEntry.count(),
      signatures: await db().signature.count(),
    }).toEqual(before);
    expect((await verifyLedger()).valid).toBe(true);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { listPolicies } from "@/lib/server/policies/list-policies";
import { parsePolicyBody, putPolicy } from "@/lib/server/policies/put-policy";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const actor = { kind: "system", name: "test" } as const;

const YAML = `environment: prod
requireDigestPinning: true
signatures:
  required: 1                  # how many of the signers below must have a verified signature
  signers: [release-key, github-release-workflow]
attestations:
  - predicateType: https://slsa.dev/provenance/v1
    builder: "^https://github\\\\.com/acme/.+$"
allowedRegistries: [registry.acme.dev]
movableTags: []
`;

describe("trust policies", () => {
  beforeEach(resetDatabase);

  it("accepts DESIGN.md's YAML document, stores it with a ledger entry, and lists it", async () => {
    const doc = parsePolicyBody({ body: Buffer.from(YAML), contentType: "application/yaml" });
    const policy = await putPolicy({ actor, environment: "prod", document: doc, source: YAML, now: new Date() });
    expect(policy.signatures).toEqual({ required: 1, signers: ["release-key", "github-release-workflow"] });
    expect(policy.attestations[0]?.builder).toBe("^https://github\\.com/acme/.+$");
    await putPolicy({
      actor,
      environment: "prod",
      document: { ...(doc as Record<string, unknown>), movableTags: ["latest"] },
      source: "{}",
      now: new Date(),
    });
    expect(
      await db().ledgerEntry.findMany({ where: { subject: "environment:prod" }, select: { kind: true }, orderBy: { sequence: "asc" } }),
    ).toEqual([{ kind: "policy.created" }, { kind: "policy.updated" }]);
    await db().environment.create({ data: { name: "dev" } });
    const items = await listPolicies();
    expect(items.map((i) => [i.environment, i.isDefault])).toEqual([
      ["dev", true],
      ["prod", false],
    ]);
    expect(items[1]?.policy.movableTags).toEqual(["latest"]);
  });

  it("refuses bad documents with the JSON path of each problem, and stores nothing", async () => {
    await expect(
      putPolicy({ actor, environment: "prod", document: { environment: "dev" }, source: "", now: new Date() }),
    ).rejects.toMatchObject({
      code: "unprocessable",
      extra: { errors: [{ path: "$.environment" }] },
    });
    await expect(
      putPolicy({ actor, environment: "prod", document: { signatures: { required: "one" }, colour: "red" }, source: "", now: new Date() }),
    ).rejects.toMatchObject({ code: "unprocessable" });
    expect(() => parsePolicyBody({ body: Buffer.from("a: [1, 2"), contentType: "application/yaml" })).toThrow(/not valid YAML/);
    expect(() => parsePolicyBody({ body: Buffer.from("a: !!binary AAAA"), contentType: "application/yaml" })).toThrow();
    expect(() => parsePolicyBody({ body: Buffer.from("x"), contentType: "text/plain" })).toThrow(/Content-Type/);
    expect(await db().trustPolicy.count()).toBe(0);
    expect(await db().ledgerEntry.count()).toBe(0);
  });
});

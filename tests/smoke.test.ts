import { beforeEach, describe, expect, it } from "vitest";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { createToken } from "@/lib/server/tokens/create-token";
import { resetDatabase, setupTestDatabase } from "./helpers/db";

const { db } = setupTestDatabase();
const admin = { kind: "system", name: "test" } as const;

describe("database harness", () => {
  beforeEach(resetDatabase);

  it("creates a token whose creation is in the ledger, and the ledger verifies", async () => {
    const token = await createToken({ actor: admin, input: { name: "ci", scopes: ["ingest"] }, now: new Date() });
    expect(token.secret).toMatch(/^vtr_/);
    expect(await db().apiToken.count()).toBe(1);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 1 });
  });

  it("starts each test empty", async () => {
    expect(await db().apiToken.count()).toBe(0);
    expect(await db().ledgerEntry.count()).toBe(0);
  });
});

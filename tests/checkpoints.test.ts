import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkpointMessage } from "@/lib/domain/checkpoint";
import { checkpointIfDue, createCheckpoint, getLatestCheckpoint } from "@/lib/server/ledger/create-checkpoint";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { fingerprintOf, resetSigningKeyForTests, verifyBytes } from "@/lib/server/signing/signing-key";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";
import { setTestEnv } from "./helpers/env";
import { appendEntries, withLedgerUnlocked } from "./helpers/ledger";

const { db } = setupTestDatabase();

describe("signed ledger checkpoints", () => {
  beforeAll(() => {
    setTestEnv({
      VITRINE_DATA_DIR: mkdtempSync(join(tmpdir(), "vitrine-cp-")),
      VITRINE_SIGNING_KEY_FILE: undefined,
      VITRINE_CHECKPOINT_INTERVAL_SECONDS: "300",
    });
    resetSigningKeyForTests();
  });
  beforeEach(async () => {
    await resetDatabase();
    resetSigningKeyForTests();
  });

  it("signs the head with Vitrine's Ed25519 key, and the signature verifies with the published key", async () => {
    await appendEntries(db(), 3);
    const cp = await createCheckpoint({ now: new Date() });
    expect(cp.sequence).toBe("3");
    const head = await db().ledgerEntry.findFirst({ where: { sequence: 3n } });
    expect(cp.headHash).toBe(head?.entryHash);
    const message = checkpointMessage({ sequence: 3n, headHash: cp.headHash, createdAt: new Date(cp.createdAt) });
    expect(verifyBytes(cp.publicKey, message, cp.signature)).toBe(true);
    expect(verifyBytes(cp.publicKey, Buffer.concat([message, Buffer.from(" ")]), cp.signature)).toBe(false);
    expect((await getLatestCheckpoint())?.id).toBe(cp.id);
    expect(await verifyLedger()).toMatchObject({ valid: true, checkpoints: { checked: 1, invalid: [] } });
  });

  it("writes a periodic checkpoint only when due and the ledger has grown", async () => {
    await appendEntries(db(), 2);
    const t0 = new Date();
    await checkpointIfDue({ now: t0 });
    expect(await db().ledgerCheckpoint.count()).toBe(1);
    await checkpointIfDue({ now: new Date(t0.getTime() + 1000) });
    expect(await db().ledgerCheckpoint.count()).toBe(1);
    await checkpointIfDue({ now: new Date(t0.getTime() + 301_000) });
    expect(await db().ledgerCheckpoint.count()).toBe(1); // not grown
    await appendEntries(db(), 1);
    await checkpointIfDue({ now: new Date(t0.getTime() + 302_000) });
    expect(await db().ledgerCheckpoint.count()).toBe(2);
  });

  it("detects an entry edited after a checkpoint signed it, even when the chain is recomputed consistently", async () => {
    await appendEntries(db(), 3);
    await createCheckpoint({ now: new Date() });
    // An attacker rewrites entry 3's hash to match an edited payload: the chain alone could be made
    // consistent again, but the signed head hash no longer matches.
    await withLedgerUnlocked((c) => c.query(`UPDATE ledger_entries SET entry_hash = 'sha256:${"0".repeat(64)}' WHERE sequence = 3`));
    const result = await verifyLedger();
    expect(result.valid).toBe(false);
    expect(result.firstBrokenSequence).toBe("3");
  });

  it("rejects a checkpoint signed by another key", async () => {
    await appendEntries(db(), 2);
    const head = (await db().ledgerEntry.findFirst({ where: { sequence: 2n } }))!;
    const other = generateKeyPairSync("ed25519");
    const pem = other.publicKey.export({ type: "spki", format: "pem" }).toString();
    const fingerprint = fingerprintOf(other.publicKey);
    const createdAt = new Date();
    const signature = sign(null, checkpointMessage({ sequence: 2n, headHash: head.entryHash, createdAt }), other.privateKey).toString(
      "base64",
    );
    await withPg(async (c) => {
      await c.query("INSERT INTO signing_keys (fingerprint, algorithm, public_key_pem) VALUES ($1, 'ed25519', $2)", [fingerprint, pem]);
      await c.query(
        "INSERT INTO ledger_checkpoints (id, sequence, head_hash, created_at, key_fingerprint, signature) VALUES (gen_random_uuid(), 2, $1, $2, $3, $4)",
        [head.entryHash, createdAt, fingerprint, signature],
      );
    });
    const result = await verifyLedger();
    expect(result.valid).toBe(false);
    expect(result.checkpoints.invalid[0]?.reason).toMatch(/not Vitrine's signing key/);
  });

  it("rejects a checkpoint whose signature was altered", async () => {
    await appendEntries(db(), 2);
    const cp = await createCheckpoint({ now: new Date() });
    const flipped = Buffer.from(cp.signature, "base64");
    flipped[0] = flipped[0]! ^ 1;
    await withPg(async (c) => {
      await c.query("ALTER TABLE ledger_checkpoints DISABLE TRIGGER USER");
      await c.query("UPDATE ledger_checkpoints SET signature = $1 WHERE id = $2", [flipped.toString("base64"), cp.id]);
      await c.query("ALTER TABLE ledger_checkpoints ENABLE TRIGGER USER");
    });
    const result = await verifyLedger();
    expect(result.valid).toBe(false);
    expect(result.checkpoints.invalid[0]?.reason).toMatch(/signature does not verify/);
  });

  it("refuses to change or remove a checkpoint", async () => {
    await appendEntries(db(), 1);
    const cp = await createCheckpoint({ now: new Date() });
    await withPg(async (c) => {
      await expect(c.query("DELETE FROM ledger_checkpoints WHERE id = $1", [cp.id])).rejects.toThrow(/append-only/);
      await expect(c.query("UPDATE ledger_checkpoints SET sequence = 0 WHERE id = $1", [cp.id])).rejects.toThrow(/append-only/);
    });
  });
});

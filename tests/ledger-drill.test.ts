// The ledger tamper drill of docs/ledger-drill.md, step by step: each edit is made the way an attacker with
// SQL access would (the append-only triggers lifted), and `npx vitrine ledger verify` (a real process, as the
// drill runs it) must exit 1 and name the entry; an intact ledger exits 0.
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkpointMessage } from "@/lib/domain/checkpoint";
import { createCheckpoint } from "@/lib/server/ledger/create-checkpoint";
import { fingerprintOf, resetSigningKeyForTests } from "@/lib/server/signing/signing-key";
import { runVitrine } from "./helpers/cli";
import { databaseKind, resetDatabase, setupTestDatabase, withPg } from "./helpers/db";
import { setTestEnv } from "./helpers/env";
import { appendEntries, withLedgerUnlocked } from "./helpers/ledger";

const { db } = setupTestDatabase();
const DATA_DIR = mkdtempSync(join(tmpdir(), "vitrine-drill-"));

type Verification = {
  valid: boolean;
  entries: number;
  firstBrokenSequence: string | null;
  reason: string | null;
  checkpoints: { checked: number; invalid: Array<{ sequence: string; reason: string }> };
};

async function ledgerVerify(): Promise<{ code: number | null; result: Verification; stderr: string }> {
  const run = await runVitrine(["ledger", "verify"], { env: { VITRINE_DATA_DIR: DATA_DIR } });
  try {
    return { code: run.code, result: JSON.parse(run.stdout) as Verification, stderr: run.stderr };
  } catch {
    throw new Error(`ledger verify printed no JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

// The embedded database is one process's file: the CLI cannot open it while the tests hold it.
describe.skipIf(databaseKind() === "embedded")("ledger tamper drill (docs/ledger-drill.md)", () => {
  beforeAll(() => {
    setTestEnv({ VITRINE_DATA_DIR: DATA_DIR, VITRINE_SIGNING_KEY_FILE: undefined });
    resetSigningKeyForTests();
  });
  beforeEach(async () => {
    await resetDatabase();
    resetSigningKeyForTests(); // its public half is in signing_keys, which the reset emptied
    await appendEntries(db(), 5);
  });

  it("an intact ledger: exit 0", async () => {
    const run = await ledgerVerify();
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ valid: true, entries: 5, firstBrokenSequence: null });
  });

  it("1. an edited entry is named", async () => {
    await withLedgerUnlocked((c) => c.query(`UPDATE ledger_entries SET payload = '{"forged": true}' WHERE sequence = 3`));
    const run = await ledgerVerify();
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ valid: false, firstBrokenSequence: "3" });
    expect(run.stderr).toContain("ledger broken at entry 3");
  });

  it("2. a deleted entry is named by the gap it leaves", async () => {
    await withLedgerUnlocked((c) => c.query(`DELETE FROM ledger_entries WHERE sequence = 3`));
    const run = await ledgerVerify();
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ valid: false, firstBrokenSequence: "3" });
  });

  it("3. two entries swapped in place: the first of them is named", async () => {
    await withLedgerUnlocked(async (c) => {
      await c.query("CREATE TEMP TABLE moved AS SELECT * FROM ledger_entries WHERE sequence IN (2, 3)");
      await c.query("DELETE FROM ledger_entries WHERE sequence IN (2, 3)");
      await c.query(
        `INSERT INTO ledger_entries (sequence, kind, actor, subject, document_id, payload, prev_hash, entry_hash, created_at)
         SELECT 5 - sequence, kind, actor, subject, document_id, payload, prev_hash, entry_hash, created_at FROM moved`,
      );
    });
    const run = await ledgerVerify();
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ valid: false, firstBrokenSequence: "2" });
  });

  it("4. a checkpoint signed by another key is rejected", async () => {
    await createCheckpoint({ now: new Date() }); // Vitrine's own key exists and signs the head
    const head = await db().ledgerEntry.findFirstOrThrow({ where: { sequence: 5n } });
    const attacker = generateKeyPairSync("ed25519");
    const fingerprint = fingerprintOf(attacker.publicKey);
    const createdAt = new Date();
    const signature = sign(null, checkpointMessage({ sequence: 5n, headHash: head.entryHash, createdAt }), attacker.privateKey);
    await withPg(async (c) => {
      await c.query("INSERT INTO signing_keys (fingerprint, algorithm, public_key_pem) VALUES ($1, 'ed25519', $2)", [
        fingerprint,
        attacker.publicKey.export({ type: "spki", format: "pem" }).toString(),
      ]);
      await c.query(
        "INSERT INTO ledger_checkpoints (id, sequence, head_hash, created_at, key_fingerprint, signature) VALUES (gen_random_uuid(), 5, $1, $2, $3, $4)",
        [head.entryHash, createdAt, fingerprint, signature.toString("base64")],
      );
    });
    const run = await ledgerVerify();
    expect(run.code).toBe(1);
    expect(run.result.valid).toBe(false);
    expect(run.result.checkpoints.invalid).toEqual([
      expect.objectContaining({ sequence: "5", reason: expect.stringMatching(/not Vitrine's signing key/) }),
    ]);
  });

  it("5. the last entry deleted after a checkpoint: the chain is shorter but consistent, the checkpoint catches it", async () => {
    await createCheckpoint({ now: new Date() });
    expect((await ledgerVerify()).code).toBe(0);
    await withLedgerUnlocked((c) => c.query(`DELETE FROM ledger_entries WHERE sequence = (SELECT max(sequence) FROM ledger_entries)`));
    const run = await ledgerVerify();
    expect(run.code).toBe(1);
    expect(run.result.checkpoints.invalid).toEqual([
      expect.objectContaining({ sequence: "5", reason: expect.stringMatching(/does not exist/) }),
    ]);
  });
});

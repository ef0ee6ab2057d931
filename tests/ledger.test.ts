// The evidence ledger: hash-chained, append-only in the database, and verifiable even against
// someone who bypasses the append-only trigger.
import { beforeEach, describe, expect, it } from "vitest";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { GENESIS_HASH, hashLedgerEntry } from "@/lib/domain/ledger";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";
import { listLedgerEntries } from "@/lib/server/ledger/list-ledger-entries";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";
import { appendEntries, withLedgerUnlocked } from "./helpers/ledger";

const { db } = setupTestDatabase();

const rows = () => db().ledgerEntry.findMany({ orderBy: { sequence: "asc" } });

describe("ledger", () => {
  beforeEach(resetDatabase);

  it("verifies an empty ledger", async () => {
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 0, firstBrokenSequence: null, reason: null });
  });

  it("chains entries from genesis: sequence 1..n, each linked to the one before", async () => {
    await appendEntries(db(), 5);
    const entries = await rows();
    expect(entries.map((e) => e.sequence)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.entryHash);
    for (const e of entries) {
      expect(e.entryHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The stored hash is the hash of what was stored (read back from Postgres).
      expect(hashLedgerEntry({ ...e, payload: e.payload as JsonValue })).toBe(e.entryHash);
    }
    expect(new Set(entries.map((e) => e.entryHash)).size).toBe(5);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 5, firstBrokenSequence: null, reason: null });
  });

  it("stores what it was given and hashes the millisecond time Postgres keeps", async () => {
    const now = new Date("2026-11-25T10:00:00.123Z");
    const created = await db().$transaction((tx) =>
      appendLedgerEntry(tx, {
        kind: "user.created",
        actor: "user:0193b0a4-0000-7000-8000-000000000001",
        subject: "user:x",
        payload: { email: "a@example.com", nested: { z: 1, a: [true, null, "é"] } },
        now,
      }),
    );
    const [stored] = await rows();
    expect(stored).toMatchObject({
      sequence: 1n,
      kind: "user.created",
      actor: "user:0193b0a4-0000-7000-8000-000000000001",
      subject: "user:x",
      documentId: null,
      payload: { email: "a@example.com", nested: { z: 1, a: [true, null, "é"] } },
      createdAt: now,
      entryHash: created.entryHash,
    });
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 1 });
  });

  it("is not written when the transaction that records a change rolls back", async () => {
    await appendEntries(db(), 1);
    await expect(
      db().$transaction(async (tx) => {
        await appendLedgerEntry(tx, { kind: "x", actor: "system:test", payload: {}, now: new Date() });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await db().ledgerEntry.count()).toBe(1);
    // The next entry takes the free sequence number: no gap.
    await appendEntries(db(), 1);
    expect((await rows()).map((e) => e.sequence)).toEqual([1n, 2n]);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 2 });
  });

  describe("the database refuses changes", () => {
    beforeEach(() => appendEntries(db(), 3));

    it.each([
      ["UPDATE", `UPDATE "ledger_entries" SET "kind" = 'forged' WHERE "sequence" = 2`],
      ["DELETE", `DELETE FROM "ledger_entries" WHERE "sequence" = 3`],
      ["TRUNCATE", `TRUNCATE "ledger_entries"`],
    ])("%s is refused", async (op, sql) => {
      const error = await withPg((c) => c.query(sql)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(`ledger_entries is append-only: ${op} refused`);
      expect((error as { code?: string }).code).toBe("42501");
      expect(await db().ledgerEntry.count()).toBe(3);
      expect((await rows())[1]?.kind).toBe("test.entry");
    });

    it("refuses changes through Prisma too", async () => {
      const [first] = await rows();
      const key = { sequence: 1n, createdAt: (first as NonNullable<typeof first>).createdAt };
      await expect(db().ledgerEntry.update({ where: { sequence_createdAt: key }, data: { kind: "forged" } })).rejects.toThrow(
        /append-only/,
      );
      await expect(db().ledgerEntry.deleteMany({})).rejects.toThrow(/append-only/);
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 3 });
    });

    it("refuses a duplicate sequence or entry hash (no fork can be inserted)", async () => {
      const [first, second, head] = await rows();
      const fork = { ...(first as NonNullable<typeof first>), payload: { forged: true } };
      await expect(db().ledgerEntry.create({ data: { ...fork, payload: fork.payload } })).rejects.toThrow();
      await expect(db().ledgerEntry.create({ data: { ...fork, sequence: 99n, payload: fork.payload } })).rejects.toThrow(); // same entry_hash
      // The table is partitioned by month and its keys include the month: the same sequence or entry hash
      // dated in another month (another partition) is refused all the same.
      const otherMonth = new Date(head!.createdAt.getTime() + 40 * 86_400_000);
      const next = { ...head!, sequence: 4n, prevHash: head!.entryHash, entryHash: `sha256:${"e".repeat(64)}`, createdAt: otherMonth };
      const attempts = {
        "a taken sequence, in another month": { ...fork, createdAt: otherMonth },
        "a taken entry hash, extending the head in another month": { ...next, entryHash: second!.entryHash },
        "a fork: a second successor of entry 1": { ...second!, entryHash: next.entryHash, createdAt: otherMonth },
        "a gap in the sequence": { ...next, sequence: 5n },
        "a successor of the head that names another previous hash": { ...next, prevHash: second!.entryHash },
      };
      for (const [what, row] of Object.entries(attempts)) {
        const error = await withPg((c) =>
          c.query(
            `INSERT INTO "ledger_entries" ("sequence", "kind", "actor", "subject", "document_id", "payload", "prev_hash", "entry_hash", "created_at")
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [row.sequence, row.kind, row.actor, row.subject, row.documentId, { forged: what }, row.prevHash, row.entryHash, row.createdAt],
          ),
        ).catch((e: unknown) => e);
        expect(error, what).toBeInstanceOf(Error);
        expect(String((error as Error).message), what).toMatch(
          /ledger_entries: (sequence .* is taken|entry .* does not extend the head|entry hash .* is taken)/,
        );
      }
      expect(await db().ledgerEntry.count()).toBe(3);
      // What the database checks is the link, not the hash (verifyLedger recomputes that): the true successor goes in.
      await db().ledgerEntry.create({ data: { ...next, payload: { i: 3 } } });
      expect((await rows()).map((e) => e.sequence)).toEqual([1n, 2n, 3n, 4n]);
    });
  });

  describe("verifyLedger detects edits made with the trigger disabled", () => {
    beforeEach(() => appendEntries(db(), 6));

    it("an edited payload, naming that entry", async () => {
      await withLedgerUnlocked((c) =>
        c.query(`UPDATE "ledger_entries" SET "payload" = '{"i": 99, "note": "entry 3"}' WHERE "sequence" = 4`),
      );
      expect(await verifyLedger()).toMatchObject({
        valid: false,
        entries: 3,
        firstBrokenSequence: "4",
        reason: "entry content does not match its hash",
      });
    });

    it("raises no false alarm when the same content is rewritten in another key order", async () => {
      await withLedgerUnlocked((c) =>
        c.query(`UPDATE "ledger_entries" SET "payload" = '{"note": "entry 3", "i": 3}' WHERE "sequence" = 4`),
      );
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 6 });
    });

    it("an edited time, actor or subject", async () => {
      await withLedgerUnlocked((c) =>
        c.query(`UPDATE "ledger_entries" SET "created_at" = "created_at" + interval '1 millisecond' WHERE "sequence" = 2`),
      );
      expect(await verifyLedger()).toMatchObject({ valid: false, firstBrokenSequence: "2" });
      await withLedgerUnlocked((c) =>
        c.query(`UPDATE "ledger_entries" SET "created_at" = "created_at" - interval '1 millisecond' WHERE "sequence" = 2`),
      );
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 6 });
      await withLedgerUnlocked((c) => c.query(`UPDATE "ledger_entries" SET "actor" = 'system:someone-else' WHERE "sequence" = 5`));
      expect(await verifyLedger()).toMatchObject({ valid: false, firstBrokenSequence: "5" });
    });

    it("an edit whose hash was recomputed, by the next entry's broken link", async () => {
      const [, , third] = await rows();
      const forged = { ...(third as NonNullable<typeof third>), payload: { i: 2, note: "forged" } };
      const forgedHash = hashLedgerEntry(forged);
      await withLedgerUnlocked((c) =>
        c.query(`UPDATE "ledger_entries" SET "payload" = $1, "entry_hash" = $2 WHERE "sequence" = 3`, [
          JSON.stringify(forged.payload),
          forgedHash,
        ]),
      );
      expect(await verifyLedger()).toMatchObject({
        valid: false,
        entries: 3,
        firstBrokenSequence: "4",
        reason: "previous-hash link does not match the entry before it",
      });
    });

    it("a deleted middle entry, naming the missing sequence", async () => {
      await withLedgerUnlocked((c) => c.query(`DELETE FROM "ledger_entries" WHERE "sequence" = 3`));
      expect(await verifyLedger()).toMatchObject({
        valid: false,
        entries: 2,
        firstBrokenSequence: "3",
        reason: "entry 3 is missing (found 4 next)",
      });
    });

    it("a deleted first entry", async () => {
      await withLedgerUnlocked((c) => c.query(`DELETE FROM "ledger_entries" WHERE "sequence" = 1`));
      expect(await verifyLedger()).toMatchObject({ valid: false, entries: 0, firstBrokenSequence: "1" });
    });

    it("a deleted last entry is the one edit a chain alone cannot see (signed checkpoints cover it)", async () => {
      await withLedgerUnlocked((c) => c.query(`DELETE FROM "ledger_entries" WHERE "sequence" = 6`));
      expect(await verifyLedger()).toMatchObject({ valid: true, entries: 5 });
    });

    it("two entries' content swapped", async () => {
      await withLedgerUnlocked(async (c) => {
        await c.query("BEGIN");
        // Swap everything but the sequence numbers, through a parking sequence.
        await c.query(`UPDATE "ledger_entries" SET "sequence" = -1 WHERE "sequence" = 2`);
        await c.query(`UPDATE "ledger_entries" SET "sequence" = 2 WHERE "sequence" = 5`);
        await c.query(`UPDATE "ledger_entries" SET "sequence" = 5 WHERE "sequence" = -1`);
        await c.query("COMMIT");
      });
      expect((await rows()).map((e) => e.sequence)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
      expect(await verifyLedger()).toMatchObject({ valid: false, entries: 1, firstBrokenSequence: "2" });
    });

    it("names the first of several broken entries", async () => {
      await withLedgerUnlocked(async (c) => {
        await c.query(`UPDATE "ledger_entries" SET "kind" = 'forged' WHERE "sequence" IN (5, 3)`);
      });
      expect(await verifyLedger()).toMatchObject({ valid: false, entries: 2, firstBrokenSequence: "3" });
    });

    it("re-enables the trigger after tampering (the helper does not leave the door open)", async () => {
      await withLedgerUnlocked((c) => c.query("SELECT 1"));
      await expect(withPg((c) => c.query(`DELETE FROM "ledger_entries"`))).rejects.toThrow(/append-only/);
    });
  });

  it("verifies across pages (more than one page of 2,000 entries) and finds a break on a later page", async () => {
    // Written directly with a valid chain, to keep the test fast; verifyLedger does not care how.
    const total = 2_105;
    const start = Date.UTC(2026, 0, 1);
    let prevHash = GENESIS_HASH;
    const values: unknown[][] = [];
    for (let i = 1; i <= total; i++) {
      const content = {
        sequence: BigInt(i),
        kind: "bulk",
        actor: "system:test",
        subject: null,
        documentId: null,
        payload: { i },
        prevHash,
        createdAt: new Date(start + i),
      };
      const entryHash = hashLedgerEntry(content);
      values.push([i, JSON.stringify(content.payload), prevHash, entryHash, content.createdAt]);
      prevHash = entryHash;
    }
    await withPg(async (c) => {
      for (let i = 0; i < values.length; i += 500) {
        const chunk = values.slice(i, i + 500);
        const params = chunk.flat();
        const tuples = chunk.map(
          (_, j) => `($${j * 5 + 1}, 'bulk', 'system:test', NULL, NULL, $${j * 5 + 2}::jsonb, $${j * 5 + 3}, $${j * 5 + 4}, $${j * 5 + 5})`,
        );
        await c.query(
          `INSERT INTO "ledger_entries" ("sequence", "kind", "actor", "subject", "document_id", "payload", "prev_hash", "entry_hash", "created_at") VALUES ${tuples.join(", ")}`,
          params,
        );
      }
    });
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: total, firstBrokenSequence: null, reason: null });
    // The chain continues from the bulk head through the normal path.
    await appendEntries(db(), 1);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: total + 1 });
    await withLedgerUnlocked((c) => c.query(`UPDATE "ledger_entries" SET "payload" = '{"i": 0}' WHERE "sequence" = 2050`));
    expect(await verifyLedger()).toMatchObject({ valid: false, entries: 2049, firstBrokenSequence: "2050" });
  });

  it("50 concurrent appends make a gap-free, fork-free chain that verifies", async () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db().$transaction(
          (tx) =>
            appendLedgerEntry(tx, { kind: "concurrent", actor: "system:test", subject: `n:${i}`, payload: { i }, now: new Date(now + i) }),
          { maxWait: 30_000, timeout: 30_000 },
        ),
      ),
    );
    const entries = await rows();
    expect(entries.map((e) => e.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
    // Every append is there exactly once, and no two entries claim the same predecessor.
    expect(new Set(entries.map((e) => e.subject)).size).toBe(50);
    expect(new Set(entries.map((e) => e.prevHash)).size).toBe(50);
    expect(await verifyLedger()).toMatchObject({ valid: true, entries: 50, firstBrokenSequence: null, reason: null });
  });

  it("lists entries newest first with a cursor", async () => {
    await appendEntries(db(), 5);
    const first = await listLedgerEntries({ limit: 2 });
    expect(first.items.map((e) => e.sequence)).toEqual(["5", "4"]);
    expect(first.nextCursor).toBe("4");
    const second = await listLedgerEntries({ limit: 2, cursor: 4n });
    expect(second.items.map((e) => e.sequence)).toEqual(["3", "2"]);
    const last = await listLedgerEntries({ limit: 2, cursor: 2n });
    expect(last.items.map((e) => e.sequence)).toEqual(["1"]);
    expect(last.nextCursor).toBeNull();
    expect((await listLedgerEntries({ limit: 10, kind: "nope" })).items).toEqual([]);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { partitionName } from "@/lib/db/partitions";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";
import { resetDatabase, setupTestDatabase, withPg } from "./helpers/db";

const { db } = setupTestDatabase();

describe("evidence tables refuse changes by privilege, not only by trigger", () => {
  beforeEach(async () => {
    await resetDatabase();
    await db().$transaction((tx) => appendLedgerEntry(tx, { kind: "test", actor: "system:test", payload: { n: 1 }, now: new Date() }));
  });

  it("the app role may read and append ledger entries", async () => {
    await withPg(async (c) => {
      // Always RESET: the embedded server multiplexes connections onto one session.
      await c.query("SET ROLE vitrine_app");
      try {
        const { rows } = await c.query("SELECT count(*)::int AS n FROM ledger_entries");
        expect(rows[0].n).toBe(1);
        // The database lets in only an entry that extends the head (the ledger is partitioned by month, and
        // that trigger is what keeps sequence and hash unique across partitions).
        await c.query(
          "INSERT INTO ledger_entries SELECT sequence + 1, kind, actor, subject, document_id, payload, entry_hash, entry_hash || 'x', created_at FROM ledger_entries",
        );
      } finally {
        await c.query("RESET ROLE");
      }
    });
    expect(await db().ledgerEntry.count()).toBe(2);
  });

  // The ledger and the document bodies are partitioned by month: each partition is refused too.
  const month = partitionName("ledger_entries", new Date());
  const bodies = partitionName("document_bodies", new Date());
  it.each([
    "UPDATE ledger_entries SET kind = 'edited'",
    "DELETE FROM ledger_entries",
    "TRUNCATE ledger_entries",
    "DELETE FROM documents",
    `UPDATE ${month} SET kind = 'edited'`,
    `DELETE FROM ${month}`,
    `TRUNCATE ${month}`,
    "DELETE FROM ledger_entries_default",
    "UPDATE document_bodies SET body = ''",
    "DELETE FROM document_bodies",
    "TRUNCATE document_bodies",
    `DELETE FROM ${bodies}`,
    `TRUNCATE ${bodies}`,
  ])("the app role is refused %s even with the guard trigger disabled", async (statement) => {
    await withPg(async (c) => {
      await c.query("ALTER TABLE ledger_entries DISABLE TRIGGER USER");
      try {
        await c.query("SET ROLE vitrine_app");
        await expect(c.query(statement)).rejects.toThrow(/permission denied|must be owner/);
      } finally {
        await c.query("RESET ROLE");
        await c.query("ALTER TABLE ledger_entries ENABLE TRIGGER USER");
      }
    });
    expect(await db().ledgerEntry.count()).toBe(1);
  });

  it("the owner is refused by the trigger", async () => {
    await withPg(async (c) => {
      await expect(c.query("UPDATE ledger_entries SET kind = 'edited'")).rejects.toThrow(/append-only/);
      await expect(c.query("DELETE FROM ledger_entries")).rejects.toThrow(/append-only/);
      await expect(c.query("TRUNCATE ledger_entries")).rejects.toThrow(/append-only/);
      // A partition on its own: TRUNCATE triggers are not inherited, each partition has its own.
      await expect(c.query(`UPDATE ${month} SET kind = 'edited'`)).rejects.toThrow(/append-only/);
      await expect(c.query(`TRUNCATE ${month}`)).rejects.toThrow(/append-only/);
      await expect(c.query("TRUNCATE ledger_entries_default")).rejects.toThrow(/append-only/);
      await expect(c.query(`TRUNCATE ${bodies}`)).rejects.toThrow(/append-only/);
      await expect(c.query("TRUNCATE document_bodies_default")).rejects.toThrow(/append-only/);
    });
    expect(await db().ledgerEntry.count()).toBe(1);
  });
});

// Ledger helpers: appending through the real code path, and editing rows the way an attacker with
// SQL access would (the append-only trigger lifted for the edit, then restored).
import type pg from "pg";
import type { Db } from "@/lib/db/client";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";
import { withPg } from "./db";

export async function appendEntries(db: Db, count: number, options: { kind?: string; start?: Date } = {}): Promise<void> {
  const start = options.start?.getTime() ?? Date.UTC(2026, 10, 25, 10, 0, 0);
  for (let i = 0; i < count; i++) {
    await db.$transaction((tx) =>
      appendLedgerEntry(tx, {
        kind: options.kind ?? "test.entry",
        actor: "system:test",
        subject: `thing:${i}`,
        payload: { i, note: `entry ${i}` } as JsonValue,
        now: new Date(start + i * 1000),
      }),
    );
  }
}

/** Runs `fn` with the ledger's user triggers disabled, re-enabling them whatever happens. */
export async function withLedgerUnlocked<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return withPg(async (c) => {
    await c.query(`ALTER TABLE "ledger_entries" DISABLE TRIGGER USER`);
    try {
      return await fn(c);
    } finally {
      await c.query(`ALTER TABLE "ledger_entries" ENABLE TRIGGER USER`);
    }
  });
}

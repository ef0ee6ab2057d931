import "server-only";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { type Sql, withTransaction } from "@/lib/db/sql";
import { DEFAULT_ESCALATION, type EscalationTimes } from "@/lib/domain/notifications";
import { appendLedgerEntriesSql, lockLedgerSql } from "@/lib/server/ledger/append-ledger-entry";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { ESCALATION_SETTING, type EscalationAnswer, ZEscalationTimes } from "./schemas";

async function readRow(sql: Sql): Promise<{ times: EscalationTimes; updatedAt: string | null }> {
  const [row] = await sql.query<{ value: unknown; updated_at: Date | string }>(`SELECT value, updated_at FROM settings WHERE key = $1`, [
    ESCALATION_SETTING,
  ]);
  // A stored value that no longer parses falls back to the defaults rather than stopping escalation.
  const parsed = ZEscalationTimes.partial().safeParse(row?.value ?? {});
  const times = { ...DEFAULT_ESCALATION, ...(parsed.success ? parsed.data : {}) };
  return { times, updatedAt: row ? new Date(row.updated_at).toISOString() : null };
}

/** The escalation time per severity (minutes, null: never), from Settings or the defaults. */
export async function readEscalationTimes(sql: Sql): Promise<EscalationTimes> {
  return (await readRow(sql)).times;
}

export async function getEscalationSettings(): Promise<EscalationAnswer> {
  const { times, updatedAt } = await readRow(poolSql());
  return { times, defaults: DEFAULT_ESCALATION, updatedAt };
}

/** Replaces the escalation times; a change is a ledger entry, identical times change nothing. */
export async function putEscalationSettings(options: {
  actor: Actor;
  times: EscalationTimes;
  now: Date;
}): Promise<EscalationAnswer & { changed: boolean }> {
  const times = ZEscalationTimes.parse(options.times);
  return withTransaction(async (sql) => {
    // Taken first, so "previous" in the ledger is what this change really replaced.
    await lockLedgerSql(sql);
    const before = await readRow(sql);
    if (before.updatedAt && JSON.stringify(before.times) === JSON.stringify({ ...before.times, ...times })) {
      return { times: before.times, defaults: DEFAULT_ESCALATION, updatedAt: before.updatedAt, changed: false };
    }
    await sql.query(
      `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, $3::timestamptz)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [ESCALATION_SETTING, JSON.stringify(times), options.now.toISOString()],
    );
    await appendLedgerEntriesSql(
      sql,
      [
        {
          kind: "notifications.escalation.updated",
          actor: actorRef(options.actor),
          subject: `setting:${ESCALATION_SETTING}`,
          payload: { times, previous: before.times },
          now: options.now,
        },
      ],
      { locked: true },
    );
    return { times, defaults: DEFAULT_ESCALATION, updatedAt: options.now.toISOString(), changed: true };
  });
}

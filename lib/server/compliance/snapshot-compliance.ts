import "server-only";
import type { Sql } from "@/lib/db/sql";
import { addDays, startOfUtcDay, utcDay } from "@/lib/domain/compliance-window";
import { activeInWindow, countColumns } from "./definitions";

// Daily compliance snapshots (job kind "compliance.snapshot", queued hourly by the background duties):
// for every environment, yesterday's and today's six counts over the UTC day [day, day + 1), upserted
// so that running it again only refreshes them. Yesterday is recomputed until today ends, so its
// final row is written after the day is over; older rows are never touched again and keep the
// verdicts of their time.

const dayStart = (day: string) => `(${day}::timestamp AT TIME ZONE 'UTC')`;

/** Upserts the snapshots of `days` (default: yesterday and today, UTC) for every environment; returns the rows written. */
export async function snapshotCompliance(sql: Sql, options: { now: Date; days?: string[] }): Promise<{ days: string[]; rows: number }> {
  const today = startOfUtcDay(options.now);
  const days = options.days ?? [utcDay(addDays(today, -1)), utcDay(today)];
  const rows = await sql.query<{ environment: string }>(
    `INSERT INTO compliance_snapshots (environment, day, total, pinned, verified_signature, verified_provenance, admitted, compliant, computed_at)
     SELECT c.environment, c.day, c."total", c."pinned", c."verifiedSignature", c."verifiedProvenance", c."admitted", c."compliant", $2::timestamptz
       FROM (SELECT e.name AS environment, dd.day,
                    ${countColumns({ environment: "e.name" })}
               FROM environments e
              CROSS JOIN unnest($1::date[]) AS dd(day)
               LEFT JOIN deployments d
                 ON d.environment_id = e.id
                AND ${activeInWindow({ from: dayStart("dd.day"), to: dayStart("(dd.day + 1)") })}
              WHERE e.deleted_at IS NULL
              GROUP BY e.name, dd.day) c
     ON CONFLICT (environment, day) DO UPDATE
        SET total = EXCLUDED.total, pinned = EXCLUDED.pinned, verified_signature = EXCLUDED.verified_signature,
            verified_provenance = EXCLUDED.verified_provenance, admitted = EXCLUDED.admitted, compliant = EXCLUDED.compliant,
            computed_at = EXCLUDED.computed_at
     RETURNING environment`,
    [days, options.now.toISOString()],
  );
  return { days, rows: rows.length };
}

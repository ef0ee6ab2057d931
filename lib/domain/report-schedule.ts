// When scheduled reports run and what they cover (docs/reports.md). Weekly reports run on Mondays at
// 06:00 UTC and cover the seven days before; monthly ones on the 1st at 06:00 UTC and cover the
// calendar month before. Pure: the caller passes the time.

export type ReportCadence = "weekly" | "monthly";

const RUN_HOUR_UTC = 6;

/** The first run strictly after `after`. */
export function nextReportRun(cadence: ReportCadence, after: Date): Date {
  if (cadence === "weekly") {
    const d = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), RUN_HOUR_UTC));
    // Monday is 1; step forward to the next Monday at 06:00 that is later than `after`.
    while (d.getUTCDay() !== 1 || d <= after) d.setUTCDate(d.getUTCDate() + 1);
    return d;
  }
  const first = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), 1, RUN_HOUR_UTC));
  return first > after ? first : new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth() + 1, 1, RUN_HOUR_UTC));
}

/** The period a run covers: [from, to), ending at midnight UTC of the run's day. */
export function reportPeriod(cadence: ReportCadence, runAt: Date): { from: Date; to: Date } {
  const to = new Date(Date.UTC(runAt.getUTCFullYear(), runAt.getUTCMonth(), runAt.getUTCDate()));
  if (cadence === "weekly") return { from: new Date(to.getTime() - 7 * 86_400_000), to };
  const monthStart = new Date(Date.UTC(runAt.getUTCFullYear(), runAt.getUTCMonth(), 1));
  return { from: new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() - 1, 1)), to: monthStart };
}

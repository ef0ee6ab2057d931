"use client";

// The compliance trend (Recharts): the share of deployments meeting each measure, per UTC day. The
// chart is a picture for sighted readers; its summary and the table under "Show the numbers" say the
// same for everyone else.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import styles from "./compliance.module.css";
import { MEASURES, type MeasureKey, percent } from "./compliance-links";

export type TrendDay = { day: string; source: "snapshot" | "live" } & Record<MeasureKey, number>;

const SERIES: Array<{ key: Exclude<MeasureKey, "total">; color: string; dash?: string; width: number }> = [
  { key: "compliant", color: "#1f5fbf", width: 3 },
  { key: "pinned", color: "#8a5a00", dash: "6 3", width: 2 },
  { key: "verifiedSignature", color: "#1b7a3d", width: 2 },
  { key: "verifiedProvenance", color: "#7a3db8", dash: "2 3", width: 2 },
  { key: "admitted", color: "#5b6472", dash: "8 3 2 3", width: 2 },
];

const AXIS = { fontSize: 12, fill: "#5b6472" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-11-26" -> "26 Nov" (the axis); the tooltip and the table show the full date. */
function shortDay(day: string): string {
  return `${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1] ?? ""}`;
}

/** A day as charted: the share per measure (null on a day without deployments) and the counts behind it. */
type Point = { day: string; total: number; counts: TrendDay } & Partial<Record<MeasureKey, number | null>>;

function TrendTooltip({ active, payload, label }: { active?: boolean; payload?: Array<{ payload: Point }>; label?: string }) {
  const point = payload?.[0]?.payload;
  if (!active || !point) return null;
  return (
    <div className={styles.tooltip}>
      <strong>{label}</strong>
      <div className="muted">
        {point.total.toLocaleString("en")} deployment{point.total === 1 ? "" : "s"}
      </div>
      {point.total > 0 ? (
        <ul>
          {SERIES.map((s) => (
            <li key={s.key}>
              <span className={styles.swatch} style={{ background: s.color }} aria-hidden="true" /> {MEASURES[s.key].label}:{" "}
              <strong>{percent(point.counts[s.key], point.total)}</strong> ({point.counts[s.key]} of {point.total})
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function ComplianceTrend({ days, environment }: { days: TrendDay[]; environment: string }) {
  const data: Point[] = days.map((d) => ({
    day: d.day,
    total: d.total,
    counts: d,
    ...Object.fromEntries(SERIES.map((s) => [s.key, d.total ? Math.round((d[s.key] / d.total) * 1000) / 10 : null])),
  }));
  const last = [...days].reverse().find((d) => d.total > 0);
  const snapshots = days.filter((d) => d.source === "snapshot").length;
  const summary = last
    ? `On ${last.day}, ${percent(last.compliant, last.total)} of ${last.total} deployment${last.total === 1 ? "" : "s"} in ${environment} passed the policy (${SERIES.filter(
        (s) => s.key !== "compliant",
      )
        .map((s) => `${MEASURES[s.key].short.toLowerCase()} ${percent(last[s.key], last.total)}`)
        .join(", ")}).`
    : `No deployments in ${environment} on any day of this window.`;
  return (
    <figure className={styles.figure}>
      <figcaption className={styles.chartSummary} data-testid="trend-summary">
        {summary}
      </figcaption>
      <div className={styles.chart} aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height: 300 }}>
          <LineChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 12, bottom: 4, left: -8 }}>
            <CartesianGrid vertical={false} stroke="#e6e9ee" />
            <XAxis dataKey="day" tickFormatter={shortDay} tick={AXIS} interval="preserveStartEnd" minTickGap={24} />
            <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={(v: number) => `${v}%`} tick={AXIS} width={48} />
            <Tooltip content={<TrendTooltip />} />
            <Legend wrapperStyle={{ fontSize: 12, paddingTop: 4 }} itemSorter={null} />
            {SERIES.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={MEASURES[s.key].label}
                stroke={s.color}
                strokeWidth={s.width}
                strokeDasharray={s.dash}
                dot={days.length <= 31 ? { r: 2 } : false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details className={styles.dataTable}>
        <summary>Show the numbers</summary>
        <div className={styles.tableScroll}>
          <table>
            <caption className={styles.srOnly}>Deployments in {environment} per day (UTC), and how many met each measure</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">Deployments</th>
                {SERIES.map((s) => (
                  <th scope="col" key={s.key}>
                    {MEASURES[s.key].label}
                  </th>
                ))}
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td>{d.total}</td>
                  {SERIES.map((s) =>
                    d.total ? (
                      <td key={s.key}>
                        {d[s.key]} <span className="muted">({percent(d[s.key], d.total)})</span>
                      </td>
                    ) : (
                      <td key={s.key} className="muted">
                        –
                      </td>
                    ),
                  )}
                  <td>{d.source === "snapshot" ? "daily snapshot" : "computed now"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">
          {snapshots
            ? `${snapshots} of ${days.length} days come from the daily snapshot taken at the time; the others (always yesterday and today) are computed now from current verdicts.`
            : "Every day is computed now from current verdicts (no daily snapshot covers this window yet)."}
        </p>
      </details>
    </figure>
  );
}

"use client";

// The Overview's alert charts (Recharts). Each chart is a picture for sighted readers; its text
// summary and its data table (under "Show the numbers") say the same for everyone else.
import { type ReactNode, useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { AlertDay, AlertStats } from "@/lib/server/alerts/alert-stats";
import styles from "./alerts.module.css";
import { formatDuration } from "./format";

const INITIAL = { width: 520, height: 220 };
const AXIS = { fontSize: 12, fill: "#5b6472" };

const shortDay = (day: string) => day.slice(5);

/**
 * The chart is drawn after hydration only: its size comes from the browser, and SVG ids made on the
 * server would not match the browser's. The box keeps its height, so nothing moves when it appears.
 */
function ChartBox({ children }: { children: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <div className={styles.chart} aria-hidden="true">
      {mounted ? children : null}
    </div>
  );
}

function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: Array<Array<string | number>> }) {
  return (
    <details className={styles.dataTable}>
      <summary>Show the numbers</summary>
      <div className={styles.tableScroll}>
        <table>
          <caption className={styles.srOnly}>{caption}</caption>
          <thead>
            <tr>
              {head.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={String(r[0])}>
                {r.map((c, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
                  <td key={i}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function OpenBySeverityChart({ data }: { data: AlertStats["openBySeverity"] }) {
  const total = data.reduce((n, d) => n + d.open + d.acknowledged, 0);
  const summary =
    total === 0
      ? "No open or acknowledged alerts."
      : `${total} alert${total === 1 ? "" : "s"} need attention: ${data
          .filter((d) => d.open + d.acknowledged > 0)
          .map((d) => `${d.open + d.acknowledged} ${d.severity} (${d.open} not yet acknowledged)`)
          .join(", ")}.`;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className={styles.chartSummary} data-testid="chart-open-summary">
        {summary}
      </figcaption>
      {total === 0 ? (
        <div className={styles.chartEmpty}>
          <span aria-hidden="true">✓</span> Nothing open
        </div>
      ) : (
        <ChartBox>
          <ResponsiveContainer width="100%" height={220} initialDimension={INITIAL}>
            <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
              <CartesianGrid horizontal={false} stroke="#e6e9ee" />
              <XAxis type="number" allowDecimals={false} tick={AXIS} />
              <YAxis type="category" dataKey="severity" tick={AXIS} width={64} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
              <Bar dataKey="open" name="Open" stackId="s" fill="#b3261e" isAnimationActive={false} />
              <Bar dataKey="acknowledged" name="Acknowledged" stackId="s" fill="#7fa3d9" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </ChartBox>
      )}
      <DataTable
        caption="Open and acknowledged alerts by severity"
        head={["Severity", "Open", "Acknowledged"]}
        rows={data.map((d) => [d.severity, d.open, d.acknowledged])}
      />
    </figure>
  );
}

export function NewAlertsChart({ days }: { days: AlertDay[] }) {
  const total = days.reduce((n, d) => n + d.created, 0);
  const busiest = days.reduce<AlertDay | null>((best, d) => (d.created > (best?.created ?? 0) ? d : best), null);
  const summary =
    total === 0
      ? `No new alerts in the last ${days.length} days.`
      : `${total} new alert${total === 1 ? "" : "s"} in the last ${days.length} days; the most on ${busiest?.day} (${busiest?.created}).`;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className={styles.chartSummary} data-testid="chart-new-summary">
        {summary}
      </figcaption>
      <ChartBox>
        <ResponsiveContainer width="100%" height={220} initialDimension={INITIAL}>
          <BarChart accessibilityLayer={false} data={days} margin={{ top: 4, right: 8, bottom: 4, left: -16 }}>
            <CartesianGrid vertical={false} stroke="#e6e9ee" />
            <XAxis dataKey="day" tickFormatter={shortDay} tick={AXIS} interval="preserveStartEnd" minTickGap={18} />
            <YAxis allowDecimals={false} tick={AXIS} />
            <Tooltip />
            <Bar dataKey="created" name="New alerts" fill="#1f5fbf" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartBox>
      <DataTable
        caption="New alerts per day"
        head={["Day (UTC)", "New alerts"]}
        rows={days.filter((d) => d.created > 0).map((d) => [d.day, d.created])}
      />
    </figure>
  );
}

/** The unit that keeps the axis readable: seconds, minutes or hours, from the largest value. */
function unitFor(maxSeconds: number): { divisor: number; unit: string; word: string } {
  if (maxSeconds < 120) return { divisor: 1, unit: " s", word: "seconds" };
  if (maxSeconds < 2 * 3600) return { divisor: 60, unit: " min", word: "minutes" };
  return { divisor: 3600, unit: " h", word: "hours" };
}

const legendText = (value: string) => <span style={{ color: "#1a1f27" }}>{value}</span>;

export function ResponseTimesChart({ stats }: { stats: Pick<AlertStats, "perDay" | "meanAckSeconds" | "meanResolveSeconds"> }) {
  const max = Math.max(0, ...stats.perDay.flatMap((d) => [d.meanAckSeconds ?? 0, d.meanResolveSeconds ?? 0]));
  const { divisor, unit, word } = unitFor(max);
  const scaled = (s: number | null) => (s === null ? null : Math.round((s / divisor) * 10) / 10);
  const data = stats.perDay.map((d) => ({ day: d.day, ack: scaled(d.meanAckSeconds), resolve: scaled(d.meanResolveSeconds) }));
  const responded = stats.perDay.filter((d) => d.meanAckSeconds !== null || d.meanResolveSeconds !== null);
  const summary =
    stats.meanAckSeconds === null && stats.meanResolveSeconds === null
      ? `No alert was acknowledged or resolved in the last ${stats.perDay.length} days.`
      : `Over the last ${stats.perDay.length} days: acknowledged after ${formatDuration(stats.meanAckSeconds)} and resolved after ${formatDuration(stats.meanResolveSeconds)} on average.`;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className={styles.chartSummary} data-testid="chart-times-summary">
        {summary}
      </figcaption>
      <ChartBox>
        <ResponsiveContainer width="100%" height={220} initialDimension={INITIAL}>
          <LineChart accessibilityLayer={false} data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid vertical={false} stroke="#e6e9ee" />
            <XAxis dataKey="day" tickFormatter={shortDay} tick={AXIS} interval="preserveStartEnd" minTickGap={18} />
            <YAxis
              tick={AXIS}
              unit={unit}
              width={56}
              label={{ value: word, angle: -90, position: "insideLeft", fontSize: 11, fill: "#5b6472" }}
            />
            <Tooltip formatter={(v) => (typeof v === "number" ? formatDuration(v * divisor) : String(v))} />
            <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
            <Line
              dataKey="ack"
              name="To acknowledge"
              stroke="#1f5fbf"
              strokeWidth={2}
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
            <Line
              dataKey="resolve"
              name="To resolve"
              stroke="#1b7a3d"
              strokeWidth={2}
              strokeDasharray="5 3"
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </ChartBox>
      <DataTable
        caption="Mean time to acknowledge and to resolve per day"
        head={["Day (UTC)", "Acknowledged", "Mean to acknowledge", "Resolved", "Mean to resolve"]}
        rows={responded.map((d) => [
          d.day,
          d.acknowledged,
          formatDuration(d.meanAckSeconds),
          d.resolved,
          formatDuration(d.meanResolveSeconds),
        ])}
      />
    </figure>
  );
}

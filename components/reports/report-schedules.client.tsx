"use client";

// Scheduled reports: weekly (Mondays, the week before) or monthly (the 1st, the month before), for
// an environment, in a format, delivered to a notification channel by the job queue.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";
import type { ChannelChoice, ReportScheduleView } from "@/lib/server/reports/report-schedules";
import { reportKeys } from "./report-keys";
import styles from "./reports.module.css";

type Schedules = { items: ReportScheduleView[]; channels: ChannelChoice[] };

const CADENCE_TEXT = { weekly: "Weekly, Mondays 06:00 UTC, the 7 days before", monthly: "Monthly, the 1st at 06:00 UTC, the month before" };

export function ReportSchedules({ initial, environments }: { initial: Schedules; environments: string[] }) {
  const qc = useQueryClient();
  const id = useId();
  const schedules = useQuery({
    queryKey: reportKeys.schedules(),
    queryFn: () => fetchJson<Schedules>("/api/v1/reports/schedules"),
    initialData: initial,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [rowMessage, setRowMessage] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: reportKeys.all });

  const create = useMutation({
    mutationFn: (input: Record<string, string>) =>
      fetchJson<ReportScheduleView>("/api/v1/reports/schedules", { method: "POST", body: JSON.stringify(input) }),
    onSuccess: () => {
      setErrors({});
      refresh();
    },
    onError: (error) =>
      setErrors(
        error instanceof ApiError && error.errors.length
          ? Object.fromEntries(error.errors.map((e) => [e.path.replace(/^\$\./, ""), e.message]))
          : { form: error.message },
      ),
  });
  const update = useMutation({
    mutationFn: ({ scheduleId, enabled }: { scheduleId: string; enabled: boolean }) =>
      fetchJson(`/api/v1/reports/schedules/${scheduleId}`, { method: "PATCH", body: JSON.stringify({ enabled }) }),
    onSuccess: () => refresh(),
    onError: (error) => setRowMessage(error.message),
  });
  const remove = useMutation({
    mutationFn: (scheduleId: string) => fetchJson(`/api/v1/reports/schedules/${scheduleId}`, { method: "DELETE" }),
    onSuccess: () => refresh(),
    onError: (error) => setRowMessage(error.message),
  });
  const runNow = useMutation({
    mutationFn: (scheduleId: string) => fetchJson<{ reportId: string }>(`/api/v1/reports/schedules/${scheduleId}/run`, { method: "POST" }),
    onSuccess: () => {
      setRowMessage("Queued: the report is exported, then delivered; it appears in the history above.");
      refresh();
    },
    onError: (error) => setRowMessage(error.message),
  });

  const { items, channels } = schedules.data;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = Object.fromEntries(
      ["name", "environment", "format", "cadence", "channelId"].map((k) => [k, String(form.get(k) ?? "").trim()]),
    );
    const problems: Record<string, string> = {};
    if (!input.name) problems.name = "Name the schedule, e.g. who it is for.";
    if (!input.channelId) problems.channelId = "Choose where to deliver it.";
    setErrors(problems);
    if (Object.keys(problems).length === 0) create.mutate(input);
  }

  return (
    <>
      {items.length === 0 ? (
        <p className="muted">No scheduled reports yet.</p>
      ) : (
        <div className="table-wrap">
          <table className={styles.table} data-testid="report-schedules">
            <thead>
              <tr>
                <th scope="col">Schedule</th>
                <th scope="col">Report</th>
                <th scope="col">Delivered to</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">
                  <span className={styles.srOnly}>Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <td data-label="Schedule">
                    <strong>{s.name}</strong>
                    <div className="muted small">{CADENCE_TEXT[s.cadence]}</div>
                  </td>
                  <td data-label="Report">
                    {s.environment}, {s.format.toUpperCase()}
                  </td>
                  <td data-label="Delivered to">
                    {s.channel ? (
                      <>
                        {s.channel.name} <span className="muted small">({s.channel.kind})</span>
                      </>
                    ) : (
                      <span className="badge badge-warn">no channel</span>
                    )}
                  </td>
                  <td data-label="Next run">{s.enabled ? <Time iso={s.nextRunAt} /> : <span className="badge">paused</span>}</td>
                  <td data-label="Last run">
                    {s.lastRunAt ? <Time iso={s.lastRunAt} /> : <span className="muted">never</span>}
                    {s.lastStatus ? (
                      <div>
                        <span className={s.lastStatus === "delivered" ? "badge badge-ok" : "badge badge-bad"}>{s.lastStatus}</span>
                        {s.lastError ? <span className="muted small"> {s.lastError}</span> : null}
                      </div>
                    ) : null}
                  </td>
                  <td data-label="Actions">
                    <span className={styles.actions}>
                      <button type="button" className="btn btn-small" onClick={() => runNow.mutate(s.id)} disabled={!s.channel}>
                        Send now
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => update.mutate({ scheduleId: s.id, enabled: !s.enabled })}
                      >
                        {s.enabled ? "Pause" : "Resume"}
                      </button>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => remove.mutate(s.id)}>
                        Delete
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rowMessage ? (
        <p className="muted small" role="status">
          {rowMessage}
        </p>
      ) : null}

      <h3 style={{ margin: "1.25rem 0 0.5rem", fontSize: "1rem" }}>New schedule</h3>
      {channels.length === 0 ? (
        <p className="muted">
          Scheduled reports are delivered through a notification channel (webhook, Slack or email). None exists yet: an admin or a security
          lead creates channels in Settings › Notifications.
        </p>
      ) : (
        <form className={styles.form} onSubmit={onSubmit} aria-label="Schedule a report" noValidate>
          <div className={styles.row}>
            <div>
              <label className={styles.label} htmlFor={`${id}-name`}>
                Name
              </label>
              <input id={`${id}-name`} name="name" type="text" maxLength={100} placeholder="Weekly prod for the auditors" />
              {errors.name ? <span className="field-error">{errors.name}</span> : null}
            </div>
            <div>
              <label className={styles.label} htmlFor={`${id}-env`}>
                Environment
              </label>
              <select id={`${id}-env`} name="environment" defaultValue={environments.includes("prod") ? "prod" : environments[0]}>
                {environments.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              {errors.environment ? <span className="field-error">{errors.environment}</span> : null}
            </div>
            <div>
              <label className={styles.label} htmlFor={`${id}-cadence`}>
                Cadence
              </label>
              <select id={`${id}-cadence`} name="cadence" defaultValue="weekly">
                <option value="weekly">Weekly</option>
                <option value="monthly">Monthly</option>
              </select>
            </div>
            <div>
              <label className={styles.label} htmlFor={`${id}-format`}>
                Format
              </label>
              <select id={`${id}-format`} name="format" defaultValue="pdf">
                <option value="pdf">PDF</option>
                <option value="csv">CSV</option>
                <option value="json">JSON</option>
              </select>
            </div>
            <div>
              <label className={styles.label} htmlFor={`${id}-channel`}>
                Deliver to
              </label>
              <select id={`${id}-channel`} name="channelId" defaultValue="">
                <option value="" disabled>
                  Choose a channel
                </option>
                {channels.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.kind}
                    {c.enabled ? "" : ", disabled"})
                  </option>
                ))}
              </select>
              {errors.channelId ? <span className="field-error">{errors.channelId}</span> : null}
            </div>
          </div>
          <div className={styles.actions}>
            <button type="submit" className="btn" disabled={create.isPending}>
              {create.isPending ? "Scheduling…" : "Schedule report"}
            </button>
            {errors.form ? <span className="field-error">{errors.form}</span> : null}
          </div>
        </form>
      )}
    </>
  );
}

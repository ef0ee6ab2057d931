"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";
import type { EscalationAnswer } from "@/lib/server/notifications/schemas";
import { notificationKeys } from "./notification-channels";

const SEVERITIES = ["critical", "high", "medium", "low"] as const;
type Times = EscalationAnswer["times"];

const describeMinutes = (m: number | null) => (m === null ? "never" : m % 60 === 0 ? `${m / 60} h` : `${m} min`);

export function EscalationForm({ initial, canEdit }: { initial: EscalationAnswer; canEdit: boolean }) {
  const qc = useQueryClient();
  const escalation = useQuery({
    queryKey: notificationKeys.escalation(),
    queryFn: () => fetchJson<EscalationAnswer>("/api/v1/notifications/escalation"),
    initialData: initial,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (times: Times) =>
      fetchJson<EscalationAnswer & { changed: boolean }>("/api/v1/notifications/escalation", {
        method: "PUT",
        body: JSON.stringify(times),
      }),
    onSuccess: (answer) => {
      qc.setQueryData(notificationKeys.escalation(), { times: answer.times, defaults: answer.defaults, updatedAt: answer.updatedAt });
      setErrors({});
      setSaved(true);
    },
    onError: (error) => {
      const out: Record<string, string> = {};
      for (const e of error instanceof ApiError ? error.errors : []) out[e.path.replace(/^\$\./, "")] = e.message;
      setErrors(out);
    },
  });
  const { times, defaults, updatedAt } = escalation.data;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = new FormData(event.currentTarget);
    const next = {} as Times;
    const problems: Record<string, string> = {};
    for (const s of SEVERITIES) {
      const raw = String(form.get(s) ?? "").trim();
      if (raw === "") next[s] = null;
      else if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10080)
        problems[s] = "Whole minutes from 1 to 10080 (a week), or empty for never.";
      else next[s] = Number(raw);
    }
    setErrors(problems);
    if (Object.keys(problems).length) return;
    save.mutate(next);
  }

  if (!canEdit) {
    return (
      <dl className="props">
        {SEVERITIES.map((s) => (
          <div key={s} style={{ display: "contents" }}>
            <dt>{s}</dt>
            <dd>{describeMinutes(times[s])}</dd>
          </div>
        ))}
      </dl>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby="escalation-help">
      <p className="muted" id="escalation-help">
        An open alert nobody acknowledged within its severity&apos;s time is notified again (state <code>escalated:n</code>), and again
        every such period until someone acknowledges it. Empty: never. Defaults:{" "}
        {SEVERITIES.map((s) => `${s} ${describeMinutes(defaults[s])}`).join(", ")}.
        {updatedAt ? (
          <>
            {" "}
            Last changed <Time iso={updatedAt} />.
          </>
        ) : null}
      </p>
      {saved ? (
        <div className="alert alert-ok" role="status">
          Escalation times saved.
        </div>
      ) : null}
      {save.error && !Object.keys(errors).length ? (
        <div className="alert alert-bad" role="alert">
          {save.error.message}
        </div>
      ) : null}
      <div style={{ display: "flex", flexWrap: "wrap", gap: "1rem" }}>
        {SEVERITIES.map((s) => (
          <div className="field" key={s} style={{ width: 160 }}>
            <label htmlFor={`escalation-${s}`}>{s} (minutes)</label>
            <input
              id={`escalation-${s}`}
              name={s}
              type="number"
              inputMode="numeric"
              min={1}
              max={10080}
              step={1}
              defaultValue={times[s] ?? ""}
              placeholder="never"
              aria-invalid={errors[s] ? true : undefined}
              aria-describedby={errors[s] ? `escalation-${s}-error` : undefined}
            />
            {errors[s] ? (
              <span className="field-error" id={`escalation-${s}-error`}>
                {errors[s]}
              </span>
            ) : null}
          </div>
        ))}
      </div>
      <button type="submit" className="btn btn-primary" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save escalation times"}
      </button>
    </form>
  );
}

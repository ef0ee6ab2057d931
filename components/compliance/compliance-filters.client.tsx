"use client";

// The compliance view's filters: environment, window preset, and a custom pair of dates. They live in
// the URL; changing one navigates (the figures stream in again behind their skeleton).
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState, useTransition } from "react";
import { PRESET_LABELS, WINDOW_PRESETS, type WindowPreset } from "@/lib/domain/compliance-window";
import styles from "./compliance.module.css";
import { complianceHref, type ComplianceFilters as Filters } from "./compliance-links";

export function ComplianceFilters({ environments, current }: { environments: string[]; current: Filters }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [preset, setPreset] = useState<WindowPreset>(current.window);
  const [from, setFrom] = useState(current.from ?? "");
  const [to, setTo] = useState(current.to ?? "");
  const id = useId();
  const go = (f: Filters) => startTransition(() => router.push(complianceHref(f), { scroll: false }));

  const choose = (p: WindowPreset) => {
    setPreset(p);
    if (p !== "custom") go({ environment: current.environment, window: p });
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    go({ environment: current.environment, window: "custom", from, to });
  };
  const names = environments.includes(current.environment) ? environments : [current.environment, ...environments];

  return (
    <form className={styles.filters} method="get" action="/compliance" onSubmit={apply} aria-label="Compliance filters">
      <div className={styles.filterField}>
        <label htmlFor={`${id}-env`}>Environment</label>
        <select
          id={`${id}-env`}
          name="environment"
          value={current.environment}
          onChange={(e) => go({ ...current, environment: e.target.value })}
        >
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <fieldset className={styles.filterField}>
        <legend>Window</legend>
        <div className={styles.segments}>
          {WINDOW_PRESETS.map((p) => (
            <label key={p} className={styles.segment} data-checked={preset === p}>
              <input type="radio" name="window" value={p} checked={preset === p} onChange={() => choose(p)} />
              {PRESET_LABELS[p]}
            </label>
          ))}
        </div>
      </fieldset>
      {preset === "custom" ? (
        <div className={styles.custom}>
          <div className={styles.filterField}>
            <label htmlFor={`${id}-from`}>From</label>
            <input id={`${id}-from`} type="date" name="from" value={from} required onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className={styles.filterField}>
            <label htmlFor={`${id}-to`}>To (inclusive)</label>
            <input
              id={`${id}-to`}
              type="date"
              name="to"
              value={to}
              required
              min={from || undefined}
              onChange={(e) => setTo(e.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
        </div>
      ) : null}
      <output className={styles.pending} aria-live="polite">
        {pending ? "Updating…" : ""}
      </output>
    </form>
  );
}

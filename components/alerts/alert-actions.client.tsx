"use client";

// The triage forms of an alert page (shown only to roles with alerts:triage; the server checks
// again): acknowledge, assign, comment, resolve with a note, suppress with a justification and an
// end. After each action the page reloads its data, so the timeline shows the new entry.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useId, useState } from "react";
import { ApiError } from "@/components/ui/fetch-json.client";
import { MAX_NOTE_LENGTH, MAX_SUPPRESSION_DAYS, type TriageAction } from "@/lib/domain/alert-triage";
import { alertKeys, fetchUserChoices, triage } from "./alert-api.client";
import styles from "./alerts.module.css";

type Props = {
  alertId: string;
  allowed: TriageAction[];
  assignee: { id: string; name: string | null; email: string } | null;
  currentUserId: string;
  conditionActive: boolean;
};

type FieldErrors = Record<string, string>;

function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  return Object.fromEntries(error.errors.map((e) => [e.path.replace(/^\$\./, "").split(/[.[]/)[0] ?? "", e.message]));
}

/** A datetime-local value (local time, minutes) `ms` from now. */
function localInput(ms: number): string {
  const d = new Date(Date.now() + ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function useTriage(alertId: string, action: TriageAction, onDone?: () => void) {
  const router = useRouter();
  const [errors, setErrors] = useState<FieldErrors>({});
  const mutation = useMutation({
    mutationKey: [...alertKeys.all, action, alertId],
    mutationFn: (body: Record<string, unknown>) => triage(alertId, action, body),
    onMutate: () => setErrors({}),
    onSuccess: () => {
      onDone?.();
      router.refresh();
    },
    onError: (error) => setErrors(fieldErrorsOf(error)),
  });
  return { mutation, errors, setErrors };
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span className="field-error" id={id}>
      {message}
    </span>
  );
}

function GeneralError({ error, errors }: { error: Error | null; errors: FieldErrors }) {
  if (!error || Object.keys(errors).length) return null;
  return (
    <div className="alert alert-bad" role="alert" style={{ marginTop: "0.5rem" }}>
      {error.message}
    </div>
  );
}

export function AlertActions({ alertId, allowed, assignee, currentUserId, conditionActive }: Props) {
  const can = (a: TriageAction) => allowed.includes(a);
  return (
    <section className={`card ${styles.actions}`} aria-labelledby="actions-heading" data-testid="alert-actions">
      <h2 id="actions-heading">Triage</h2>
      {can("acknowledge") ? <Acknowledge alertId={alertId} /> : null}
      {can("assign") ? <Assign alertId={alertId} assignee={assignee} currentUserId={currentUserId} /> : null}
      {allowed.length === 1 && can("comment") ? (
        <p className="muted small">This alert is resolved: it takes comments only. It reopens by itself if its condition returns.</p>
      ) : null}
      {can("comment") ? <NoteForm alertId={alertId} action="comment" title="Add a comment" label="Comment" submit="Add comment" /> : null}
      {can("resolve") ? (
        <NoteForm
          alertId={alertId}
          action="resolve"
          title="Resolve"
          label="Resolution note"
          submit="Resolve"
          hint={
            conditionActive
              ? "The condition is still present: if the rule fires again, the alert reopens by itself."
              : "Say what was done; the note goes into the timeline and the ledger."
          }
        />
      ) : null}
      {can("suppress") ? <Suppress alertId={alertId} /> : null}
    </section>
  );
}

function Acknowledge({ alertId }: { alertId: string }) {
  const { mutation, errors } = useTriage(alertId, "acknowledge");
  return (
    <div className={styles.actionBlock}>
      <h3>Acknowledge</h3>
      <p className="muted small">Tell the team someone is on it. Escalation stops.</p>
      <button type="button" className="btn btn-primary" disabled={mutation.isPending} onClick={() => mutation.mutate({})}>
        {mutation.isPending ? "Acknowledging…" : "Acknowledge"}
      </button>
      <GeneralError error={mutation.error} errors={errors} />
    </div>
  );
}

function Assign({ alertId, assignee, currentUserId }: Pick<Props, "alertId" | "assignee" | "currentUserId">) {
  const id = useId();
  const [q, setQ] = useState("");
  const [choice, setChoice] = useState("");
  const { mutation, errors } = useTriage(alertId, "assign", () => setChoice(""));
  const users = useQuery({ queryKey: alertKeys.users(q), queryFn: () => fetchUserChoices(q), staleTime: 60_000 });
  const options = (users.data?.items ?? []).filter((u) => u.id !== assignee?.id);
  return (
    <div className={styles.actionBlock}>
      <h3>Assign</h3>
      <p className="muted small">
        {assignee ? (
          <>
            Assigned to <strong>{assignee.name ?? assignee.email}</strong>.
          </>
        ) : (
          "Nobody is assigned."
        )}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (choice) mutation.mutate({ assigneeId: choice });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-q`}>Find a person</label>
          <input
            id={`${id}-q`}
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="Name or e-mail"
            maxLength={200}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-user`}>Person</label>
          <select
            id={`${id}-user`}
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            aria-invalid={errors.assigneeId ? true : undefined}
            aria-describedby={errors.assigneeId ? `${id}-error` : undefined}
          >
            <option value="">{users.isLoading ? "Loading people…" : options.length ? "Choose…" : "Nobody matches"}</option>
            {options.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name ? `${u.name} (${u.email})` : u.email} · {u.role}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-error`} message={errors.assigneeId} />
        </div>
        <div className={styles.buttons} style={{ marginTop: 0 }}>
          <button type="submit" className="btn" disabled={!choice || mutation.isPending}>
            Assign
          </button>
          {assignee?.id !== currentUserId ? (
            <button
              type="button"
              className="btn"
              disabled={mutation.isPending}
              onClick={() => mutation.mutate({ assigneeId: currentUserId })}
            >
              Assign to me
            </button>
          ) : null}
          {assignee ? (
            <button type="button" className="btn" disabled={mutation.isPending} onClick={() => mutation.mutate({ assigneeId: null })}>
              Unassign
            </button>
          ) : null}
        </div>
      </form>
      <GeneralError error={mutation.error} errors={errors} />
    </div>
  );
}

function NoteForm(props: { alertId: string; action: "comment" | "resolve"; title: string; label: string; submit: string; hint?: string }) {
  const id = useId();
  const [note, setNote] = useState("");
  const { mutation, errors, setErrors } = useTriage(props.alertId, props.action, () => setNote(""));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!note.trim()) {
      setErrors({ note: props.action === "resolve" ? "A resolution needs a note." : "Write something first." });
      return;
    }
    mutation.mutate({ note: note.trim() });
  }
  return (
    <form className={styles.actionBlock} onSubmit={onSubmit} noValidate>
      <h3>{props.title}</h3>
      <div className="field">
        <label htmlFor={`${id}-note`}>{props.label}</label>
        <textarea
          id={`${id}-note`}
          rows={3}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={MAX_NOTE_LENGTH}
          aria-invalid={errors.note ? true : undefined}
          aria-describedby={[props.hint ? `${id}-hint` : "", errors.note ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined}
        />
        {props.hint ? (
          <span className="hint" id={`${id}-hint`}>
            {props.hint}
          </span>
        ) : null}
        <FieldError id={`${id}-error`} message={errors.note} />
      </div>
      <button type="submit" className={props.action === "resolve" ? "btn btn-primary" : "btn"} disabled={mutation.isPending}>
        {mutation.isPending ? "Saving…" : props.submit}
      </button>
      <GeneralError error={mutation.error} errors={errors} />
    </form>
  );
}

const PRESETS: Array<[string, number]> = [
  ["1 hour", 3_600_000],
  ["1 day", 86_400_000],
  ["1 week", 7 * 86_400_000],
  ["30 days", 30 * 86_400_000],
];

function Suppress({ alertId }: { alertId: string }) {
  const id = useId();
  const [justification, setJustification] = useState("");
  // Set after mounting: the browser's local time, which the server cannot know.
  const [until, setUntil] = useState("");
  useEffect(() => setUntil(localInput(86_400_000)), []);
  const { mutation, errors, setErrors } = useTriage(alertId, "suppress", () => setJustification(""));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems: FieldErrors = {};
    if (!justification.trim()) problems.justification = "Say why it may stay silent: the justification goes into the ledger.";
    const end = new Date(until);
    if (!until || Number.isNaN(end.getTime())) problems.until = "Choose when the suppression ends.";
    setErrors(problems);
    if (Object.keys(problems).length) return;
    mutation.mutate({ justification: justification.trim(), until: end.toISOString() });
  }
  return (
    <form className={styles.actionBlock} onSubmit={onSubmit} noValidate>
      <h3>Suppress</h3>
      <p className="muted small">Silence it until a time (at most {MAX_SUPPRESSION_DAYS} days); it reopens by itself then.</p>
      <div className="field">
        <label htmlFor={`${id}-why`}>Justification</label>
        <textarea
          id={`${id}-why`}
          rows={2}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          maxLength={MAX_NOTE_LENGTH}
          aria-invalid={errors.justification ? true : undefined}
          aria-describedby={errors.justification ? `${id}-why-error` : undefined}
        />
        <FieldError id={`${id}-why-error`} message={errors.justification} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-until`}>Until (your local time)</label>
        <input
          id={`${id}-until`}
          type="datetime-local"
          value={until}
          onChange={(e) => setUntil(e.target.value)}
          aria-invalid={errors.until ? true : undefined}
          aria-describedby={errors.until ? `${id}-until-error` : undefined}
        />
        <fieldset className={styles.presets}>
          <legend className={styles.srOnly}>Suppress for</legend>
          {PRESETS.map(([label, ms]) => (
            <button key={label} type="button" className="btn btn-small" onClick={() => setUntil(localInput(ms))}>
              {label}
            </button>
          ))}
        </fieldset>
        <FieldError id={`${id}-until-error`} message={errors.until} />
      </div>
      <button type="submit" className="btn" disabled={mutation.isPending}>
        {mutation.isPending ? "Suppressing…" : "Suppress"}
      </button>
      <GeneralError error={mutation.error} errors={errors} />
    </form>
  );
}

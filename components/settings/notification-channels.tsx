"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useRef, useState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";
import type { ChannelCreated, ChannelListItem, TestResult } from "@/lib/server/notifications/schemas";

export const notificationKeys = {
  all: ["notifications"] as const,
  channels: () => [...notificationKeys.all, "channels"] as const,
  escalation: () => [...notificationKeys.all, "escalation"] as const,
};

type FieldErrors = Record<string, string>;

// Worst first, as lib/domain/notifications.ts (not imported: it holds node:crypto code).
const SEVERITIES = ["critical", "high", "medium", "low"] as const;

/** problem+json errors by their first path segment ($.to[1] -> to), the rest of the path kept in the message. */
function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const out: FieldErrors = {};
  for (const e of error.errors) {
    const rest = e.path.replace(/^\$\.?/, "");
    const field = rest.split(/[.[]/)[0] ?? "";
    const sub = rest.slice(field.length).replace(/^\./, "");
    const message = sub ? `${sub}: ${e.message}` : e.message;
    out[field] = out[field] ? `${out[field]}; ${message}` : message;
  }
  return out;
}

const listOf = (value: FormDataEntryValue | null) =>
  String(value ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const KIND_HELP: Record<string, string> = {
  webhook: "A signed CloudEvent (JSON) POSTed to your URL; Vitrine creates the HMAC secret.",
  slack: "A Slack-compatible incoming webhook: a readable message with a link back.",
  email: "Plain-text email through the SMTP server Vitrine is configured with.",
};

function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <span className="muted small" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** aria attributes for an input with an optional hint and error. */
function described(id: string, error: string | undefined, hint: boolean) {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return { "aria-invalid": error ? true : undefined, "aria-describedby": ids || undefined } as const;
}

function Routing({ channel }: { channel: ChannelListItem }) {
  return (
    <>
      <div>{channel.minSeverity === "low" ? "every severity" : `${channel.minSeverity} and worse`}</div>
      <div className="muted small">{channel.rules.length ? `rules: ${channel.rules.join(", ")}` : "every rule"}</div>
      <div className="muted small">
        {channel.environments.length ? `environments: ${channel.environments.join(", ")}` : "every environment"}
      </div>
    </>
  );
}

function LastDelivery({ channel }: { channel: ChannelListItem }) {
  const last = channel.lastDelivery;
  if (!last) return <span className="muted">none yet</span>;
  const badge = last.status === "delivered" ? "badge badge-ok" : last.status === "failed" ? "badge badge-bad" : "badge badge-warn";
  return (
    <>
      <span className={badge}>{last.status}</span>
      {last.statusCode !== null ? <span className="small"> HTTP {last.statusCode}</span> : null}
      <div className="muted small">
        <Time iso={last.at} />
        {last.error && last.status !== "delivered" ? ` · ${last.error}` : null}
      </div>
      <div className="muted small">{channel.deliveries} in total</div>
    </>
  );
}

export function NotificationChannels({
  initialChannels,
  canEdit,
  emailConfigured,
}: {
  initialChannels: ChannelListItem[];
  canEdit: boolean;
  emailConfigured: boolean;
}) {
  const qc = useQueryClient();
  const channels = useQuery({
    queryKey: notificationKeys.channels(),
    queryFn: () => fetchJson<{ items: ChannelListItem[] }>("/api/v1/notifications/channels").then((r) => r.items),
    initialData: initialChannels,
  });
  const [kind, setKind] = useState<"webhook" | "slack" | "email">("webhook");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<ChannelCreated | null>(null);
  const [tests, setTests] = useState<Record<string, TestResult | { pending: true } | { failed: string }>>({});
  const [rowError, setRowError] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const create = useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      fetchJson<ChannelCreated>("/api/v1/notifications/channels", { method: "POST", body: JSON.stringify(input) }),
    onSuccess: (channel) => {
      setCreated(channel);
      setErrors({});
      formRef.current?.reset();
      qc.invalidateQueries({ queryKey: notificationKeys.channels() });
    },
    onError: (error) => setErrors(fieldErrorsOf(error)),
  });
  const update = useMutation({
    mutationFn: ({ id, input }: { id: string; input: Record<string, unknown> }) =>
      fetchJson<ChannelCreated>(`/api/v1/notifications/channels/${id}`, { method: "PATCH", body: JSON.stringify(input) }),
    onSuccess: (channel) => {
      setRowError(null);
      if (channel.secret) setCreated(channel);
      qc.invalidateQueries({ queryKey: notificationKeys.channels() });
    },
    onError: (error) => setRowError(error.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) => fetchJson(`/api/v1/notifications/channels/${id}`, { method: "DELETE" }),
    onSuccess: () => {
      setRowError(null);
      qc.invalidateQueries({ queryKey: notificationKeys.channels() });
    },
    onError: (error) => setRowError(error.message),
  });

  async function sendTest(id: string) {
    setTests((t) => ({ ...t, [id]: { pending: true } }));
    try {
      const result = await fetchJson<TestResult>(`/api/v1/notifications/channels/${id}/test`, { method: "POST" });
      setTests((t) => ({ ...t, [id]: result }));
    } catch (error) {
      setTests((t) => ({ ...t, [id]: { failed: error instanceof Error ? error.message : String(error) } }));
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const problems: FieldErrors = {};
    if (!name) problems.name = "Give the channel a name, e.g. the team or tool it reaches.";
    const input: Record<string, unknown> = {
      kind,
      name,
      minSeverity: String(form.get("minSeverity") ?? "low"),
      rules: listOf(form.get("rules")),
      environments: listOf(form.get("environments")),
    };
    if (kind === "email") {
      input.to = listOf(form.get("to"));
      if ((input.to as string[]).length === 0) problems.to = "List at least one recipient.";
    } else {
      input.url = String(form.get("url") ?? "").trim();
      if (!/^https?:\/\//i.test(input.url as string)) problems.url = "An http:// or https:// URL.";
    }
    setErrors(problems);
    if (Object.keys(problems).length) return;
    create.mutate(input);
  }

  const generalError = create.error && !Object.keys(errors).length ? create.error.message : null;

  return (
    <>
      {created?.secret ? (
        <div className="alert alert-ok" role="status" data-testid="channel-secret-shown">
          <p>
            <strong>Signing secret of “{created.name}”.</strong> Copy it into your receiver now: it will not be shown again. Verify the{" "}
            <code>Vitrine-Signature</code> header with it (docs/notifications.md).
          </p>
          <div className="secret" data-testid="channel-secret">
            {created.secret}
          </div>
          <p style={{ marginTop: "0.5rem" }}>
            <CopyButton value={created.secret} label="Copy secret" />{" "}
            <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </p>
        </div>
      ) : created ? (
        <div className="alert alert-ok" role="status">
          Channel “{created.name}” saved.{" "}
          <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}

      <section className="card" aria-labelledby="channels-heading">
        <h2 id="channels-heading">Channels</h2>
        {rowError ? (
          <div className="alert alert-bad" role="alert">
            {rowError}
          </div>
        ) : null}
        {channels.data.length === 0 ? (
          <div className="empty">
            <p>No channel yet: alerts are only shown in Vitrine.{canEdit ? " Add a webhook, Slack or email channel below." : ""}</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table aria-label="Notification channels">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Destination</th>
                  <th scope="col">Routing</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last delivery</th>
                  {canEdit ? (
                    <th scope="col">
                      <span className="muted">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {channels.data.map((c) => {
                  const test = tests[c.id];
                  return (
                    <tr key={c.id} data-testid="channel-row">
                      <td>
                        <strong>{c.name}</strong>
                        <div className="muted small">{c.kind}</div>
                      </td>
                      <td>
                        {c.kind === "email" ? (
                          <span className="wrap-anywhere">{c.to.join(", ")}</span>
                        ) : (
                          <code className="wrap-anywhere">{c.url}</code>
                        )}
                        {c.hasSecret ? <div className="muted small">signed (secret hidden)</div> : null}
                      </td>
                      <td>
                        <Routing channel={c} />
                      </td>
                      <td>{c.enabled ? <span className="badge badge-ok">enabled</span> : <span className="badge">disabled</span>}</td>
                      <td>
                        <LastDelivery channel={c} />
                      </td>
                      {canEdit ? (
                        <td>
                          <div style={{ display: "flex", flexWrap: "wrap", gap: "0.25rem" }}>
                            <button
                              type="button"
                              className="btn btn-small"
                              aria-label={`Send a test notification to ${c.name}`}
                              disabled={test !== undefined && "pending" in test}
                              onClick={() => void sendTest(c.id)}
                            >
                              Send test
                            </button>
                            <button
                              type="button"
                              className="btn btn-small"
                              aria-label={`${c.enabled ? "Disable" : "Enable"} ${c.name}`}
                              disabled={update.isPending}
                              onClick={() => update.mutate({ id: c.id, input: { enabled: !c.enabled } })}
                            >
                              {c.enabled ? "Disable" : "Enable"}
                            </button>
                            {c.kind === "webhook" ? (
                              <button
                                type="button"
                                className="btn btn-small"
                                aria-label={`Rotate the signing secret of ${c.name}`}
                                disabled={update.isPending}
                                onClick={() => {
                                  if (window.confirm(`Rotate the secret of “${c.name}”? The old one stops working at once.`)) {
                                    update.mutate({ id: c.id, input: { rotateSecret: true } });
                                  }
                                }}
                              >
                                Rotate secret
                              </button>
                            ) : null}
                            {c.deliveries === 0 ? (
                              <button
                                type="button"
                                className="btn btn-small btn-danger"
                                aria-label={`Delete ${c.name}`}
                                disabled={remove.isPending}
                                onClick={() => {
                                  if (window.confirm(`Delete “${c.name}”?`)) remove.mutate(c.id);
                                }}
                              >
                                Delete
                              </button>
                            ) : null}
                          </div>
                          <div role="status" aria-live="polite" className="small" data-testid="channel-test-result">
                            {test === undefined ? null : "pending" in test ? (
                              <span className="muted">Sending…</span>
                            ) : "failed" in test ? (
                              <span className="field-error">{test.failed}</span>
                            ) : test.ok ? (
                              <span>
                                <span className="badge badge-ok">test delivered</span>
                                {test.statusCode !== null ? ` HTTP ${test.statusCode}` : ""} in {test.ms} ms
                              </span>
                            ) : (
                              <span>
                                <span className="badge badge-bad">test failed</span> {test.error}
                              </span>
                            )}
                          </div>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {canEdit ? null : <p className="muted">Only administrators and security may change channels.</p>}
      </section>

      {canEdit ? (
        <section className="card" aria-labelledby="new-channel-heading">
          <h2 id="new-channel-heading">New channel</h2>
          <form ref={formRef} onSubmit={onSubmit} noValidate>
            <div className="field" style={{ maxWidth: 320 }}>
              <label htmlFor="channel-kind">Kind</label>
              <select
                id="channel-kind"
                name="kind"
                value={kind}
                aria-describedby="channel-kind-hint"
                onChange={(e) => setKind(e.target.value as typeof kind)}
              >
                <option value="webhook">Webhook (signed CloudEvent)</option>
                <option value="slack">Slack-compatible webhook</option>
                <option value="email" disabled={!emailConfigured}>
                  Email{emailConfigured ? "" : " (SMTP not configured)"}
                </option>
              </select>
              <span className="muted small" id="channel-kind-hint">
                {KIND_HELP[kind]}
              </span>
              {errors.kind ? <span className="field-error">{errors.kind}</span> : null}
            </div>
            <Field id="channel-name" label="Name" error={errors.name}>
              <input
                id="channel-name"
                name="name"
                type="text"
                maxLength={100}
                placeholder="on-call pager"
                {...described("channel-name", errors.name, false)}
              />
            </Field>
            {kind === "email" ? (
              <Field
                id="channel-to"
                label="Recipients"
                error={errors.to}
                hint="Email addresses, separated by commas or spaces (at most 20)."
              >
                <input
                  id="channel-to"
                  name="to"
                  type="text"
                  placeholder="oncall@example.com"
                  {...described("channel-to", errors.to, true)}
                />
              </Field>
            ) : (
              <Field
                id="channel-url"
                label="URL"
                error={errors.url}
                hint={
                  kind === "slack"
                    ? "The incoming-webhook URL Slack (or a compatible tool) gave you; it is never shown again in full."
                    : "http:// or https://, without user:password@; redirects are not followed; 5 s timeout."
                }
              >
                <input
                  id="channel-url"
                  name="url"
                  type="url"
                  maxLength={2000}
                  spellCheck={false}
                  placeholder={kind === "slack" ? "https://hooks.slack.com/services/…" : "https://alerts.example.com/vitrine"}
                  {...described("channel-url", errors.url, true)}
                />
              </Field>
            )}
            <fieldset>
              <legend className="field">
                <strong>Routing</strong>
              </legend>
              <Field id="channel-severity" label="Lowest severity" error={errors.minSeverity}>
                <select id="channel-severity" name="minSeverity" defaultValue="low">
                  {SEVERITIES.map((s) => (
                    <option key={s} value={s}>
                      {s === "low" ? "low (every alert)" : `${s} and worse`}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="channel-rules" label="Rules" error={errors.rules} hint="Rule names, separated by commas; empty: every rule.">
                <input
                  id="channel-rules"
                  name="rules"
                  type="text"
                  spellCheck={false}
                  placeholder="unsigned-deployed, revoked-key-in-use"
                  {...described("channel-rules", errors.rules, true)}
                />
              </Field>
              <Field
                id="channel-environments"
                label="Environments"
                error={errors.environments}
                hint="Environment names, separated by commas; empty: every environment."
              >
                <input
                  id="channel-environments"
                  name="environments"
                  type="text"
                  spellCheck={false}
                  placeholder="prod"
                  {...described("channel-environments", errors.environments, true)}
                />
              </Field>
            </fieldset>
            {generalError ? (
              <div className="alert alert-bad" role="alert">
                {generalError}
              </div>
            ) : null}
            <button className="btn btn-primary" type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create channel"}
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}

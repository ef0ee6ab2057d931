"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type ChangeEvent, type FormEvent, type KeyboardEvent, useRef, useState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";
import type { TrustKind } from "@/lib/server/trust/schemas";
import type { TrustItem } from "@/lib/server/trust/trust-entry";

export const trustKeys = {
  all: ["trust"] as const,
  list: (kind: TrustKind) => [...trustKeys.all, kind, "list"] as const,
};

const TABS: Array<{ kind: TrustKind; label: string; singular: string; help: string }> = [
  { kind: "keys", label: "Keys", singular: "key", help: "PEM public keys (ECDSA P-256/P-384, Ed25519, RSA ≥ 2048) and OpenPGP keys." },
  {
    kind: "identities",
    label: "Identities",
    singular: "identity",
    help: "Keyless signers: a certificate subject (exact, or an anchored pattern) from an exact OIDC issuer.",
  },
  {
    kind: "roots",
    label: "Trust roots",
    singular: "trust root",
    help: "Sigstore trusted_root.json documents; the public-good root ships with Vitrine.",
  },
  { kind: "x509-roots", label: "X.509 roots", singular: "X.509 root", help: "CA certificates that anchor Notary Project signatures." },
];

type FieldErrors = Record<string, string>;

/** "a key", "an identity", "an X.509 root". */
const withArticle = (noun: string) => `${/^([aeiou]|X\.)/i.test(noun) ? "an" : "a"} ${noun}`;

/** problem+json errors by their first path segment ($.trustedRoot.tlogs[0] -> trustedRoot), nested paths kept in the message. */
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
const instantOf = (value: FormDataEntryValue | null) => (value ? new Date(String(value)).toISOString() : undefined);
const textOf = (value: FormDataEntryValue | null) => String(value ?? "").trim() || undefined;

export function TrustManager({ initial, canManage }: { initial: Record<TrustKind, TrustItem[]>; canManage: boolean }) {
  const [active, setActive] = useState<TrustKind>("keys");
  const tabRefs = useRef<Array<HTMLButtonElement | null>>([]);

  function onTabKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    const target = event.key === "Home" ? 0 : event.key === "End" ? TABS.length - 1 : (index + step + TABS.length) % TABS.length;
    if (step === 0 && event.key !== "Home" && event.key !== "End") return;
    event.preventDefault();
    const tab = TABS[target];
    if (!tab) return;
    setActive(tab.kind);
    tabRefs.current[target]?.focus();
  }

  return (
    <>
      <div role="tablist" aria-label="Trust store" style={{ display: "flex", gap: "0.5rem", flexWrap: "wrap", marginBottom: "1rem" }}>
        {TABS.map((tab, index) => (
          <button
            key={tab.kind}
            ref={(el) => {
              tabRefs.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`trust-tab-${tab.kind}`}
            aria-controls={`trust-panel-${tab.kind}`}
            aria-selected={active === tab.kind}
            tabIndex={active === tab.kind ? 0 : -1}
            className={active === tab.kind ? "btn btn-primary" : "btn"}
            onClick={() => setActive(tab.kind)}
            onKeyDown={(event) => onTabKey(event, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {TABS.map((tab) =>
        tab.kind === active ? (
          <div key={tab.kind} role="tabpanel" id={`trust-panel-${tab.kind}`} aria-labelledby={`trust-tab-${tab.kind}`}>
            <p className="muted">{tab.help}</p>
            <TrustList kind={tab.kind} label={tab.label} singular={tab.singular} initial={initial[tab.kind]} canManage={canManage} />
            {canManage ? <TrustForm kind={tab.kind} singular={tab.singular} /> : null}
          </div>
        ) : null,
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Lists

function TrustList(props: { kind: TrustKind; label: string; singular: string; initial: TrustItem[]; canManage: boolean }) {
  const qc = useQueryClient();
  const items = useQuery({
    queryKey: trustKeys.list(props.kind),
    queryFn: () => fetchJson<{ items: TrustItem[] }>(`/api/v1/trust/${props.kind}`).then((r) => r.items),
    initialData: props.initial,
  });
  const [revoking, setRevoking] = useState<TrustItem | null>(null);
  return (
    <section aria-labelledby={`trust-list-${props.kind}`} aria-busy={items.isFetching}>
      <h2 id={`trust-list-${props.kind}`}>
        {props.label} {items.isFetching ? <span className="muted">(refreshing…)</span> : null}
      </h2>
      {items.error ? (
        <div className="alert alert-bad" role="alert">
          Could not load: {items.error.message}
        </div>
      ) : null}
      {items.data.length === 0 ? (
        <div className="card empty">
          <p>
            Nothing trusted here yet.
            {props.canManage
              ? ` Add ${withArticle(props.singular)} below.`
              : ` An admin or security engineer can add ${withArticle(props.singular)}.`}
          </p>
        </div>
      ) : (
        <div className="table-wrap">
          <table aria-label={props.label}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">{props.kind === "identities" ? "Subject and issuer" : "Fingerprint"}</th>
                <th scope="col">Environments</th>
                <th scope="col">Validity</th>
                <th scope="col">Status</th>
                {props.canManage ? (
                  <th scope="col">
                    <span className="muted">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.data.map((item) => (
                <tr key={item.id} data-testid="trust-row">
                  <td>
                    {item.kind === "keys" || item.kind === "identities" ? (
                      <Link href={`/trust/${item.kind}/${item.id}`}>
                        <strong>{item.name}</strong>
                      </Link>
                    ) : (
                      <strong>{item.name}</strong>
                    )}
                    {item.kind === "roots" && item.isDefault ? <span className="badge badge-ok"> default</span> : null}
                    {item.kind === "keys" ? <div className="muted">{item.algorithm}</div> : null}
                    {item.owner ? <div className="muted">{item.owner}</div> : null}
                  </td>
                  <td>
                    {item.kind === "identities" ? (
                      <>
                        <code className="mono">{item.subject}</code> {item.subjectPattern ? <span className="badge">pattern</span> : null}
                        <div className="muted">
                          issuer <code>{item.issuer}</code>
                        </div>
                      </>
                    ) : (
                      <span className="nowrap">
                        <code className="digest" title={item.fingerprint}>
                          {item.fingerprint.length > 30 ? `${item.fingerprint.slice(0, 30)}…` : item.fingerprint}
                        </code>{" "}
                        <CopyButton value={item.fingerprint} label={`Copy fingerprint of ${item.name}`} />
                      </span>
                    )}
                    {item.kind === "x509-roots" ? <div className="muted">{item.subject}</div> : null}
                    {item.kind === "roots" ? (
                      <div className="muted">
                        thresholds: tlog {item.thresholds.tlog}, ctlog {item.thresholds.ctlog}, timestamp {item.thresholds.timestamp}
                      </div>
                    ) : null}
                  </td>
                  <td>{item.environments.length ? item.environments.join(", ") : <span className="muted">all</span>}</td>
                  <td>
                    {item.validFrom || item.validUntil ? (
                      <>
                        {item.validFrom ? <Time iso={item.validFrom} /> : "always"} –{" "}
                        {item.validUntil ? <Time iso={item.validUntil} /> : "no end"}
                      </>
                    ) : (
                      <span className="muted">no limit</span>
                    )}
                  </td>
                  <td>
                    <StatusBadge item={item} />
                  </td>
                  {props.canManage ? (
                    <td>
                      {item.revokedAt ? null : (
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          aria-label={`Revoke ${item.name}`}
                          onClick={() => setRevoking(item)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking ? (
        <RevokeDialog
          kind={props.kind}
          item={revoking}
          onClose={(done) => {
            setRevoking(null);
            if (done) qc.invalidateQueries({ queryKey: trustKeys.all });
          }}
        />
      ) : null}
    </section>
  );
}

function StatusBadge({ item }: { item: TrustItem }) {
  if (item.revokedAt) {
    return (
      <>
        <span className={item.status === "revoked" ? "badge badge-bad" : "badge badge-warn"}>
          {item.status === "revoked" ? "revoked" : "revocation scheduled"}
        </span>
        <div className="muted">
          <Time iso={item.revokedAt} />
          {item.revokedReason ? `: ${item.revokedReason}` : null}
        </div>
      </>
    );
  }
  if (item.status === "expired") return <span className="badge badge-warn">expired</span>;
  if (item.status === "pending") return <span className="badge badge-warn">not yet valid</span>;
  return <span className="badge badge-ok">active</span>;
}

/** A modal confirm: the reason is required; Esc or Cancel closes without revoking. */
export function RevokeDialog({ kind, item, onClose }: { kind: TrustKind; item: TrustItem; onClose: (done: boolean) => void }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const revoke = useMutation({
    mutationFn: (input: { reason: string; at?: string }) =>
      fetchJson<TrustItem>(`/api/v1/trust/${kind}/${item.id}/revoke`, { method: "POST", body: JSON.stringify(input) }),
    onSuccess: () => onClose(true),
    onError: (error) => setErrors(fieldErrorsOf(error)),
  });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const reason = String(form.get("reason") ?? "").trim();
    if (!reason) {
      setErrors({ reason: "Say why, e.g. “key leaked” or “workflow retired”: the reason goes into the ledger." });
      return;
    }
    revoke.mutate({ reason, at: instantOf(form.get("at")) });
  }
  return (
    <dialog
      ref={(el) => {
        if (el && !el.open) el.showModal();
      }}
      aria-labelledby="revoke-title"
      onCancel={() => onClose(false)}
      className="card"
      style={{ maxWidth: 520 }}
    >
      <form onSubmit={onSubmit} noValidate>
        <h2 id="revoke-title">Revoke “{item.name}”?</h2>
        <p className="muted">
          Signatures by it made from the revocation time on are no longer trusted. This is recorded in the ledger and cannot be undone.
        </p>
        <div className="field">
          <label htmlFor="revoke-reason">Reason</label>
          <textarea
            id="revoke-reason"
            name="reason"
            rows={2}
            maxLength={1000}
            autoFocus
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={errors.reason ? "revoke-reason-error" : undefined}
          />
          {errors.reason ? (
            <span className="field-error" id="revoke-reason-error">
              {errors.reason}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="revoke-at">Revoked from (optional; default now)</label>
          <input id="revoke-at" name="at" type="datetime-local" aria-describedby={errors.at ? "revoke-at-error" : undefined} />
          {errors.at ? (
            <span className="field-error" id="revoke-at-error">
              {errors.at}
            </span>
          ) : null}
        </div>
        {revoke.error && !Object.keys(errors).length ? (
          <div className="alert alert-bad" role="alert">
            {revoke.error.message}
          </div>
        ) : null}
        <p style={{ display: "flex", gap: "0.5rem" }}>
          <button type="submit" className="btn btn-danger" disabled={revoke.isPending}>
            {revoke.isPending ? "Revoking…" : "Revoke"}
          </button>
          <button type="button" className="btn" onClick={() => onClose(false)}>
            Cancel
          </button>
        </p>
      </form>
    </dialog>
  );
}

// ---------------------------------------------------------------------------------------------
// Forms

type FieldSpec = {
  name: string;
  label: string;
  kind: "text" | "textarea" | "checkbox" | "datetime" | "number" | "json-file";
  placeholder?: string;
  help?: string;
  defaultValue?: string;
};

const COMMON_FIELDS: FieldSpec[] = [
  { name: "environments", label: "Environments", kind: "text", placeholder: "prod, staging", help: "Empty: trusted in every environment." },
  { name: "owner", label: "Owner", kind: "text", placeholder: "release team" },
  { name: "validFrom", label: "Valid from", kind: "datetime", help: "Optional." },
  { name: "validUntil", label: "Valid until", kind: "datetime", help: "Optional." },
];

const FORMS: Record<TrustKind, { fields: FieldSpec[]; body: (form: FormData) => Record<string, unknown> }> = {
  keys: {
    fields: [
      { name: "name", label: "Name", kind: "text", placeholder: "release-key" },
      {
        name: "publicKey",
        label: "Public key",
        kind: "textarea",
        placeholder: "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----",
        help: "A PEM public key, or an ASCII-armored OpenPGP public key block.",
      },
    ],
    body: (f) => ({ name: textOf(f.get("name")) ?? "", publicKey: String(f.get("publicKey") ?? "") }),
  },
  identities: {
    fields: [
      { name: "name", label: "Name", kind: "text", placeholder: "release-workflow" },
      {
        name: "subject",
        label: "Subject",
        kind: "text",
        placeholder: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main",
        help: "The certificate SAN (URI or email).",
      },
      {
        name: "subjectPattern",
        label: "The subject is a pattern (anchored regular expression)",
        kind: "checkbox",
      },
      { name: "issuer", label: "OIDC issuer", kind: "text", placeholder: "https://token.actions.githubusercontent.com" },
    ],
    body: (f) => ({
      name: textOf(f.get("name")) ?? "",
      subject: String(f.get("subject") ?? "").trim(),
      subjectPattern: f.get("subjectPattern") === "on",
      issuer: String(f.get("issuer") ?? "").trim(),
    }),
  },
  roots: {
    fields: [
      { name: "name", label: "Name", kind: "text", placeholder: "private-sigstore" },
      { name: "trustedRoot", label: "trusted_root.json", kind: "json-file", help: "Choose the file, or paste its JSON." },
      { name: "tlog", label: "Transparency log threshold", kind: "number", defaultValue: "1" },
      { name: "ctlog", label: "CT log threshold", kind: "number", defaultValue: "1" },
      { name: "timestamp", label: "Timestamp threshold", kind: "number", defaultValue: "1" },
    ],
    body: (f) => ({
      name: textOf(f.get("name")) ?? "",
      trustedRoot: JSON.parse(String(f.get("trustedRoot") ?? "")),
      thresholds: { tlog: Number(f.get("tlog") ?? 1), ctlog: Number(f.get("ctlog") ?? 1), timestamp: Number(f.get("timestamp") ?? 1) },
    }),
  },
  "x509-roots": {
    fields: [
      { name: "name", label: "Name", kind: "text", placeholder: "notary-root" },
      {
        name: "certificate",
        label: "CA certificate",
        kind: "textarea",
        placeholder: "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----",
        help: "One PEM CA certificate.",
      },
    ],
    body: (f) => ({ name: textOf(f.get("name")) ?? "", certificate: String(f.get("certificate") ?? "") }),
  },
};

function TrustForm({ kind, singular }: { kind: TrustKind; singular: string }) {
  const qc = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<string | null>(null);
  const spec = FORMS[kind];
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      fetchJson<TrustItem>(`/api/v1/trust/${kind}`, { method: "POST", body: JSON.stringify(body) }),
    onSuccess: (item) => {
      setErrors({});
      setCreated(item.name);
      formRef.current?.reset();
      qc.invalidateQueries({ queryKey: trustKeys.all });
    },
    onError: (error) => {
      const fields = fieldErrorsOf(error);
      // Thresholds are nested in the body but are separate inputs.
      if (fields.thresholds) {
        for (const t of ["tlog", "ctlog", "timestamp"]) if (fields.thresholds.startsWith(t)) fields[t] = fields.thresholds;
      }
      setErrors(fields);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    const form = new FormData(event.currentTarget);
    let body: Record<string, unknown>;
    try {
      body = spec.body(form);
    } catch {
      setErrors({ trustedRoot: "is not valid JSON" });
      return;
    }
    const environments = listOf(form.get("environments"));
    const extra = {
      ...(environments.length ? { environments } : {}),
      ...(textOf(form.get("owner")) ? { owner: textOf(form.get("owner")) } : {}),
      ...(instantOf(form.get("validFrom")) ? { validFrom: instantOf(form.get("validFrom")) } : {}),
      ...(instantOf(form.get("validUntil")) ? { validUntil: instantOf(form.get("validUntil")) } : {}),
    };
    const missing: FieldErrors = {};
    for (const field of ["name", "publicKey", "subject", "issuer", "certificate"]) {
      if (field in body && !body[field]) missing[field] = "is required";
    }
    setErrors(missing);
    if (Object.keys(missing).length) return;
    create.mutate({ ...body, ...extra });
  }

  const fields = [...spec.fields, ...COMMON_FIELDS];
  const general = create.error && !(create.error instanceof ApiError && create.error.errors.length) ? create.error.message : null;
  return (
    <section className="card" aria-labelledby={`new-${kind}`} style={{ marginTop: "1rem" }}>
      <h2 id={`new-${kind}`}>Add {withArticle(singular)}</h2>
      {created ? (
        <div className="alert alert-ok" role="status">
          “{created}” is now trusted.
        </div>
      ) : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        {fields.map((field) => (
          <Field key={field.name} kind={kind} field={field} error={errors[field.name]} />
        ))}
        {general ? (
          <div className="alert alert-bad" role="alert">
            {general}
          </div>
        ) : null}
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : `Add ${singular}`}
        </button>
      </form>
    </section>
  );
}

function Field({ kind, field, error }: { kind: TrustKind; field: FieldSpec; error?: string }) {
  const id = `trust-${kind}-${field.name}`;
  const textRef = useRef<HTMLTextAreaElement>(null);
  const described = [error ? `${id}-error` : null, field.help ? `${id}-help` : null].filter(Boolean).join(" ") || undefined;
  const a11y = { "aria-invalid": error ? true : undefined, "aria-describedby": described } as const;
  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    if (file && textRef.current) textRef.current.value = await file.text();
  }
  const messages = (
    <>
      {field.help ? (
        <span className="muted" id={`${id}-help`}>
          {field.help}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </>
  );
  if (field.kind === "checkbox") {
    return (
      <div className="field checks">
        <label>
          <input id={id} name={field.name} type="checkbox" {...a11y} /> {field.label}
        </label>
        {messages}
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{field.label}</label>
      {field.kind === "textarea" ? (
        <textarea id={id} name={field.name} rows={6} className="mono" placeholder={field.placeholder} spellCheck={false} {...a11y} />
      ) : field.kind === "json-file" ? (
        <>
          <input
            id={`${id}-file`}
            type="file"
            accept="application/json,.json"
            aria-label={`${field.label} file`}
            onChange={(event) => void onFile(event)}
          />
          <textarea
            ref={textRef}
            id={id}
            name={field.name}
            rows={6}
            className="mono"
            placeholder='{ "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", … }'
            spellCheck={false}
            {...a11y}
          />
        </>
      ) : (
        <input
          id={id}
          name={field.name}
          type={field.kind === "datetime" ? "datetime-local" : field.kind === "number" ? "number" : "text"}
          min={field.kind === "number" ? 0 : undefined}
          max={field.kind === "number" ? 10 : undefined}
          defaultValue={field.defaultValue}
          placeholder={field.placeholder}
          {...a11y}
        />
      )}
      {messages}
    </div>
  );
}

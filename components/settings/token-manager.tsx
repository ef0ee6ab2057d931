"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";
import { TOKEN_SCOPES } from "@/lib/auth/permissions";
import type { TokenListItem } from "@/lib/server/tokens/list-tokens";

export const tokenKeys = { all: ["tokens"] as const, list: () => [...tokenKeys.all, "list"] as const };

const SCOPE_HELP: Record<string, string> = {
  ingest: "send events, signatures, attestations, verifications",
  read: "read artefacts, lineage, alerts, the ledger",
  admin: "manage trust (keys, identities, roots, policies)",
  admission: "ask the admission gate",
};

type Created = { id: string; name: string; scopes: string[]; secret: string };

export function TokenManager({ initialTokens }: { initialTokens: TokenListItem[] }) {
  const qc = useQueryClient();
  const tokens = useQuery({
    queryKey: tokenKeys.list(),
    queryFn: () => fetchJson<{ items: TokenListItem[] }>("/api/v1/tokens").then((r) => r.items),
    initialData: initialTokens,
  });
  const [created, setCreated] = useState<Created | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (input: { name: string; scopes: string[]; expiresInDays?: number }) =>
      fetchJson<Created>("/api/v1/tokens", { method: "POST", body: JSON.stringify(input) }),
    onSuccess: (token) => {
      setCreated(token);
      setFieldErrors({});
      qc.invalidateQueries({ queryKey: tokenKeys.all });
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        setFieldErrors(Object.fromEntries(error.errors.map((e) => [e.path.replace(/^\$\./, "").split(/[.[]/)[0] ?? "", e.message])));
      }
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => fetchJson(`/api/v1/tokens/${id}/revoke`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const scopes = form.getAll("scopes").map(String);
    const expiry = String(form.get("expiresInDays") ?? "");
    const errors: Record<string, string> = {};
    if (!name) errors.name = "Give the token a name, e.g. the pipeline that will use it.";
    if (scopes.length === 0) errors.scopes = "Choose at least one scope.";
    setFieldErrors(errors);
    if (Object.keys(errors).length) return;
    create.mutate({ name, scopes, ...(expiry ? { expiresInDays: Number(expiry) } : {}) });
  }

  return (
    <>
      {created ? (
        <div className="alert alert-ok" role="status" data-testid="token-created">
          <p>
            <strong>Token “{created.name}” created.</strong> Copy it now: it will not be shown again.
          </p>
          <div className="secret" data-testid="token-secret">
            {created.secret}
          </div>
          <p style={{ marginTop: "0.5rem" }}>
            <CopyButton value={created.secret} label="Copy token" />{" "}
            <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </p>
        </div>
      ) : null}
      <section className="card" aria-labelledby="new-token" style={{ marginBottom: "1rem" }}>
        <h2 id="new-token">New token</h2>
        <form onSubmit={onSubmit} noValidate>
          <div className="field">
            <label htmlFor="token-name">Name</label>
            <input
              id="token-name"
              name="name"
              type="text"
              maxLength={100}
              placeholder="release pipeline"
              aria-invalid={fieldErrors.name ? true : undefined}
              aria-describedby={fieldErrors.name ? "token-name-error" : undefined}
            />
            {fieldErrors.name ? (
              <span className="field-error" id="token-name-error">
                {fieldErrors.name}
              </span>
            ) : null}
          </div>
          <fieldset aria-describedby={fieldErrors.scopes ? "token-scopes-error" : undefined}>
            <legend className="field">
              <strong>Scopes</strong>
            </legend>
            <div className="checks">
              {TOKEN_SCOPES.map((s) => (
                <label key={s}>
                  <input type="checkbox" name="scopes" value={s} defaultChecked={s === "ingest"} /> {s}{" "}
                  <span className="muted">({SCOPE_HELP[s]})</span>
                </label>
              ))}
            </div>
            {fieldErrors.scopes ? (
              <span className="field-error" id="token-scopes-error">
                {fieldErrors.scopes}
              </span>
            ) : null}
          </fieldset>
          <div className="field" style={{ maxWidth: 240 }}>
            <label htmlFor="token-expiry">Expires</label>
            <select id="token-expiry" name="expiresInDays" defaultValue="">
              <option value="">Never</option>
              <option value="30">In 30 days</option>
              <option value="90">In 90 days</option>
              <option value="365">In a year</option>
            </select>
          </div>
          {create.error && !(create.error instanceof ApiError && create.error.errors.length) ? (
            <div className="alert alert-bad" role="alert">
              {create.error.message}
            </div>
          ) : null}
          <button className="btn btn-primary" type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create token"}
          </button>
        </form>
      </section>
      <section aria-labelledby="tokens-list">
        <h2 id="tokens-list">Tokens</h2>
        {revoke.error ? (
          <div className="alert alert-bad" role="alert">
            Could not revoke: {revoke.error.message}
          </div>
        ) : null}
        {tokens.data.length === 0 ? (
          <div className="card empty">
            <p>No tokens yet. Create one above for each pipeline or registry.</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table aria-label="API tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Token</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="muted">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.map((t) => (
                  <tr key={t.id} data-testid="token-row">
                    <td>{t.name}</td>
                    <td>
                      <code>{t.prefix}…</code>
                    </td>
                    <td>{t.scopes.join(", ")}</td>
                    <td>
                      <Time iso={t.createdAt} />
                      {t.createdBy ? <div className="muted">{t.createdBy}</div> : null}
                    </td>
                    <td>{t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : <span className="muted">never</span>}</td>
                    <td>
                      {t.revokedAt ? (
                        <span className="badge badge-bad">revoked</span>
                      ) : t.expiresAt && new Date(t.expiresAt) < new Date() ? (
                        <span className="badge badge-warn">expired</span>
                      ) : (
                        <span className="badge badge-ok">active</span>
                      )}
                    </td>
                    <td>
                      {t.revokedAt ? null : (
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          disabled={revoke.isPending}
                          onClick={() => {
                            if (window.confirm(`Revoke “${t.name}”? Pipelines using it will get 401 at once.`)) revoke.mutate(t.id);
                          }}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

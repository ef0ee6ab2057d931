"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { ApiError, fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";
import type { NamespaceMappingsAnswer } from "@/lib/server/admission/schemas";

export const admissionKeys = {
  all: ["admission"] as const,
  namespaces: () => [...admissionKeys.all, "namespaces"] as const,
};

type Row = { key: number; namespace: string; environment: string };

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENVIRONMENT = /^[A-Za-z0-9][\w.-]*$/;

/** "$.namespaces.payments" or '$.namespaces["payments-eu"]' -> the namespace the problem is about. */
function namespaceOfPath(path: string): string | null {
  const m = /^\$\.namespaces(?:\.([A-Za-z_$][\w$]*)|\[("(?:[^"\\]|\\.)*")\])$/.exec(path);
  if (!m) return null;
  if (m[1]) return m[1];
  try {
    return JSON.parse(m[2] ?? "") as string;
  } catch {
    return null;
  }
}

function rowsOf(namespaces: Record<string, string>): Row[] {
  return Object.entries(namespaces).map(([namespace, environment], key) => ({ key, namespace, environment }));
}

export function AdmissionNamespaces({ initial, canEdit }: { initial: NamespaceMappingsAnswer; canEdit: boolean }) {
  const qc = useQueryClient();
  const mappings = useQuery({
    queryKey: admissionKeys.namespaces(),
    queryFn: () => fetchJson<NamespaceMappingsAnswer>("/api/v1/admission/namespaces"),
    initialData: initial,
  });
  const [rows, setRows] = useState<Row[] | null>(null);
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const nextKey = useRef(1000);
  const inputs = useRef(new Map<number, HTMLInputElement | null>());
  const editing = rows ?? rowsOf(mappings.data.namespaces);

  const save = useMutation({
    mutationFn: (namespaces: Record<string, string>) =>
      fetchJson<NamespaceMappingsAnswer & { changed: boolean }>("/api/v1/admission/namespaces", {
        method: "PUT",
        body: JSON.stringify({ namespaces }),
      }),
    onSuccess: (answer) => {
      qc.setQueryData(admissionKeys.namespaces(), { namespaces: answer.namespaces, updatedAt: answer.updatedAt });
      qc.invalidateQueries({ queryKey: admissionKeys.all });
      setRows(null);
      setSaved(true);
    },
    onError: (error) => {
      const byRow: Record<number, string> = {};
      const other: string[] = [];
      for (const e of error instanceof ApiError ? error.errors : []) {
        const ns = namespaceOfPath(e.path);
        const row = ns === null ? undefined : editing.find((r) => r.namespace.trim() === ns);
        if (row) byRow[row.key] = byRow[row.key] ? `${byRow[row.key]}; ${e.message}` : e.message;
        else other.push(`${e.path}: ${e.message}`);
      }
      setErrors(byRow);
      setGeneral(other.length || Object.keys(byRow).length ? other : [error.message]);
    },
  });

  function update(key: number, field: "namespace" | "environment", value: string) {
    setSaved(false);
    setRows(editing.map((r) => (r.key === key ? { ...r, [field]: value } : r)));
  }

  function add() {
    const key = nextKey.current++;
    setSaved(false);
    setRows([...editing, { key, namespace: "", environment: "" }]);
    // Focus the new row's first field once it is rendered.
    setTimeout(() => inputs.current.get(key)?.focus(), 0);
  }

  function remove(key: number) {
    setSaved(false);
    setRows(editing.filter((r) => r.key !== key));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    setGeneral([]);
    const problems: Record<number, string> = {};
    const seen = new Set<string>();
    const namespaces: Record<string, string> = {};
    for (const row of editing) {
      const namespace = row.namespace.trim();
      const environment = row.environment.trim();
      if (!namespace && !environment) continue;
      if (namespace.length > 63 || !NAMESPACE.test(namespace))
        problems[row.key] = "namespace: lowercase letters, digits and -, at most 63, starting and ending alphanumeric";
      else if (seen.has(namespace)) problems[row.key] = "namespace: listed twice";
      else if (environment.length > 100 || !ENVIRONMENT.test(environment))
        problems[row.key] = "environment: letters, digits, . _ - (as in trust policies)";
      seen.add(namespace);
      namespaces[namespace] = environment;
    }
    setErrors(problems);
    if (Object.keys(problems).length) return;
    save.mutate(namespaces);
  }

  if (!canEdit) {
    const entries = Object.entries(mappings.data.namespaces);
    return entries.length === 0 ? (
      <p className="muted">No namespace is mapped: each namespace is decided under the policy of the environment of the same name.</p>
    ) : (
      <div className="table-wrap">
        <table aria-label="Namespace mappings">
          <thead>
            <tr>
              <th scope="col">Namespace</th>
              <th scope="col">Environment</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([namespace, environment]) => (
              <tr key={namespace} data-testid="namespace-mapping">
                <td>
                  <code>{namespace}</code>
                </td>
                <td>{environment}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby="namespaces-help">
      <p className="muted" id="namespaces-help">
        A namespace without a mapping is decided under the policy of the environment of the same name. Saving replaces the whole mapping;
        every change is recorded in the ledger.
        {mappings.data.updatedAt ? (
          <>
            {" "}
            Last changed <Time iso={mappings.data.updatedAt} />.
          </>
        ) : null}
      </p>
      {general.length ? (
        <div className="alert alert-bad" role="alert">
          The mapping was not saved:
          <ul>
            {general.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {saved ? (
        <div className="alert alert-ok" role="status">
          The namespace mapping is saved.
        </div>
      ) : null}
      <div className="table-wrap">
        <table aria-label="Namespace mappings">
          <thead>
            <tr>
              <th scope="col">Namespace</th>
              <th scope="col">Environment</th>
              <th scope="col">
                <span className="muted">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {editing.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  No namespace is mapped yet.
                </td>
              </tr>
            ) : null}
            {editing.map((row, index) => {
              const error = errors[row.key];
              const errorId = `mapping-error-${row.key}`;
              return (
                <tr key={row.key} data-testid="namespace-mapping">
                  <td>
                    <input
                      ref={(el) => {
                        inputs.current.set(row.key, el);
                      }}
                      type="text"
                      aria-label={`Namespace ${index + 1}`}
                      value={row.namespace}
                      placeholder="payments"
                      maxLength={63}
                      spellCheck={false}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? errorId : undefined}
                      onChange={(e) => update(row.key, "namespace", e.target.value)}
                    />
                    {error ? (
                      <span className="field-error" id={errorId}>
                        {error}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <input
                      type="text"
                      aria-label={`Environment for namespace ${index + 1}`}
                      value={row.environment}
                      placeholder="prod"
                      maxLength={100}
                      spellCheck={false}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? errorId : undefined}
                      onChange={(e) => update(row.key, "environment", e.target.value)}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Remove the mapping of ${row.namespace || `namespace ${index + 1}`}`}
                      onClick={() => remove(row.key)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p style={{ display: "flex", gap: "0.5rem", marginTop: "0.75rem" }}>
        <button type="button" className="btn" onClick={add}>
          Add a namespace
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save mapping"}
        </button>
      </p>
    </form>
  );
}

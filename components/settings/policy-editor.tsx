"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

const EXAMPLE = `requireDigestPinning: true
signatures:
  required: 1
  signers: [release-key]
attestations:
  - predicateType: https://slsa.dev/provenance/v1
    builder: "^https://github\\\\.com/acme/.+$"
allowedRegistries: [registry.acme.dev]
movableTags: []
`;

type Problem = { detail?: string; errors?: Array<{ path: string; message: string }> };

export function PolicyEditor() {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const environment = String(form.get("environment") ?? "").trim();
    const document = String(form.get("document") ?? "");
    setProblem(null);
    setSaved(null);
    if (!/^[A-Za-z0-9][\w.-]{0,99}$/.test(environment)) {
      setProblem({ errors: [{ path: "environment", message: "an environment name: letters, digits, . _ -" }] });
      return;
    }
    setPending(true);
    const res = await fetch(`/api/v1/policies/${encodeURIComponent(environment)}`, {
      method: "PUT",
      headers: { "content-type": "application/yaml" },
      body: document,
    });
    setPending(false);
    if (!res.ok) {
      setProblem(((await res.json().catch(() => null)) as Problem | null) ?? { detail: `Could not save (${res.status})` });
      return;
    }
    setSaved(environment);
    router.refresh();
  }

  return (
    <section className="card" aria-labelledby="edit-policy">
      <h2 id="edit-policy">Set a policy</h2>
      <form onSubmit={onSubmit} noValidate>
        {problem ? (
          <div className="alert alert-bad" role="alert">
            {problem.detail ?? "The policy has problems:"}
            {problem.errors?.length ? (
              <ul>
                {problem.errors.map((e) => (
                  <li key={`${e.path}-${e.message}`}>
                    <code>{e.path}</code> {e.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {saved ? (
          <div className="alert alert-ok" role="status">
            The policy for {saved} is saved.
          </div>
        ) : null}
        <div className="field" style={{ maxWidth: 320 }}>
          <label htmlFor="policy-environment">Environment</label>
          <input id="policy-environment" name="environment" type="text" placeholder="prod" maxLength={100} required />
        </div>
        <div className="field">
          <label htmlFor="policy-document">Policy (YAML)</label>
          <textarea
            id="policy-document"
            name="document"
            rows={12}
            defaultValue={EXAMPLE}
            spellCheck={false}
            style={{ fontFamily: "var(--mono)" }}
          />
          <span className="hint">Replaces the environment&apos;s policy. Every change is recorded in the ledger.</span>
        </div>
        <button className="btn btn-primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save policy"}
        </button>
      </form>
    </section>
  );
}

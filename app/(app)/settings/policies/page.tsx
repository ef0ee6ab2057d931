import type { Metadata } from "next";
import Link from "next/link";
import { stringify } from "yaml";
import { PolicyEditor } from "@/components/settings/policy-editor";
import { Time } from "@/components/ui/time";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { listPolicies } from "@/lib/server/policies/list-policies";

export const metadata: Metadata = { title: "Policies" };
export const dynamic = "force-dynamic";

export default async function PoliciesPage() {
  const user = await requirePagePermission("settings:read", "/settings/policies");
  const policies = await listPolicies();
  const canEdit = actorCan(user, "trust:manage");
  return (
    <>
      <div className="page-header">
        <div>
          <p>
            <Link href="/settings">Settings</Link> /
          </p>
          <h1>Trust policies</h1>
          <p>What an artefact needs before it may run in each environment. Keep them in git: each is a YAML document.</p>
        </div>
      </div>
      {policies.length === 0 ? (
        <div className="card empty">
          <p>
            No environment is known yet. Without a policy of its own, every environment uses the built-in default: one verified signature,
            digest-pinned.
          </p>
        </div>
      ) : (
        policies.map((p) => (
          <section className="card" key={p.environment} aria-labelledby={`policy-${p.environment}`} data-testid="policy">
            <h2 id={`policy-${p.environment}`}>
              {p.environment} {p.isDefault ? <span className="badge">built-in default</span> : null}
            </h2>
            {p.updatedAt ? (
              <p className="muted">
                Set <Time iso={p.updatedAt} /> by <code>{p.updatedBy}</code>
              </p>
            ) : null}
            <pre className="raw">{stringify(p.policy)}</pre>
          </section>
        ))
      )}
      {canEdit ? <PolicyEditor /> : <p className="muted">Only administrators and security may change policies.</p>}
    </>
  );
}

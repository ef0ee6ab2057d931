import type { Metadata } from "next";
import Link from "next/link";
import { Time } from "@/components/ui/time";
import { actorCan } from "@/lib/auth/actor";
import { ROLE_DESCRIPTIONS } from "@/lib/auth/permissions";
import { requirePagePermission } from "@/lib/auth/session";
import { listUsers } from "@/lib/server/users/list-users";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const user = await requirePagePermission("settings:read", "/settings");
  const canManageUsers = actorCan(user, "users:manage");
  const users = canManageUsers ? await listUsers() : [];
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Settings</h1>
          <p>Access to Vitrine: API tokens for pipelines, and the people who sign in.</p>
        </div>
      </div>
      <div className="two-col">
        {actorCan(user, "tokens:manage") ? (
          <section className="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">API tokens</h2>
            <p className="muted">Pipelines, registries and admission controllers authenticate with scoped tokens.</p>
            <Link className="btn btn-primary" href="/settings/tokens">
              Manage API tokens
            </Link>
          </section>
        ) : null}
        <section className="card" aria-labelledby="trust-heading">
          <h2 id="trust-heading">Trust</h2>
          <p className="muted">
            Trusted keys, keyless identities, Sigstore trust roots and X.509 roots, with their validity and revocations.
          </p>
          <Link className="btn" href="/settings/trust">
            {actorCan(user, "trust:manage") ? "Manage trust" : "View trust"}
          </Link>
        </section>
        <section className="card" aria-labelledby="policies-heading">
          <h2 id="policies-heading">Policies</h2>
          <p className="muted">What an artefact needs in each environment: signers, attestations, pinning, registries, movable tags.</p>
          <Link className="btn" href="/settings/policies">
            {actorCan(user, "trust:manage") ? "Manage policies" : "View policies"}
          </Link>
        </section>
        <section className="card" aria-labelledby="admission-heading">
          <h2 id="admission-heading">Admission</h2>
          <p className="muted">Vitrine as the Kubernetes admission gate: namespaces to environments, recent decisions, webhook set-up.</p>
          <Link className="btn" href="/settings/admission">
            {actorCan(user, "trust:manage") ? "Manage admission" : "View admission"}
          </Link>
        </section>
        <section className="card" aria-labelledby="notifications-heading">
          <h2 id="notifications-heading">Notifications</h2>
          <p className="muted">
            Where alerts go: signed webhooks, Slack and email, routed by severity, rule and environment; escalation times.
          </p>
          <Link className="btn" href="/settings/notifications">
            {actorCan(user, "trust:manage") ? "Manage notifications" : "View notifications"}
          </Link>
        </section>
        <section className="card" aria-labelledby="ingest-heading">
          <h2 id="ingest-heading">Ingestion</h2>
          <p className="muted">What each token sent, what was refused and why, and copy-paste examples for every route.</p>
          <Link className="btn" href="/settings/ingestion">
            Open ingestion
          </Link>
        </section>
      </div>
      <section className="card" aria-labelledby="roles-heading" style={{ marginTop: "1rem" }}>
        <h2 id="roles-heading">Roles</h2>
        <dl className="props">
          {Object.entries(ROLE_DESCRIPTIONS).map(([role, text]) => (
            <div key={role} style={{ display: "contents" }}>
              <dt>
                <span className="badge">{role}</span>
              </dt>
              <dd>{text}</dd>
            </div>
          ))}
        </dl>
      </section>
      {canManageUsers ? (
        <section className="card" aria-labelledby="users-heading">
          <h2 id="users-heading">People ({users.length})</h2>
          <p className="muted">
            Create users with <code>npx vitrine user create --email E --role R --password-stdin</code>, or let them sign in with single
            sign-on.
          </p>
          <div className="table-wrap">
            <table aria-label="Users">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sign-in</th>
                  <th scope="col">Last sign-in</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id}>
                    <td>
                      {u.email} {u.isDemo ? <span className="badge badge-demo">demo</span> : null}{" "}
                      {u.disabled ? <span className="badge badge-bad">disabled</span> : null}
                    </td>
                    <td>{u.role}</td>
                    <td>{u.sso ? "single sign-on" : "password"}</td>
                    <td>{u.lastSignInAt ? <Time iso={u.lastSignInAt} /> : <span className="muted">never</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}

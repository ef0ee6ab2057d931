import type { Metadata } from "next";
import Link from "next/link";
import { AdmissionNamespaces } from "@/components/settings/admission-namespaces";
import { Time } from "@/components/ui/time";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { getNamespaceMappings } from "@/lib/server/admission/get-namespace-mappings";
import { listAdmissionDecisions } from "@/lib/server/admission/list-admission-decisions";

export const metadata: Metadata = { title: "Admission" };
export const dynamic = "force-dynamic";

const WEBHOOK = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vitrine
webhooks:
  - name: admission.vitrine.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None            # dry-run requests are recorded, never acted on
    timeoutSeconds: 5
    failurePolicy: Fail          # prod; Ignore (with alerting) where availability matters more
    clientConfig:
      url: https://vitrine.example.com/api/v1/admission/review
    rules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["pods", "pods/ephemeralcontainers"]
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments", "statefulsets", "daemonsets", "replicasets"]
      - apiGroups: ["batch"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["jobs", "cronjobs"]
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "vitrine"]`;

export default async function AdmissionPage() {
  const user = await requirePagePermission("settings:read", "/settings/admission");
  const [mappings, decisions] = await Promise.all([getNamespaceMappings(), listAdmissionDecisions({ limit: 50 })]);
  const canEdit = actorCan(user, "trust:manage");
  return (
    <>
      <div className="page-header">
        <div>
          <p>
            <Link href="/settings">Settings</Link> /
          </p>
          <h1>Admission</h1>
          <p>
            Vitrine as the Kubernetes admission gate: the trust policy that colours the dashboard decides what may run, and every decision
            is kept.
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="namespaces-heading">
        <h2 id="namespaces-heading">Namespaces and environments</h2>
        <AdmissionNamespaces initial={mappings} canEdit={canEdit} />
        {canEdit ? null : <p className="muted">Only administrators and security may change the mapping.</p>}
      </section>

      <section className="card" aria-labelledby="decisions-heading">
        <h2 id="decisions-heading">Recent decisions</h2>
        {decisions.length === 0 ? (
          <div className="empty">
            <p>No admission review has been decided yet. Set up the webhook below.</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table aria-label="Recent admission decisions">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Namespace → environment</th>
                  <th scope="col">Workload</th>
                  <th scope="col">Images</th>
                </tr>
              </thead>
              <tbody>
                {decisions.map((d) => (
                  <tr key={d.id} data-testid="admission-decision">
                    <td className="nowrap">
                      <Time iso={d.decidedAt} />
                      <div className="muted small">{d.durationMs.toFixed(1)} ms</div>
                    </td>
                    <td>
                      <span className={d.allowed ? "badge badge-ok" : "badge badge-bad"}>{d.allowed ? "allowed" : "denied"}</span>
                      {d.dryRun ? <span className="badge"> dry run</span> : null}
                    </td>
                    <td>
                      <code>{d.namespace}</code> → {d.environment}
                    </td>
                    <td>
                      <code className="wrap-anywhere">{d.workload}</code>
                      <div className="muted small">
                        {d.operation}
                        {d.requestedBy ? ` by ${d.requestedBy}` : null}
                      </div>
                    </td>
                    <td>
                      <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
                        {d.images.map((image) => (
                          <li key={image.reference}>
                            <span className={image.pass ? "badge badge-ok" : "badge badge-bad"}>{image.pass ? "pass" : "fail"}</span>{" "}
                            <code className="wrap-anywhere">{image.reference}</code>
                            {image.resolvedFromTag && image.digest ? (
                              <div className="muted small">
                                tag resolved to <code className="digest">{image.digest}</code>
                              </div>
                            ) : null}
                            {image.failures.map((f) => (
                              <div key={`${f.requirement}-${f.reason}`} className="small">
                                <strong>{f.requirement}</strong>: {f.reason}
                              </div>
                            ))}
                          </li>
                        ))}
                        {d.images.length === 0 ? <li className="muted">no images ({d.operation})</li> : null}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="setup-heading">
        <h2 id="setup-heading">Webhook set-up</h2>
        <ol>
          <li>
            An administrator creates a token with the <code>admission</code> scope (it can do nothing else):{" "}
            <code>npx vitrine token create --name gate --scope admission</code>.
          </li>
          <li>
            Give it to the API server: in the admission configuration file (<code>--admission-control-config-file</code>), a kubeconfig for
            the webhook&apos;s host with <code>token: vtr_…</code>. The API server sends it as <code>Authorization: Bearer</code>.
          </li>
          <li>
            Register the webhook. Exclude <code>kube-system</code> and Vitrine&apos;s own namespace, so neither can lock itself out. The
            full guide, with <code>failurePolicy</code> advice, is <code>docs/admission.md</code>.
          </li>
        </ol>
        <pre className="raw">{WEBHOOK}</pre>
      </section>
    </>
  );
}

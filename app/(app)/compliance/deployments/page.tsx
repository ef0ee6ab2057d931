import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/compliance/compliance.module.css";
import {
  complianceHref,
  drillDownHref,
  MEASURE_KEYS,
  MEASURES,
  type MeasureKey,
  REQUIREMENT_KEYS,
  REQUIREMENTS,
  type RequirementKey,
  readFilters,
} from "@/components/compliance/compliance-links";
import { DeploymentPolicy } from "@/components/nouns/deployment-policy";
import { tagHref } from "@/components/nouns/hrefs";
import nouns from "@/components/nouns/nouns.module.css";
import { Pager } from "@/components/nouns/pager";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { AppError } from "@/lib/api/errors";
import { requirePagePermission } from "@/lib/auth/session";
import {
  type ComplianceDeployment,
  type ComplianceDeploymentPage,
  listComplianceDeployments,
} from "@/lib/server/compliance/list-compliance-deployments";
import { ZComplianceEnvironment } from "@/lib/server/compliance/schemas";
import { firstParam, MessageCard } from "../../_nouns/params";

export const metadata: Metadata = { title: "Compliance: deployments" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function titleOf(measure: MeasureKey, value: boolean, requirement: RequirementKey | undefined): string {
  if (requirement) return `Failing ${REQUIREMENTS[requirement].toLowerCase()}`;
  if (measure === "total") return value ? "All deployments" : "No deployments";
  return value ? MEASURES[measure].label : MEASURES[measure].missing;
}

export default async function ComplianceDeploymentsPage({ searchParams }: Props) {
  await requirePagePermission("read", "/compliance/deployments");
  const sp = await searchParams;
  const now = new Date();
  const environment = firstParam(sp.environment) ?? "";
  const measureParam = firstParam(sp.measure) ?? "total";
  const requirementParam = firstParam(sp.requirement);
  const back = { href: "/compliance", label: "Compliance" };
  if (!ZComplianceEnvironment.safeParse(environment).success) {
    return (
      <MessageCard alert title="Which environment?" back={back}>
        This list needs an environment name (letters, digits, dots, underscores and dashes). Open it from a number on the compliance page.
      </MessageCard>
    );
  }
  if (!(MEASURE_KEYS as readonly string[]).includes(measureParam)) {
    return (
      <MessageCard alert title="Not a measure" back={back}>
        The measure must be one of {MEASURE_KEYS.join(", ")}.
      </MessageCard>
    );
  }
  if (requirementParam && !(REQUIREMENT_KEYS as readonly string[]).includes(requirementParam)) {
    return (
      <MessageCard alert title="Not a policy requirement" back={back}>
        The requirement must be one of {REQUIREMENT_KEYS.join(", ")}.
      </MessageCard>
    );
  }
  const measure = measureParam as MeasureKey;
  const requirement = requirementParam as RequirementKey | undefined;
  const value = firstParam(sp.value) !== "false";
  const cursor = firstParam(sp.cursor);
  const { window, filters } = readFilters({ sp, environment, now });
  let page: ComplianceDeploymentPage;
  let problem: string | null = null;
  try {
    page = await listComplianceDeployments({ environment, window, measure, value, requirement, cursor });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "unprocessable") throw error;
    problem = "That page link is not valid any more: here is the first page.";
    page = await listComplianceDeployments({ environment, window, measure, value, requirement });
  }
  const title = titleOf(measure, value, requirement);
  const last = new Date(window.to.getTime() - 1);
  const until = window.to.getTime() >= now.getTime() ? "now" : last.toISOString().slice(0, 10);
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <p className="muted small">
            <Link href={complianceHref(filters)}>Compliance</Link> / {environment} /
          </p>
          <h1 className="wrap-anywhere">
            {title} <span className="muted">in {environment}</span>
          </h1>
          <p>
            <span data-testid="drill-total">{page.total.toLocaleString("en")}</span> deployment{page.total === 1 ? "" : "s"} active between{" "}
            {window.from.toISOString().slice(0, 10)} and {until} (UTC)
            {measure !== "total" && !requirement && value ? ` — ${MEASURES[measure].help}` : ""}.
          </p>
        </div>
        <div className={nouns.actions}>
          {measure !== "total" && !requirement ? (
            <Link className="btn" href={drillDownHref(filters, { measure, value: !value })}>
              Show the others: {value ? MEASURES[measure].missing.toLowerCase() : MEASURES[measure].label.toLowerCase()}
            </Link>
          ) : null}
          <Link className="btn" href={complianceHref(filters)}>
            Back to the figures
          </Link>
        </div>
      </div>

      {problem ? (
        <div className="alert alert-warn" role="alert">
          {problem}
        </div>
      ) : null}

      <section className="card" aria-labelledby="list-title">
        <h2 id="list-title" className={styles.srOnly}>
          Deployments
        </h2>
        {page.items.length === 0 ? (
          <p className="muted" data-testid="drill-empty">
            No deployment in {environment} matches in this window.
          </p>
        ) : (
          <DeploymentTable rows={page.items} />
        )}
        <Pager
          label="Deployment pages"
          first={cursor ? drillDownHref(filters, { measure, value, requirement }) : null}
          next={page.nextCursor ? drillDownHref(filters, { measure, value, requirement, cursor: page.nextCursor }) : null}
        />
      </section>
    </>
  );
}

function Check({ ok, yes, no, title }: { ok: boolean; yes: string; no: string; title: string }) {
  return (
    <span className={`badge ${ok ? "badge-ok" : "badge-bad"}`} title={title} style={{ whiteSpace: "nowrap" }}>
      <span aria-hidden="true">{ok ? "✓" : "✗"}</span> {ok ? yes : no}
    </span>
  );
}

function DeploymentTable({ rows }: { rows: ComplianceDeployment[] }) {
  return (
    <div className="table-wrap">
      <table className={nouns.stack} aria-label="Deployments">
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Artefact</th>
            <th scope="col">Reference</th>
            <th scope="col">Ran</th>
            <th scope="col">Verified</th>
            <th scope="col">Policy</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-testid="drill-row">
              <td data-label="Workload" className="wrap-anywhere">
                <strong>{d.workload}</strong>
                {d.namespace || d.cluster ? (
                  <div className="muted small">{[d.cluster, d.namespace].filter(Boolean).join(" / ")}</div>
                ) : null}
              </td>
              <td data-label="Artefact">
                {d.artifact ? (
                  <>
                    <DigestLink digest={d.artifact.digest} />
                    {d.artifact.name ? <div className="small muted wrap-anywhere">{d.artifact.name}</div> : null}
                  </>
                ) : (
                  <span className="badge badge-warn">unresolved tag</span>
                )}
              </td>
              <td data-label="Reference">
                {d.measures.pinned ? (
                  <span className="badge badge-ok">digest-pinned</span>
                ) : d.tagReference ? (
                  <>
                    <span className="badge badge-warn">by tag</span>
                    <div className="small wrap-anywhere">
                      <Link href={tagHref(d.tagReference)}>{d.tagReference}</Link>
                    </div>
                  </>
                ) : (
                  <span className="badge badge-warn">not pinned</span>
                )}
              </td>
              <td data-label="Ran">
                <Time iso={d.startedAt} />
                <div className="small muted">
                  {d.endedAt ? (
                    <>
                      {d.status} <Time iso={d.endedAt} />
                    </>
                  ) : (
                    "running"
                  )}
                </div>
              </td>
              <td data-label="Verified">
                <div className={styles.checks}>
                  <Check ok={d.measures.verifiedSignature} yes="signed" no="not signed" title={MEASURES.verifiedSignature.help} />
                  <Check ok={d.measures.verifiedProvenance} yes="provenance" no="no provenance" title={MEASURES.verifiedProvenance.help} />
                  <Check ok={d.measures.admitted} yes="admitted" no="not admitted" title={MEASURES.admitted.help} />
                </div>
              </td>
              <td data-label="Policy">
                <DeploymentPolicy policy={d.policy} ended={d.endedAt !== null} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeploymentPolicy } from "@/components/nouns/deployment-policy";
import { environmentHref, tagHref } from "@/components/nouns/hrefs";
import styles from "@/components/nouns/nouns.module.css";
import { hrefWith, Pager } from "@/components/nouns/pager";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { AppError } from "@/lib/api/errors";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import type { TrustPolicy } from "@/lib/domain/policy";
import {
  type EnvironmentDeployment,
  type EnvironmentDetail,
  getEnvironment,
  isEnvironmentName,
} from "@/lib/server/environments/get-environment";
import { decodedParam, firstParam, MessageCard } from "../../_nouns/params";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `Environment ${decodedParam(name).slice(0, 60)}` };
}

export default async function EnvironmentPage({ params, searchParams }: Props) {
  const { name: raw } = await params;
  const name = decodedParam(raw);
  const user = await requirePagePermission("read", environmentHref(name));
  if (!isEnvironmentName(name)) {
    return (
      <MessageCard alert title="Not an environment name" back={{ href: "/environments", label: "All environments" }}>
        An environment name is 1 to 200 printable characters.
      </MessageCard>
    );
  }
  const sp = await searchParams;
  const current = { running: firstParam(sp.running), ended: firstParam(sp.ended) };
  let env: EnvironmentDetail | null;
  let problem: string | null = null;
  try {
    env = await getEnvironment({ name, runningCursor: current.running, endedCursor: current.ended });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "unprocessable") throw error;
    problem = "That page link is not valid any more: here are the first pages.";
    env = await getEnvironment({ name });
  }
  if (!env) notFound();
  const base = environmentHref(env.name);
  const canSettings = actorCan(user, "settings:read");
  const policyHref = `/settings/policies#policy-${encodeURIComponent(env.name)}`;
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <p className="muted small">
            <Link href="/environments">Environments</Link> /
          </p>
          <h1 className="wrap-anywhere">
            {env.name} {env.isDemo ? <span className="badge badge-demo">demo</span> : null}
          </h1>
          {env.uri ? <p className="wrap-anywhere">{env.uri}</p> : null}
        </div>
        {canSettings ? (
          <div className={styles.actions}>
            <Link className="btn" href={policyHref}>
              {env.hasPolicy ? "Its policy in Settings" : "Policies in Settings"}
            </Link>
          </div>
        ) : null}
      </div>

      {problem ? (
        <div className="alert alert-warn" role="alert">
          {problem}
        </div>
      ) : null}

      <div className={styles.stats}>
        <Stat label="Running now" value={env.counts.running} testId="env-running" />
        <Stat label="Pass the policy" value={env.counts.passing} />
        <Stat label="Fail the policy" value={env.counts.failing} tone={env.counts.failing ? "bad" : undefined} testId="env-failing" />
        {env.counts.pending ? <Stat label="Not evaluated yet" value={env.counts.pending} tone="warn" /> : null}
        <Stat label="Ended before" value={env.counts.ended} />
      </div>

      <section className="card" aria-labelledby="policy-title">
        <h2 id="policy-title">Trust policy</h2>
        <PolicySummary policy={env.policy} />
      </section>

      <section className="card" aria-labelledby="running-title">
        <h2 id="running-title">What runs here now</h2>
        {env.running.items.length === 0 ? (
          <p className="muted">Nothing runs in {env.name} now.</p>
        ) : (
          <DeploymentTable label="Running deployments" testId="env-running-row" rows={env.running.items} />
        )}
        <Pager
          label="Running deployment pages"
          first={current.running ? hrefWith(base, current, { running: null }) : null}
          next={env.running.nextCursor ? hrefWith(base, current, { running: env.running.nextCursor }) : null}
        />
      </section>

      <section className="card" aria-labelledby="ended-title">
        <h2 id="ended-title">What ran before</h2>
        {env.ended.items.length === 0 ? (
          <p className="muted">No deployment in {env.name} has ended yet.</p>
        ) : (
          <DeploymentTable label="Ended deployments" testId="env-ended-row" rows={env.ended.items} ended />
        )}
        <Pager
          label="Ended deployment pages"
          first={current.ended ? hrefWith(base, current, { ended: null }) : null}
          next={env.ended.nextCursor ? hrefWith(base, current, { ended: env.ended.nextCursor }) : null}
        />
      </section>
    </>
  );
}

function Stat({ label, value, tone, testId }: { label: string; value: number; tone?: "bad" | "warn"; testId?: string }) {
  const extra = tone === "bad" ? styles.statBad : tone === "warn" ? styles.statWarn : "";
  return (
    <div className={`${styles.stat} ${extra}`}>
      <div className={styles.label}>{label}</div>
      <div className={styles.value} data-testid={testId}>
        {value.toLocaleString("en")}
      </div>
    </div>
  );
}

function PolicySummary({ policy }: { policy: TrustPolicy | null }) {
  if (!policy) {
    return (
      <p className="muted" style={{ margin: 0 }}>
        The built-in default applies: at least one <strong>verified</strong> signature, and deployments pinned by digest.
      </p>
    );
  }
  const signers = policy.signatures.signers.length ? ` from ${policy.signatures.signers.join(", ")}` : "";
  return (
    <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
      <li>
        {policy.signatures.required
          ? `${policy.signatures.required} verified signature${policy.signatures.required === 1 ? "" : "s"}${signers}`
          : "no signature required"}
      </li>
      <li>{policy.requireDigestPinning ? "deployments pinned by digest" : "tags allowed (no digest pinning)"}</li>
      {policy.attestations.map((a) => (
        <li key={`${a.predicateType}-${a.builder ?? ""}`} className="wrap-anywhere">
          a verified <code>{a.predicateType}</code> attestation
          {a.builder ? (
            <>
              {" "}
              from a builder matching <code>{a.builder}</code>
            </>
          ) : null}
        </li>
      ))}
      {policy.allowedRegistries.length ? <li className="wrap-anywhere">only from {policy.allowedRegistries.join(", ")}</li> : null}
      {policy.movableTags.length ? <li className="wrap-anywhere">tags that may move: {policy.movableTags.join(", ")}</li> : null}
    </ul>
  );
}

function DeploymentTable({
  label,
  testId,
  rows,
  ended = false,
}: {
  label: string;
  testId: string;
  rows: EnvironmentDeployment[];
  ended?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className={styles.stack} aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Artefact</th>
            <th scope="col">Reference</th>
            <th scope="col">{ended ? "Ran" : "Since"}</th>
            <th scope="col">Policy</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-testid={testId}>
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
                {d.pinned ? (
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
              <td data-label={ended ? "Ran" : "Since"}>
                <Time iso={d.startedAt} />
                {d.endedAt ? (
                  <div className="small muted">
                    {d.status} <Time iso={d.endedAt} />
                  </div>
                ) : null}
              </td>
              <td data-label="Policy">
                <DeploymentPolicy policy={d.policy} ended={ended} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { environmentHref } from "@/components/nouns/hrefs";
import styles from "@/components/nouns/nouns.module.css";
import { Time } from "@/components/ui/time";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { type EnvironmentSummary, listEnvironments } from "@/lib/server/environments/list-environments";

export const metadata: Metadata = { title: "Environments" };
export const dynamic = "force-dynamic";

export default async function EnvironmentsPage() {
  const user = await requirePagePermission("read", "/environments");
  const { items, truncated } = await listEnvironments();
  const canSettings = actorCan(user, "settings:read");
  const running = items.reduce((sum, e) => sum + e.running, 0);
  const failing = items.reduce((sum, e) => sum + e.failing, 0);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Environments</h1>
          <p>
            Where artefacts run, and whether what runs there passes the environment&apos;s trust policy.
            {items.length
              ? ` ${running} running deployment${running === 1 ? "" : "s"} in ${items.length} environment${items.length === 1 ? "" : "s"}, ${failing} failing ${failing === 1 ? "its" : "their"} policy.`
              : ""}
          </p>
        </div>
      </div>
      {items.length === 0 ? (
        <div className="card empty">
          <h2>No environments yet</h2>
          <p>Environments appear when deployers report deployments (CDEvents service.deployed) or a trust policy is set for one.</p>
        </div>
      ) : (
        <div className={styles.envGrid}>
          {items.map((e) => (
            <EnvironmentCard key={e.name} env={e} canSettings={canSettings} />
          ))}
        </div>
      )}
      {truncated ? <p className={styles.note}>Showing the first 500 environments.</p> : null}
    </>
  );
}

function EnvironmentCard({ env, canSettings }: { env: EnvironmentSummary; canSettings: boolean }) {
  const pct = (n: number) => `${env.running ? (n / env.running) * 100 : 0}%`;
  return (
    <section className={styles.envCard} aria-labelledby={`env-${env.name}`} data-testid="environment-card">
      <h2 id={`env-${env.name}`}>
        <Link href={environmentHref(env.name)}>{env.name}</Link> {env.isDemo ? <span className="badge badge-demo">demo</span> : null}
      </h2>
      <div>
        <span style={{ fontSize: "1.5rem", fontWeight: 700 }}>{env.running.toLocaleString("en")}</span>{" "}
        <span className="muted">running</span>
      </div>
      {env.running ? (
        <>
          <div className={styles.bar} aria-hidden="true">
            <span className={styles.barOk} style={{ width: pct(env.passing) }} />
            <span className={styles.barBad} style={{ width: pct(env.failing) }} />
            <span className={styles.barPending} style={{ width: pct(env.pending) }} />
          </div>
          <div className={styles.badges}>
            <span className="badge badge-ok">{env.passing} pass</span>
            <span className={`badge ${env.failing ? "badge-bad" : ""}`}>{env.failing} fail</span>
            {env.pending ? <span className="badge">{env.pending} not evaluated</span> : null}
            {env.unpinned ? <span className="badge badge-warn">{env.unpinned} by tag</span> : null}
          </div>
        </>
      ) : (
        <p className="muted small" style={{ margin: 0 }}>
          Nothing runs here now.
        </p>
      )}
      <div className={styles.envFoot}>
        <span>
          {canSettings ? (
            <Link href={`/settings/policies#policy-${encodeURIComponent(env.name)}`}>
              {env.hasPolicy ? "Its policy" : "Built-in default policy"}
            </Link>
          ) : (
            <span className="muted">{env.hasPolicy ? "Has its own policy" : "Built-in default policy"}</span>
          )}
        </span>
        {env.lastDeployedAt ? (
          <span className="muted">
            last deployed <Time iso={env.lastDeployedAt} />
          </span>
        ) : null}
      </div>
    </section>
  );
}

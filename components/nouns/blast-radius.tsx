import Link from "next/link";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import type { BlastRadius } from "@/lib/server/lineage/blast-radius";
import { environmentHref } from "./hrefs";
import styles from "./nouns.module.css";
import { Pager } from "./pager";
import { RunningIn } from "./running-in";

type Subject = "key" | "identity" | "commit" | "builder";

const WORDS: Record<Subject, { it: string; other: string; only: string; loses: string }> = {
  key: {
    it: "this key",
    other: "Other trusted signatures",
    only: "signed only by it",
    loses: "lose their only trusted signature if this key leaks or is revoked",
  },
  identity: {
    it: "this identity",
    other: "Other trusted signatures",
    only: "signed only by it",
    loses: "lose their only trusted signature if this identity is compromised or revoked",
  },
  commit: {
    it: "this commit",
    other: "Other verified provenance",
    only: "with no other provenance",
    loses: "have no verified provenance from any other build if this commit turns out to be bad",
  },
  builder: {
    it: "this builder",
    other: "Other verified provenance",
    only: "with no other provenance",
    loses: "have no verified provenance from any other builder if this builder is compromised",
  },
};

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/**
 * The blast radius of a key, identity, commit or builder: totals, the current deployments per
 * environment that rely on it (and how many have nothing else vouching for them), and, in full,
 * the affected artefacts with their deployments. "Only trust" rows are marked in words and colour.
 */
export function BlastRadiusView(props: {
  radius: BlastRadius;
  subject: Subject;
  csvHref: string;
  variant: "full" | "summary";
  firstHref?: string | null;
  nextHref?: string | null;
}) {
  const { radius, subject } = props;
  const words = WORDS[subject];
  const exposed = radius.environments.reduce((sum, e) => sum + e.onlyTrust, 0);
  const exposedEnvironments = radius.environments.filter((e) => e.onlyTrust > 0).length;
  if (radius.totals.artifacts === 0) {
    return (
      <p className="muted" data-testid="radius-empty">
        Nothing depends on {words.it}: no artefact relies on it, so nothing is exposed.
      </p>
    );
  }
  return (
    <div data-testid="blast-radius">
      <div className={styles.stats}>
        <div className={styles.stat}>
          <div className={styles.label}>Artefacts</div>
          <div className={styles.value} data-testid="radius-artifacts">
            {radius.totals.artifacts.toLocaleString("en")}
          </div>
        </div>
        <div className={styles.stat}>
          <div className={styles.label}>Running deployments</div>
          <div className={styles.value} data-testid="radius-deployments">
            {radius.totals.deployments.toLocaleString("en")}
          </div>
        </div>
        <div className={`${styles.stat} ${radius.totals.onlyTrust ? styles.statBad : ""}`}>
          <div className={styles.label}>Artefacts {words.only}</div>
          <div className={styles.value} data-testid="radius-only-trust">
            {radius.totals.onlyTrust.toLocaleString("en")}
          </div>
        </div>
        <div className={`${styles.stat} ${exposed ? styles.statBad : ""}`}>
          <div className={styles.label}>Deployments exposed</div>
          <div className={styles.value} data-testid="radius-exposed">
            {exposed.toLocaleString("en")}
          </div>
        </div>
      </div>

      {exposed > 0 ? (
        <div className="alert alert-bad" role="note">
          <strong>{plural(exposed, "running deployment")}</strong> in {plural(exposedEnvironments, "environment")} {words.loses}.
        </div>
      ) : radius.totals.deployments > 0 ? (
        <div className="alert alert-ok" role="note">
          Every running deployment that relies on {words.it} also has something else that vouches for it.
        </div>
      ) : null}

      <h3 className="small muted" style={{ textTransform: "uppercase", letterSpacing: "0.03em", margin: "0 0 0.4rem" }}>
        Per environment, running now
      </h3>
      {radius.environments.length === 0 ? (
        <p className="muted">None of these artefacts runs anywhere now.</p>
      ) : (
        <div className="table-wrap">
          <table className={styles.stack} aria-label="Blast radius per environment">
            <thead>
              <tr>
                <th scope="col">Environment</th>
                <th scope="col">Deployments relying on it</th>
                <th scope="col">With nothing else</th>
              </tr>
            </thead>
            <tbody>
              {radius.environments.map((e) => (
                <tr key={e.environment} data-testid="radius-environment" className={e.onlyTrust ? styles.rowBad : undefined}>
                  <td data-label="Environment" className="wrap-anywhere">
                    <Link href={environmentHref(e.environment)}>{e.environment}</Link>
                  </td>
                  <td data-label="Deployments relying on it">{e.deployments.toLocaleString("en")}</td>
                  <td data-label="With nothing else">
                    {e.onlyTrust ? (
                      <span className="badge badge-bad">{e.onlyTrust.toLocaleString("en")} only trust</span>
                    ) : (
                      <span className="badge badge-ok">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {props.variant === "full" ? (
        <>
          <h3 className="small muted" style={{ textTransform: "uppercase", letterSpacing: "0.03em", margin: "1rem 0 0.4rem" }}>
            Affected artefacts {radius.totals.onlyTrust ? "(those with nothing else first)" : null}
          </h3>
          <div className="table-wrap">
            <table className={styles.stack} aria-label="Affected artefacts">
              <thead>
                <tr>
                  <th scope="col">Artefact</th>
                  {subject === "key" || subject === "identity" ? <th scope="col">Signed</th> : null}
                  <th scope="col">{words.other}</th>
                  <th scope="col">Running now</th>
                </tr>
              </thead>
              <tbody>
                {radius.artifacts.map((a) => (
                  <tr key={a.digest} data-testid="radius-artifact" className={a.onlyTrust ? styles.rowBad : undefined}>
                    <td data-label="Artefact">
                      <DigestLink digest={a.digest} />
                      {a.names.length ? <div className="small muted wrap-anywhere">{a.names.join(", ")}</div> : null}
                    </td>
                    {subject === "key" || subject === "identity" ? (
                      <td data-label="Signed">{a.signedAt ? <Time iso={a.signedAt} /> : <span className="muted">unknown</span>}</td>
                    ) : null}
                    <td data-label={words.other}>
                      {a.onlyTrust ? (
                        <span className="badge badge-bad">none: only trust</span>
                      ) : (
                        <span className="badge badge-ok">{a.otherTrustedSignatures}</span>
                      )}
                    </td>
                    <td data-label="Running now">
                      <RunningIn deployments={a.deployments} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Affected artefacts pages" first={props.firstHref} next={props.nextHref} />
        </>
      ) : null}
    </div>
  );
}

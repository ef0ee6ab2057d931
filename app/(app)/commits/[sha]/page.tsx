import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { BuildOutcome } from "@/components/nouns/build-outcome";
import styles from "@/components/nouns/nouns.module.css";
import { RunningIn } from "@/components/nouns/running-in";
import { VerdictSummary } from "@/components/nouns/verdict-summary";
import { CopyButton } from "@/components/ui/copy-button";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { requirePagePermission } from "@/lib/auth/session";
import { COMMIT_PATTERN, getCommit } from "@/lib/server/commits/get-commit";
import { BlastRadiusSection } from "../../_nouns/blast-radius-section";
import { decodedParam, MessageCard } from "../../_nouns/params";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ sha: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { sha } = await params;
  return { title: `Commit ${decodedParam(sha).slice(0, 12)}` };
}

/** Shows a repository URL without its scheme, as people say it. */
const repoLabel = (repository: string) => repository.replace(/^[a-z+]+:\/\//, "");
const repoHref = (repository: string) => {
  const url = repository.replace(/^git\+/, "");
  return /^https:\/\//.test(url) ? url : null;
};

export default async function CommitPage({ params }: Props) {
  const { sha: raw } = await params;
  const input = decodedParam(raw).trim();
  await requirePagePermission("read", `/commits/${encodeURIComponent(input)}`);
  if (!COMMIT_PATTERN.test(input)) {
    return (
      <MessageCard alert title="Not a commit" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
        “{input.slice(0, 80)}” is not a commit id: give 7 to 64 lowercase hexadecimal characters
        {/[A-F]/.test(input) ? " (lowercase: commit ids are never changed for you)" : ""}.
      </MessageCard>
    );
  }
  const found = await getCommit({ sha: input });
  if (found.status === "missing") notFound();
  if (found.status === "prefix") redirect(`/commits/${found.commit}`);
  if (found.status === "ambiguous") {
    return (
      <MessageCard alert title="More than one commit matches" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
        {found.candidates.length} known commits start with <code>{input}</code>:{" "}
        {found.candidates.slice(0, 10).map((c, i) => (
          <span key={c.commit}>
            {i ? ", " : ""}
            <Link href={`/commits/${c.commit}`} className="digest">
              {c.commit.slice(0, 12)}
            </Link>{" "}
            <span className="muted">({repoLabel(c.repository)})</span>
          </span>
        ))}
        . Give more characters.
      </MessageCard>
    );
  }
  const c = found.detail;
  const running = c.environments.reduce((sum, e) => sum + e.deployments, 0);
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <p className="muted small">Source commit /</p>
          <h1 className="wrap-anywhere">
            {c.sources.length === 1 && c.sources[0] ? repoLabel(c.sources[0].repository) : "Commit"}{" "}
            <span className="digest" style={{ fontSize: "1.1rem" }}>
              @{c.commit.slice(0, 12)}
            </span>
          </h1>
          <p className="digest" data-testid="commit-sha">
            {c.commit} <CopyButton value={c.commit} label="Copy commit id" />
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="sources-title">
        <h2 id="sources-title">{c.sources.length === 1 ? "Repository" : "Repositories"} at this commit</h2>
        <ul className={styles.plain}>
          {c.sources.map((s) => {
            const href = repoHref(s.repository);
            return (
              <li key={s.repository} data-testid="commit-source" className="wrap-anywhere">
                {href ? (
                  <a href={href} rel="noreferrer noopener" target="_blank">
                    {repoLabel(s.repository)}
                  </a>
                ) : (
                  <code>{s.repository}</code>
                )}{" "}
                <span className="muted small">
                  first seen <Time iso={s.firstSeenAt} />
                </span>
              </li>
            );
          })}
        </ul>
      </section>

      <section className="card" aria-labelledby="builds-title">
        <h2 id="builds-title">Builds that consumed it</h2>
        {c.builds.length === 0 ? (
          <p className="muted">No build has reported using this commit.</p>
        ) : (
          <div className="table-wrap">
            <table className={styles.stack} aria-label="Builds">
              <thead>
                <tr>
                  <th scope="col">Builder</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Outputs</th>
                </tr>
              </thead>
              <tbody>
                {c.builds.map((b) => (
                  <tr key={b.id} data-testid="commit-build">
                    <td data-label="Builder" className="wrap-anywhere">
                      <Link href={`/builds/${b.id}`}>{b.builderId}</Link>
                      <div className="muted small">{b.invocationId}</div>
                    </td>
                    <td data-label="Outcome">
                      <BuildOutcome outcome={b.outcome} />
                    </td>
                    <td data-label="Finished">{b.finishedAt ? <Time iso={b.finishedAt} /> : <span className="muted">unknown</span>}</td>
                    <td data-label="Outputs">{b.outputs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {c.truncated.builds ? <p className={styles.note}>Showing the 100 most recent builds.</p> : null}
      </section>

      <section className="card" aria-labelledby="artifacts-title">
        <h2 id="artifacts-title">What they produced, and where it runs</h2>
        {c.artifacts.length === 0 ? (
          <p className="muted">These builds reported no artefact.</p>
        ) : (
          <>
            <p className="muted">
              {c.artifacts.length} artefact{c.artifacts.length === 1 ? "" : "s"}
              {running
                ? `, ${running} running deployment${running === 1 ? "" : "s"} in ${c.environments.length} environment${c.environments.length === 1 ? "" : "s"}`
                : ", none running now"}
              .
            </p>
            <div className="table-wrap">
              <table className={styles.stack} aria-label="Artefacts built from this commit">
                <thead>
                  <tr>
                    <th scope="col">Artefact</th>
                    <th scope="col">Signatures</th>
                    <th scope="col">Running now</th>
                  </tr>
                </thead>
                <tbody>
                  {c.artifacts.map((a) => (
                    <tr key={a.digest} data-testid="commit-artifact">
                      <td data-label="Artefact">
                        <DigestLink digest={a.digest} />
                        <div className="small muted wrap-anywhere">
                          {a.name ?? "unnamed"} · {a.kind.replace("_", " ")}
                        </div>
                      </td>
                      <td data-label="Signatures">
                        <VerdictSummary verdicts={a.verdicts} />
                      </td>
                      <td data-label="Running now">
                        <RunningIn deployments={a.deployments} total={a.runningTotal} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {c.truncated.artifacts ? (
              <p className={styles.note}>Showing the 100 most recent artefacts; the CSV below has them all.</p>
            ) : null}
          </>
        )}
      </section>

      <BlastRadiusSection
        title="Blast radius"
        intro="If this commit turns out to be bad: what runs now that was built from it, and which of it has no verified provenance from any other build."
        subject="commit"
        value={c.commit}
        variant="summary"
      />
    </>
  );
}

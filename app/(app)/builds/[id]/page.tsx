import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BuildOutcome } from "@/components/nouns/build-outcome";
import styles from "@/components/nouns/nouns.module.css";
import { RunningIn } from "@/components/nouns/running-in";
import { VerdictSummary } from "@/components/nouns/verdict-summary";
import { CopyButton } from "@/components/ui/copy-button";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { VerdictBadge } from "@/components/ui/verdict-badge";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { BUILD_ID_PATTERN, type BuildDetail, getBuild } from "@/lib/server/builds/get-build";
import { BlastRadiusSection } from "../../_nouns/blast-radius-section";
import { decodedParam, MessageCard } from "../../_nouns/params";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Build" };

type Props = { params: Promise<{ id: string }> };

/** A run's short name: the last path segment of a URL invocation id (".../actions/runs/123" -> "123"), else the id, shortened. */
function runLabel(invocationId: string): string {
  const tail = /^[a-z+]+:\/\//.test(invocationId) ? invocationId.replace(/\/+$/, "").split("/").pop() : null;
  const label = tail || invocationId;
  return label.length > 40 ? `${label.slice(0, 40)}…` : label;
}

/** A builder id as people say it: no scheme, no ref ("github.com/acme/app/.github/workflows/release.yml"). */
function builderLabel(builderId: string): string {
  return builderId.replace(/^[a-z+]+:\/\//, "").replace(/@refs\/.*$/, "");
}

function duration(from: string | null, to: string | null): string | null {
  if (!from || !to) return null;
  const s = Math.round((new Date(to).getTime() - new Date(from).getTime()) / 1000);
  if (s < 0) return null;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export default async function BuildPage({ params }: Props) {
  const { id: raw } = await params;
  const input = decodedParam(raw).trim();
  const user = await requirePagePermission("read", `/builds/${encodeURIComponent(input)}`);
  if (!BUILD_ID_PATTERN.test(input)) {
    return (
      <MessageCard alert title="Not a build id" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
        “{input.slice(0, 80)}” is not a build id: builds are named by a lowercase UUID, as the artefact and lineage pages link them.
      </MessageCard>
    );
  }
  const b = await getBuild({ id: input });
  if (!b) notFound();
  const canLedger = actorCan(user, "ledger:read");
  const took = duration(b.startedAt, b.finishedAt);
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <p className="muted small">Build /</p>
          <h1 className="wrap-anywhere">Build {runLabel(b.invocationId)}</h1>
          <p className={styles.subtitle}>
            <BuildOutcome outcome={b.outcome} />
            <span className="wrap-anywhere">by {builderLabel(b.builderId)}</span>
            {b.finishedAt ? (
              <span>
                finished <Time iso={b.finishedAt} />
              </span>
            ) : null}
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="run-title">
        <h2 id="run-title">The run</h2>
        <dl className="props">
          <dt>Builder</dt>
          <dd className="wrap-anywhere" data-testid="build-builder">
            {b.builderId}
          </dd>
          <dt>Invocation</dt>
          <dd className="wrap-anywhere">
            <code>{b.invocationId}</code> <CopyButton value={b.invocationId} label="Copy invocation id" />
          </dd>
          <dt>Build type</dt>
          <dd className="wrap-anywhere">{b.buildType ?? <span className="muted">not stated</span>}</dd>
          <dt>Started</dt>
          <dd>{b.startedAt ? <Time iso={b.startedAt} /> : <span className="muted">unknown</span>}</dd>
          <dt>Finished</dt>
          <dd>
            {b.finishedAt ? <Time iso={b.finishedAt} /> : <span className="muted">unknown</span>}
            {took ? <span className="muted"> (took {took})</span> : null}
          </dd>
          <dt>Outcome</dt>
          <dd>
            <BuildOutcome outcome={b.outcome} />
          </dd>
          <dt>Recorded</dt>
          <dd>
            <Time iso={b.recordedAt} />
            {b.documentId && canLedger ? (
              <>
                {" · "}
                <a href={`/api/v1/documents/${b.documentId}`}>raw document</a>
              </>
            ) : null}
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="sources-title">
        <h2 id="sources-title">Sources</h2>
        {b.sources.length === 0 ? (
          <p className="muted">The build reported no source repository.</p>
        ) : (
          <ul className={styles.plain}>
            {b.sources.map((s) => (
              <li key={`${s.repository}@${s.commit}`} className="wrap-anywhere" data-testid="build-source">
                {s.repository}{" "}
                {s.commit ? (
                  <Link className="digest" href={`/commits/${s.commit}`}>
                    @{s.commit.slice(0, 12)}
                  </Link>
                ) : (
                  <span className="muted small">(commit not known)</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <ArtifactTable title="Outputs" id="outputs" testId="build-output" rows={b.outputs} empty="The build reported no output." />
      <ArtifactTable
        title="Inputs"
        id="inputs"
        testId="build-input"
        rows={b.inputs}
        empty="No input artefact (base image, dependency) was reported."
      />
      {b.truncated ? <p className={styles.note}>Showing the first 200 inputs and outputs.</p> : null}

      <section className="card" aria-labelledby="attestations-title">
        <h2 id="attestations-title">Attestations naming its outputs</h2>
        {b.attestations.length === 0 ? (
          <p className="muted">No attestation names what this build produced.</p>
        ) : (
          <div className="table-wrap">
            <table className={styles.stack} aria-label="Attestations">
              <thead>
                <tr>
                  <th scope="col">Verdict</th>
                  <th scope="col">Predicate</th>
                  <th scope="col">Subjects</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {b.attestations.map((t) => (
                  <tr key={t.id} data-testid="build-attestation">
                    <td data-label="Verdict">
                      <VerdictBadge verdict={t.verdict} />
                    </td>
                    <td data-label="Predicate" className="wrap-anywhere">
                      {t.predicateType}
                      <div className="muted small">
                        {t.envelope}
                        {t.describesThisBuild ? " · this build's provenance" : null}
                        {canLedger ? (
                          <>
                            {" · "}
                            <a href={`/api/v1/documents/${t.documentId}`}>raw document</a>
                          </>
                        ) : null}
                      </div>
                    </td>
                    <td data-label="Subjects">
                      {t.subjects.length ? (
                        <ul className={styles.plain}>
                          {t.subjects.map((d) => (
                            <li key={d}>
                              <DigestLink digest={d} />
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="muted">none of its outputs</span>
                      )}
                    </td>
                    <td data-label="Why" className="small wrap-anywhere">
                      {t.reason ?? <span className="muted">not verified yet</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <BlastRadiusSection
        title="Everything this builder built"
        intro={
          <>
            {b.builderBuilds.toLocaleString("en")} build{b.builderBuilds === 1 ? "" : "s"} by{" "}
            <code className="wrap-anywhere">{b.builderId}</code>. If the builder is compromised: what runs now that it built, and which of
            it has no verified provenance from anywhere else.
          </>
        }
        subject="builder"
        value={b.builderId}
        variant="summary"
      />
    </>
  );
}

function ArtifactTable(props: { title: string; id: string; testId: string; rows: BuildDetail["outputs"]; empty: string }) {
  return (
    <section className="card" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.rows.length === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : (
        <div className="table-wrap">
          <table className={styles.stack} aria-label={props.title}>
            <thead>
              <tr>
                <th scope="col">Artefact</th>
                <th scope="col">Signatures</th>
                <th scope="col">Running now</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((a) => (
                <tr key={a.digest} data-testid={props.testId}>
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
                    <RunningIn deployments={a.deployments} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeploymentPolicy } from "@/components/nouns/deployment-policy";
import { environmentHref, tagHref } from "@/components/nouns/hrefs";
import styles from "@/components/nouns/nouns.module.css";
import { hrefWith, Pager } from "@/components/nouns/pager";
import { VerdictSummary } from "@/components/nouns/verdict-summary";
import { CopyButton } from "@/components/ui/copy-button";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { AppError } from "@/lib/api/errors";
import { requirePagePermission } from "@/lib/auth/session";
import { shortDigest } from "@/lib/domain/digest";
import { getTag, isTagReference, type TagDetail } from "@/lib/server/tags/get-tag";
import { decodedParam, firstParam, MessageCard } from "../../_nouns/params";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ reference: string[] }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The tag from its catch-all segments: registry.acme.dev / app%3A1.0, or one segment with %2F (as the lineage graph links it). */
function referenceOf(segments: string[]): string {
  let text = segments.join("/");
  // Decode until stable (at most twice): a tag reference never contains "%" of its own.
  for (let i = 0; i < 2 && /%[0-9A-Fa-f]{2}/.test(text); i++) text = decodedParam(text);
  return text;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { reference } = await params;
  return { title: `Tag ${referenceOf(reference).slice(-80)}` };
}

export default async function TagPage({ params, searchParams }: Props) {
  const { reference: segments } = await params;
  const reference = referenceOf(segments);
  await requirePagePermission("read", tagHref(reference));
  if (!isTagReference(reference)) {
    return (
      <MessageCard alert title="Not a tag" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
        “{reference.slice(0, 120)}” is not a tag reference: write it as <code>registry/repository:tag</code>, e.g.{" "}
        <code>registry.acme.dev/app:1.0</code>.
      </MessageCard>
    );
  }
  const sp = await searchParams;
  const current = { history: firstParam(sp.history), deployments: firstParam(sp.deployments) };
  let tag: TagDetail | null;
  let problem: string | null = null;
  try {
    tag = await getTag({ reference, historyCursor: current.history, deploymentsCursor: current.deployments });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "unprocessable") throw error;
    problem = "That page link is not valid any more: here are the first pages.";
    tag = await getTag({ reference });
  }
  if (!tag) notFound();
  const base = tagHref(tag.reference);
  const latestMove = tag.history.items.find((h) => h.movedFrom);
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <p className="muted small">Tag / {tag.repository} /</p>
          <h1 className="wrap-anywhere">
            {tag.repository.split("/").pop()}:{tag.name}
          </h1>
          <p className="wrap-anywhere">
            <code>{tag.reference}</code> <CopyButton value={tag.reference} label="Copy tag reference" />
          </p>
        </div>
      </div>

      {problem ? (
        <div className="alert alert-warn" role="alert">
          {problem}
        </div>
      ) : null}

      {tag.counts.moves > 0 ? (
        <div className="alert alert-warn" role="note" data-testid="tag-moved-banner">
          This tag has moved {tag.counts.moves === 1 ? "once" : `${tag.counts.moves} times`}: it has pointed at {tag.counts.digests}{" "}
          different digests, so a deployment that names it may not run what was signed.
          {latestMove?.movedFrom ? (
            <>
              {" "}
              Last: from <code>{shortDigest(latestMove.movedFrom)}</code> to <code>{shortDigest(latestMove.digest)}</code> at{" "}
              <Time iso={latestMove.validFrom} />.
            </>
          ) : null}
        </div>
      ) : null}

      <section className="card" aria-labelledby="current-title">
        <h2 id="current-title">Points at now</h2>
        {tag.current ? (
          <dl className="props">
            <dt>Digest</dt>
            <dd data-testid="tag-current">
              <DigestLink digest={tag.current.digest} full />
            </dd>
            <dt>Since</dt>
            <dd>
              <Time iso={tag.current.since} />
            </dd>
            <dt>History</dt>
            <dd>
              {tag.counts.intervals} interval{tag.counts.intervals === 1 ? "" : "s"}, {tag.counts.digests} digest
              {tag.counts.digests === 1 ? "" : "s"}, {tag.counts.moves} move{tag.counts.moves === 1 ? "" : "s"}
            </dd>
          </dl>
        ) : (
          <p className="muted">
            {tag.counts.intervals ? "Nothing: the tag was deleted." : "Vitrine has never seen this tag pushed; deployers have named it."}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {tag.history.items.length === 0 ? (
          <p className="muted">No push of this tag has been reported.</p>
        ) : (
          <ol className="timeline">
            {tag.history.items.map((h) => (
              <li
                key={h.id}
                className={`${styles.interval} ${h.movedFrom ? styles.intervalMoved : h.validTo ? "" : styles.intervalCurrent}`}
                data-testid="tag-interval"
                data-moved={h.movedFrom ? "true" : "false"}
              >
                <div>
                  <DigestLink digest={h.digest} />{" "}
                  {h.validTo ? (
                    <span className="badge">
                      until <Time iso={h.validTo} />
                    </span>
                  ) : (
                    <span className="badge badge-ok">current</span>
                  )}{" "}
                  <VerdictSummary verdicts={h.verdicts} />
                </div>
                {h.name ? <div className="small muted wrap-anywhere">{h.name}</div> : null}
                {h.movedFrom ? (
                  <div className={styles.move} data-testid="tag-move">
                    <strong>Moved</strong> from{" "}
                    <Link href={`/artifacts/${encodeURIComponent(h.movedFrom)}`} className="digest">
                      {shortDigest(h.movedFrom)}
                    </Link>{" "}
                    to <span className="digest">{shortDigest(h.digest)}</span> at <Time iso={h.validFrom} />
                  </div>
                ) : (
                  <div className="small">
                    from <Time iso={h.validFrom} />
                  </div>
                )}
              </li>
            ))}
          </ol>
        )}
        <Pager
          label="History pages"
          first={current.history ? hrefWith(base, current, { history: null }) : null}
          next={tag.history.nextCursor ? hrefWith(base, current, { history: tag.history.nextCursor }) : null}
        />
      </section>

      <section className="card" aria-labelledby="deployments-title">
        <h2 id="deployments-title">Deployments that named this tag</h2>
        {tag.deployments.items.length === 0 ? (
          <p className="muted">No deployment named this tag: every deployment of it named a digest.</p>
        ) : (
          <>
            <p className="muted">
              {tag.counts.deployments} deployment{tag.counts.deployments === 1 ? "" : "s"} named the tag instead of a digest; Vitrine
              resolved each to the digest the tag pointed at then.
            </p>
            <div className="table-wrap">
              <table className={styles.stack} aria-label="Deployments that named this tag">
                <thead>
                  <tr>
                    <th scope="col">Environment</th>
                    <th scope="col">Workload</th>
                    <th scope="col">Resolved to</th>
                    <th scope="col">Since</th>
                    <th scope="col">Policy</th>
                  </tr>
                </thead>
                <tbody>
                  {tag.deployments.items.map((d) => (
                    <tr key={d.id} data-testid="tag-deployment">
                      <td data-label="Environment" className="wrap-anywhere">
                        <Link href={environmentHref(d.environment)}>{d.environment}</Link>
                      </td>
                      <td data-label="Workload" className="wrap-anywhere">
                        {d.workload}
                        {d.namespace || d.cluster ? (
                          <div className="muted small">{[d.cluster, d.namespace].filter(Boolean).join(" / ")}</div>
                        ) : null}
                      </td>
                      <td data-label="Resolved to">
                        {d.resolvedDigest ? <DigestLink digest={d.resolvedDigest} /> : <span className="badge badge-warn">unresolved</span>}
                      </td>
                      <td data-label="Since">
                        <Time iso={d.startedAt} />
                        {d.endedAt ? (
                          <div className="small muted">
                            ended <Time iso={d.endedAt} />
                          </div>
                        ) : (
                          <div className="small">running</div>
                        )}
                      </td>
                      <td data-label="Policy">
                        {d.endedAt ? <span className="muted">ended</span> : <DeploymentPolicy policy={d.policy} />}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <Pager
          label="Deployment pages"
          first={current.deployments ? hrefWith(base, current, { deployments: null }) : null}
          next={tag.deployments.nextCursor ? hrefWith(base, current, { deployments: tag.deployments.nextCursor }) : null}
        />
      </section>
    </>
  );
}

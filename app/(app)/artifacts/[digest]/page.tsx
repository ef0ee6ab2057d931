import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CopyButton } from "@/components/ui/copy-button";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { VerdictBadge } from "@/components/ui/verdict-badge";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { parseDigest, shortDigest } from "@/lib/domain/digest";
import { type ArtifactDetail, getArtifact } from "@/lib/server/artifacts/get-artifact";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ digest: string }> };

function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { digest } = await params;
  return { title: `Artefact ${shortDigest(decoded(digest), 12)}` };
}

function Signer({ signer }: { signer: ArtifactDetail["signatures"][number]["signer"] }) {
  if (!signer.identity && !signer.keyFingerprint && !signer.trustedAs) return <span className="muted">unknown</span>;
  return (
    <>
      {signer.trustedAs ? (
        <div>
          trusted as{" "}
          <Link href={`/trust/${signer.identity ? "identities" : "keys"}/${encodeURIComponent(signer.trustedAs)}`}>
            <strong>{signer.trustedAs}</strong>
          </Link>
        </div>
      ) : null}
      {signer.identity ? <div className="wrap-anywhere">{signer.identity}</div> : null}
      {signer.issuer ? <div className="muted wrap-anywhere">{signer.issuer}</div> : null}
      {signer.keyFingerprint ? (
        <div className="digest" title="Key fingerprint">
          {signer.keyFingerprint}
        </div>
      ) : null}
    </>
  );
}

function EvidenceList({ evidence }: { evidence: Record<string, string | undefined> }) {
  const rows: Array<[string, string | undefined]> = [
    ["log index", evidence.logIndex],
    ["integrated", evidence.integratedTime],
    ["timestamped", evidence.timestampedTime],
    ["trust root", evidence.trustRoot],
  ];
  const shown = rows.filter(([, v]) => v);
  if (!shown.length) return null;
  return (
    <div className="muted small">
      {shown.map(([k, v]) => (
        <div key={k}>
          {k}: <span className="wrap-anywhere">{v}</span>
        </div>
      ))}
    </div>
  );
}

export default async function ArtifactPage({ params }: Props) {
  const { digest: raw } = await params;
  const input = decoded(raw);
  const user = await requirePagePermission("read", `/artifacts/${encodeURIComponent(input)}`);
  const parsed = parseDigest(input);
  if (!parsed.ok) {
    return (
      <div className="card empty" role="alert">
        <h1>Not a digest</h1>
        <p>
          {input.slice(0, 200)}: {parsed.reason}. <Link href="/artifacts">Back to the artefacts</Link>
        </p>
      </div>
    );
  }
  const canLedger = actorCan(user, "ledger:read");
  const a = await getArtifact({ digest: parsed.digest, includeLedger: canLedger });
  if (!a) notFound();
  const running = a.deployments.filter((d) => d.endedAt === null);
  const openDisagreements = a.claims.filter((c) => c.disagreement && !c.disagreement.resolvedAt);
  return (
    <>
      <div className="page-header">
        <div>
          <p className="muted small">
            <Link href="/artifacts">Artefacts</Link> /
          </p>
          <h1 className="wrap-anywhere">{a.names[0]?.name ?? shortDigest(a.digest, 19)}</h1>
          <p className="digest">
            {a.digest} <CopyButton value={a.digest} label="Copy digest" />
          </p>
        </div>
        <div>
          <Link className="btn" href={`/lineage?digest=${encodeURIComponent(a.digest)}`}>
            Lineage graph
          </Link>
        </div>
      </div>

      {openDisagreements.length ? (
        <div className="alert alert-bad" role="alert" data-testid="disagreement-banner">
          {openDisagreements.length === 1 ? "An external verifier disagrees" : `${openDisagreements.length} external verifiers disagree`}{" "}
          with Vitrine about this artefact: {openDisagreements[0]?.disagreement?.reason}.
        </div>
      ) : null}

      <section className="card" aria-labelledby="identity">
        <h2 id="identity">Identity {a.isDemo ? <span className="badge badge-demo">demo</span> : null}</h2>
        <dl className="props">
          <dt>Kind</dt>
          <dd>{a.kind.replace("_", " ")}</dd>
          <dt>Media type</dt>
          <dd>{a.mediaType ?? <span className="muted">unknown</span>}</dd>
          <dt>Size</dt>
          <dd>{a.sizeBytes === null ? <span className="muted">unknown</span> : `${Number(a.sizeBytes).toLocaleString("en")} bytes`}</dd>
          <dt>First seen</dt>
          <dd>
            <Time iso={a.firstSeenAt} />
          </dd>
          <dt>Names</dt>
          <dd>
            {a.names.length
              ? a.names.map((n) => (
                  <div key={n.name} className="wrap-anywhere">
                    {n.name} {n.purl ? <code className="muted">{n.purl}</code> : null}
                  </div>
                ))
              : "none"}
          </dd>
          {a.indexes.length ? (
            <>
              <dt>Part of</dt>
              <dd>
                {a.indexes.map((i) => (
                  <div key={i.digest}>
                    <DigestLink digest={i.digest} /> <span className="muted">({i.kind.replace("_", " ")})</span>
                  </div>
                ))}
              </dd>
            </>
          ) : null}
          {a.manifests.length ? (
            <>
              <dt>Platform manifests</dt>
              <dd>
                {a.manifests.map((m) => (
                  <div key={m.digest}>
                    <DigestLink digest={m.digest} />
                  </div>
                ))}
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      <section className="card" aria-labelledby="policies">
        <h2 id="policies">Could it run there?</h2>
        <p className="muted">Each environment&apos;s trust policy, applied to this artefact deployed by its digest.</p>
        <ul className="policy-list">
          {a.compliance.map((e) => (
            <li key={e.environment} data-testid="policy-result">
              <span className={`badge ${e.pass ? "badge-ok" : "badge-bad"}`}>{e.pass ? "allowed" : "not allowed"}</span>{" "}
              <strong>{e.environment}</strong>
              {e.isDefault ? <span className="muted"> (built-in default policy)</span> : null}
              {e.failures.length ? (
                <ul>
                  {e.failures.map((f) => (
                    <li key={`${f.requirement}-${f.reason}`}>{f.reason}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="deployments">
        <h2 id="deployments">Deployments</h2>
        {a.deployments.length === 0 ? (
          <p className="muted">No deployment of this artefact has been reported.</p>
        ) : (
          <>
            <p className="muted">
              {running.length} running now, {a.deployments.length - running.length} ended.
            </p>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Environment</th>
                    <th scope="col">Workload</th>
                    <th scope="col">Reference</th>
                    <th scope="col">Since</th>
                    <th scope="col">Policy</th>
                  </tr>
                </thead>
                <tbody>
                  {a.deployments.map((d) => (
                    <tr key={d.id} data-testid="deployment-row">
                      <td>
                        <Link href={`/environments/${encodeURIComponent(d.environment)}`}>{d.environment}</Link>
                      </td>
                      <td>
                        {d.workload}
                        {d.namespace ? <div className="muted small">{[d.cluster, d.namespace].filter(Boolean).join(" / ")}</div> : null}
                      </td>
                      <td>
                        {d.pinned ? (
                          <span className="badge badge-ok">digest-pinned</span>
                        ) : (
                          <span className="badge badge-warn">tag {d.tagReference ?? ""}</span>
                        )}
                      </td>
                      <td>
                        <Time iso={d.startedAt} />
                        {d.endedAt ? (
                          <div className="muted small">
                            {d.status} <Time iso={d.endedAt} />
                          </div>
                        ) : (
                          <div className="small">running</div>
                        )}
                      </td>
                      <td>
                        {d.endedAt ? (
                          <span className="muted">ended</span>
                        ) : d.policy === null ? (
                          <span className="badge">not evaluated yet</span>
                        ) : d.policy.pass ? (
                          <span className="badge badge-ok">passes</span>
                        ) : (
                          <>
                            <span className="badge badge-bad">fails</span>
                            <ul className="small">
                              {d.policy.failures.map((f) => (
                                <li key={f.reason}>{f.reason}</li>
                              ))}
                            </ul>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="signatures">
        <h2 id="signatures">Signatures and Vitrine&apos;s verdicts</h2>
        {a.signatures.length === 0 ? (
          <p className="muted">No signature has been submitted for this artefact.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Verdict</th>
                  <th scope="col">Format</th>
                  <th scope="col">Signer</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {a.signatures.map((s) => (
                  <tr key={s.id} data-testid="signature-row">
                    <td>
                      <VerdictBadge verdict={s.verdict} />
                    </td>
                    <td>
                      {s.format}
                      {canLedger ? (
                        <div className="small">
                          <a href={`/api/v1/documents/${s.documentId}`}>raw document</a>
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <Signer signer={s.signer} />
                    </td>
                    <td>
                      {s.reason ?? <span className="muted">not verified yet</span>}
                      <EvidenceList evidence={s.evidence} />
                      {s.verifiedAt ? (
                        <div className="muted small">
                          checked <Time iso={s.verifiedAt} />
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="attestations">
        <h2 id="attestations">Attestations</h2>
        {a.attestations.length === 0 ? (
          <p className="muted">No attestation names this artefact as a subject.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Verdict</th>
                  <th scope="col">Predicate</th>
                  <th scope="col">Signer</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {a.attestations.map((t) => (
                  <tr key={t.id} data-testid="attestation-row">
                    <td>
                      <VerdictBadge verdict={t.verdict} />
                    </td>
                    <td className="wrap-anywhere">
                      {t.predicateType}
                      <div className="muted small">
                        {t.envelope}
                        {canLedger ? (
                          <>
                            {" · "}
                            <a href={`/api/v1/documents/${t.documentId}`}>raw document</a>
                          </>
                        ) : null}
                      </div>
                    </td>
                    <td>
                      <Signer signer={t.signer} />
                    </td>
                    <td>
                      {t.reason ?? <span className="muted">not verified yet</span>}
                      <EvidenceList evidence={t.evidence} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="claims">
        <h2 id="claims">What external verifiers said</h2>
        {a.claims.length === 0 ? (
          <p className="muted">No external verifier (cosign, notation, Kyverno, an admission controller) has reported on this artefact.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Verifier</th>
                  <th scope="col">Said</th>
                  <th scope="col">Policy</th>
                  <th scope="col">When</th>
                  <th scope="col">Vitrine</th>
                </tr>
              </thead>
              <tbody>
                {a.claims.map((c) => (
                  <tr key={c.id} data-testid="claim-row">
                    <td>{c.verifier}</td>
                    <td>
                      <span className={`badge ${c.result === "pass" ? "badge-ok" : c.result === "fail" ? "badge-bad" : "badge-warn"}`}>
                        {c.result}
                      </span>
                      {c.message ? <div className="small wrap-anywhere">{c.message}</div> : null}
                    </td>
                    <td className="wrap-anywhere">
                      {[c.policy, c.rule].filter(Boolean).join(" / ") || <span className="muted">none named</span>}
                      {c.environment || c.namespace ? (
                        <div className="muted small">{[c.environment, c.namespace].filter(Boolean).join(" / ")}</div>
                      ) : null}
                    </td>
                    <td>
                      <Time iso={c.occurredAt} />
                    </td>
                    <td>
                      {c.disagreement && !c.disagreement.resolvedAt ? (
                        <>
                          <span className="badge badge-bad">disagrees</span>
                          <div className="small">{c.disagreement.reason}</div>
                        </>
                      ) : c.disagreement ? (
                        <span className="muted small">
                          disagreed until <Time iso={c.disagreement.resolvedAt as string} />
                        </span>
                      ) : (
                        <span className="badge badge-ok">agrees</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="builds">
        <h2 id="builds">Builds and sources</h2>
        {a.builds.length === 0 ? (
          <p className="muted">No build or provenance names this artefact.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Build</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sources</th>
                  <th scope="col">Finished</th>
                </tr>
              </thead>
              <tbody>
                {a.builds.map((b) => (
                  <tr key={`${b.id}-${b.role}`}>
                    <td className="wrap-anywhere">
                      <Link href={`/builds/${b.id}`}>{b.builderId}</Link>
                      <div className="muted small">{b.invocationId}</div>
                    </td>
                    <td>{b.role === "output" ? "built it" : "used it as input"}</td>
                    <td className="wrap-anywhere">
                      {b.sources.length
                        ? b.sources.map((s) => (
                            <div key={`${s.repository}@${s.commit}`}>
                              {s.repository}{" "}
                              {s.commit ? (
                                <Link className="digest" href={`/commits/${encodeURIComponent(s.commit)}`}>
                                  {s.commit.slice(0, 12)}
                                </Link>
                              ) : null}
                            </div>
                          ))
                        : "none recorded"}
                    </td>
                    <td>{b.finishedAt ? <Time iso={b.finishedAt} /> : <span className="muted">unknown</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="tags">
        <h2 id="tags">Tag history</h2>
        {a.tags.length === 0 ? (
          <p className="muted">No tag has pointed at this artefact.</p>
        ) : (
          <ol className="timeline">
            {a.tags.map((t) => (
              <li key={`${t.reference}-${t.validFrom}`} data-testid="tag-interval">
                <strong className="wrap-anywhere">{t.reference}</strong>{" "}
                {t.validTo ? <span className="badge badge-warn">moved away</span> : <span className="badge badge-ok">current</span>}{" "}
                {t.previousDigest ? <span className="badge badge-warn">moved here</span> : null}
                <div className="small">
                  from <Time iso={t.validFrom} />
                  {t.validTo ? (
                    <>
                      {" "}
                      until <Time iso={t.validTo} />
                    </>
                  ) : null}
                </div>
                {t.previousDigest ? (
                  <div className="small muted">
                    before: <DigestLink digest={t.previousDigest} />
                  </div>
                ) : null}
                {t.nextDigest ? (
                  <div className="small muted">
                    then: <DigestLink digest={t.nextDigest} />
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </section>

      {a.ledger ? (
        <section className="card" aria-labelledby="evidence">
          <h2 id="evidence">Evidence in the ledger</h2>
          {a.ledger.length === 0 ? (
            <p className="muted">No ledger entry names this artefact.</p>
          ) : (
            <ul>
              {a.ledger.map((l) => (
                <li key={l.sequence}>
                  <Link href={`/ledger?entry=${l.sequence}`}>#{l.sequence}</Link> {l.kind} · <Time iso={l.createdAt} /> ·{" "}
                  <code>{l.actor}</code>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { CopyButton } from "@/components/ui/copy-button";
import { Time } from "@/components/ui/time";
import { VerdictBadge } from "@/components/ui/verdict-badge";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { parseDigest } from "@/lib/domain/digest";
import { evaluateArtifactPolicies } from "@/lib/server/artifacts/evaluate-artifact-policies";
import { getArtifact } from "@/lib/server/artifacts/get-artifact";

export const metadata: Metadata = { title: "Lineage" };
export const dynamic = "force-dynamic";

export default async function LineagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePagePermission("read", "/lineage");
  const sp = await searchParams;
  const input = typeof sp.digest === "string" ? sp.digest.trim() : "";
  const parsed = input ? parseDigest(input) : null;
  const artifact = parsed?.ok ? await getArtifact({ digest: parsed.digest, includeLedger: actorCan(user, "ledger:read") }) : null;
  const environments = artifact ? await evaluateArtifactPolicies({ digest: artifact.digest }) : [];
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Lineage</h1>
          <p>What Vitrine knows about an artefact: its names, the tags that pointed at it, and the evidence behind it.</p>
        </div>
      </div>
      <search>
        <form className="inline-form card" action="/lineage" method="get" style={{ marginBottom: "1rem" }}>
          <label htmlFor="digest" className="muted">
            Digest
          </label>
          <input
            id="digest"
            name="digest"
            type="search"
            defaultValue={input}
            placeholder="sha256:…"
            maxLength={140}
            aria-invalid={parsed && !parsed.ok ? true : undefined}
            aria-describedby={parsed && !parsed.ok ? "digest-error" : undefined}
          />
          <button className="btn btn-primary" type="submit">
            Show
          </button>
        </form>
      </search>
      {parsed && !parsed.ok ? (
        <div className="alert alert-bad" role="alert" id="digest-error">
          Not a digest: {parsed.reason}.
        </div>
      ) : null}
      {!input ? (
        <div className="card empty">
          <h2>Choose an artefact</h2>
          <p>
            Enter a digest, or pick one from the <Link href="/artifacts">artefacts list</Link>.
          </p>
        </div>
      ) : null}
      {parsed?.ok && !artifact ? (
        <div className="card empty">
          <h2>Unknown artefact</h2>
          <p>Vitrine has received no evidence about {parsed.digest}.</p>
        </div>
      ) : null}
      {artifact ? (
        <>
          <section className="card" aria-labelledby="identity">
            <h2 id="identity">Identity {artifact.isDemo ? <span className="badge badge-demo">demo</span> : null}</h2>
            <dl className="props">
              <dt>Digest</dt>
              <dd className="digest">
                {artifact.digest} <CopyButton value={artifact.digest} label="Copy digest" />
              </dd>
              <dt>Kind</dt>
              <dd>{artifact.kind.replace("_", " ")}</dd>
              <dt>First seen</dt>
              <dd>
                <Time iso={artifact.firstSeenAt} />
              </dd>
              <dt>Names</dt>
              <dd>
                {artifact.names.length
                  ? artifact.names.map((n) => (
                      <div key={n.name}>
                        {n.name} {n.purl ? <code className="muted">{n.purl}</code> : null}
                      </div>
                    ))
                  : "none"}
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="tags">
            <h2 id="tags">Tag history</h2>
            {artifact.tags.length === 0 ? (
              <p className="muted">No tag has pointed at this artefact.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Tag</th>
                      <th scope="col">From</th>
                      <th scope="col">Until</th>
                    </tr>
                  </thead>
                  <tbody>
                    {artifact.tags.map((t) => (
                      <tr key={`${t.reference}-${t.validFrom}`}>
                        <td>{t.reference}</td>
                        <td>
                          <Time iso={t.validFrom} />
                        </td>
                        <td>
                          {t.validTo ? (
                            <>
                              <Time iso={t.validTo} /> <span className="badge badge-warn">moved away</span>
                            </>
                          ) : (
                            <span className="badge badge-ok">current</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section className="card" aria-labelledby="policies">
            <h2 id="policies">Could it run there?</h2>
            <p className="muted">Each environment&apos;s trust policy, applied to this artefact deployed by its digest.</p>
            <ul className="policy-list">
              {environments.map((e) => (
                <li key={e.environment} data-testid="policy-result">
                  <span className={`badge ${e.result.pass ? "badge-ok" : "badge-bad"}`}>{e.result.pass ? "allowed" : "not allowed"}</span>{" "}
                  <strong>{e.environment}</strong>
                  {e.isDefault ? <span className="muted"> (built-in default policy)</span> : null}
                  {e.result.failures.length ? (
                    <ul>
                      {e.result.failures.map((f) => (
                        <li key={`${f.requirement}-${f.reason}`}>{f.reason}</li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="signatures">
            <h2 id="signatures">Signatures and Vitrine&apos;s verdicts</h2>
            {artifact.signatures.length === 0 ? (
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
                    {artifact.signatures.map((s) => (
                      <tr key={s.id} data-testid="signature-row">
                        <td>
                          <VerdictBadge verdict={s.verdict} />
                        </td>
                        <td>{s.format}</td>
                        <td>
                          {s.evidence.identity ?? s.signer.identity ?? <span className="muted">unknown</span>}
                          {(s.evidence.issuer ?? s.signer.issuer) ? (
                            <div className="muted">{s.evidence.issuer ?? s.signer.issuer}</div>
                          ) : null}
                          {s.evidence.keyFingerprint ? <div className="digest">{s.evidence.keyFingerprint}</div> : null}
                        </td>
                        <td>{s.reason ?? <span className="muted">not verified yet</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {artifact.ledger ? (
            <section className="card" aria-labelledby="evidence">
              <h2 id="evidence">Evidence in the ledger</h2>
              {artifact.ledger.length === 0 ? (
                <p className="muted">No ledger entry names this artefact.</p>
              ) : (
                <ul>
                  {artifact.ledger.map((l) => (
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
      ) : null}
    </>
  );
}

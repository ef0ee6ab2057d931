import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { Suspense } from "react";
import styles from "@/components/nouns/nouns.module.css";
import { hrefWith, Pager } from "@/components/nouns/pager";
import { RevokeEntryButton } from "@/components/nouns/revoke-entry-button";
import { TrustStatus } from "@/components/nouns/trust-status";
import { VerdictSummary } from "@/components/nouns/verdict-summary";
import { CopyButton } from "@/components/ui/copy-button";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { VerdictBadge } from "@/components/ui/verdict-badge";
import { AppError } from "@/lib/api/errors";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { findTrustEntryByName } from "@/lib/server/trust/find-trust-entry-by-name";
import { getTrustEntryOrThrow } from "@/lib/server/trust/get-trust-entry-or-throw";
import { listSignaturesByEntry, type SignedBy } from "@/lib/server/trust/list-signatures-by-entry";
import { ZTrustName } from "@/lib/server/trust/schemas";
import type { TrustedIdentityItem, TrustedKeyItem } from "@/lib/server/trust/trust-entry";
import { BlastRadiusSection } from "./blast-radius-section";
import { decodedParam, firstParam, MessageCard } from "./params";
import { SectionSkeleton } from "./section-skeleton";

// The page of a trusted key (/trust/keys/[id]) or identity (/trust/identities/[id]): the entry,
// its blast radius, and what it signed. A name instead of an id (how signatures record the entry
// they count for) is sent on to the entry's id.

type Kind = "keys" | "identities";
export type TrustPageProps = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOUN: Record<Kind, string> = { keys: "trusted key", identities: "trusted identity" };

async function loadEntry(kind: Kind, id: string): Promise<TrustedKeyItem | TrustedIdentityItem | null> {
  try {
    const item = await getTrustEntryOrThrow({ kind, id: id.toLowerCase(), now: new Date() });
    return item.kind === "keys" || item.kind === "identities" ? item : null;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  }
}

export async function TrustEntryPage({ kind, params, searchParams }: TrustPageProps & { kind: Kind }) {
  const { id: raw } = await params;
  const input = decodedParam(raw);
  const path = `/trust/${kind}/${encodeURIComponent(input)}`;
  const user = await requirePagePermission("read", path);
  const sp = await searchParams;
  if (!UUID.test(input)) {
    if (ZTrustName.safeParse(input).success) {
      const found = await findTrustEntryByName({ name: input, prefer: kind });
      if (found) redirect(`/trust/${found.kind}/${found.id}`);
      notFound();
    }
    return (
      <MessageCard alert title={`Not a ${NOUN[kind]}`} back={{ href: "/artifacts", label: "Back to the artefacts" }}>
        “{input.slice(0, 120)}” is neither the id (a UUID) nor the name of a {NOUN[kind]}.
      </MessageCard>
    );
  }
  const entry = await loadEntry(kind, input);
  if (!entry) notFound();
  const current = { radius: firstParam(sp.radius), signed: firstParam(sp.signed) };
  const base = `/trust/${kind}/${entry.id}`;
  const canManage = actorCan(user, "trust:manage");
  const canSettings = actorCan(user, "settings:read");
  const noun = kind === "keys" ? "key" : "identity";
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <p className="muted small">
            {canSettings ? <Link href="/settings/trust">Trust</Link> : "Trust"} / {kind === "keys" ? "Keys" : "Identities"} /
          </p>
          <h1 className="wrap-anywhere">{entry.name}</h1>
          <p className={styles.subtitle}>
            <TrustStatus item={entry} />
            <span>{kind === "keys" ? `${(entry as TrustedKeyItem).algorithm} key` : "keyless identity"}</span>
            {entry.owner ? <span>owned by {entry.owner}</span> : null}
          </p>
        </div>
        {canManage && !entry.revokedAt ? (
          <div className={styles.actions}>
            <RevokeEntryButton item={entry} />
          </div>
        ) : null}
      </div>

      {entry.revokedAt ? (
        <div className="alert alert-bad" role="status" data-testid="revoked-banner">
          {entry.status === "revoked" ? "Revoked" : "Revocation scheduled"} at <Time iso={entry.revokedAt} />
          {entry.revokedReason ? `: ${entry.revokedReason}` : null}. Signatures it made from then on are not trusted.
        </div>
      ) : null}

      <section className="card" aria-labelledby="entry-title">
        <h2 id="entry-title">The {noun}</h2>
        <dl className="props">
          {entry.kind === "keys" ? (
            <>
              <dt>Fingerprint</dt>
              <dd>
                <span className="digest" data-testid="fingerprint">
                  {entry.fingerprint}
                </span>{" "}
                <CopyButton value={entry.fingerprint} label="Copy fingerprint" />
              </dd>
              <dt>Algorithm</dt>
              <dd>
                {entry.algorithm} <span className="muted">({entry.keyKind === "openpgp" ? "OpenPGP" : "PEM public key"})</span>
              </dd>
            </>
          ) : (
            <>
              <dt>Subject</dt>
              <dd>
                <code className="wrap-anywhere">{entry.subject}</code>{" "}
                {entry.subjectPattern ? <span className="badge">anchored pattern</span> : <span className="badge">exact</span>}
              </dd>
              <dt>Issuer</dt>
              <dd>
                <code className="wrap-anywhere">{entry.issuer}</code>
              </dd>
            </>
          )}
          <dt>Owner</dt>
          <dd>{entry.owner ?? <span className="muted">none recorded</span>}</dd>
          <dt>Environments</dt>
          <dd>{entry.environments.length ? entry.environments.join(", ") : <span className="muted">all environments</span>}</dd>
          <dt>Valid</dt>
          <dd>
            {entry.validFrom || entry.validUntil ? (
              <>
                {entry.validFrom ? <Time iso={entry.validFrom} /> : "always"} –{" "}
                {entry.validUntil ? <Time iso={entry.validUntil} /> : "no end"}
              </>
            ) : (
              <span className="muted">no limit</span>
            )}
          </dd>
          <dt>Revoked</dt>
          <dd>
            {entry.revokedAt ? (
              <>
                <Time iso={entry.revokedAt} />
                {entry.revokedReason ? <span>: {entry.revokedReason}</span> : null}
              </>
            ) : (
              <span className="muted">no</span>
            )}
          </dd>
          <dt>Added</dt>
          <dd>
            <Time iso={entry.createdAt} />
            {entry.createdBy ? <span className="muted"> by {entry.createdBy}</span> : null}
          </dd>
        </dl>
        {entry.kind === "keys" ? (
          <details style={{ marginTop: "0.75rem" }}>
            <summary>Public key</summary>
            <pre className="raw">{entry.publicKey}</pre>
          </details>
        ) : null}
      </section>

      <BlastRadiusSection
        title="Blast radius"
        intro={
          <>
            What runs now that relies on this {noun}, and which of it has no other trusted signature: what breaks if the {noun} is revoked,
            and what is exposed if it leaks.
          </>
        }
        subject={kind === "keys" ? "key" : "identity"}
        value={entry.id}
        cursor={current.radius}
        variant="full"
        pageHref={(cursor) => hrefWith(base, current, { radius: cursor })}
      />

      <section className="card" aria-labelledby="signed-title">
        <h2 id="signed-title">What it signed</h2>
        <Suspense fallback={<SectionSkeleton label="Loading the signatures…" />}>
          <SignedList entry={entry} cursor={current.signed} pageHref={(cursor) => hrefWith(base, current, { signed: cursor })} />
        </Suspense>
      </section>
    </>
  );
}

async function SignedList(props: {
  entry: TrustedKeyItem | TrustedIdentityItem;
  cursor?: string;
  pageHref: (cursor: string | null) => string;
}) {
  let signed: SignedBy;
  let problem: string | null = null;
  try {
    signed = await listSignaturesByEntry({ entry: props.entry, cursor: props.cursor });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "unprocessable") throw error;
    problem = "That page link is not valid any more: here is the first page.";
    signed = await listSignaturesByEntry({ entry: props.entry });
  }
  if (signed.total === 0) {
    return <p className="muted">No submitted signature relies on it yet.</p>;
  }
  return (
    <>
      {problem ? (
        <div className="alert alert-warn" role="alert">
          {problem}
        </div>
      ) : null}
      <p className="muted">
        {signed.total.toLocaleString("en")} signature{signed.total === 1 ? "" : "s"}, by Vitrine&apos;s verdict:{" "}
        <VerdictSummary verdicts={signed.verdicts} />
      </p>
      <div className="table-wrap">
        <table className={styles.stack} aria-label="Signatures that rely on it">
          <thead>
            <tr>
              <th scope="col">Artefact</th>
              <th scope="col">Verdict</th>
              <th scope="col">Signed</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {signed.items.map((s) => (
              <tr key={s.id} data-testid="signed-row">
                <td data-label="Artefact">
                  <DigestLink digest={s.artifact.digest} />
                  {s.artifact.name ? <div className="small muted wrap-anywhere">{s.artifact.name}</div> : null}
                </td>
                <td data-label="Verdict">
                  <VerdictBadge verdict={s.verdict} />
                  <div className="small muted">{s.format}</div>
                </td>
                <td data-label="Signed">
                  <Time iso={s.signedAt ?? s.submittedAt} />
                  <div className="small muted">{s.signedAt ? "transparency log time" : "received (no log time)"}</div>
                </td>
                <td data-label="Why" className="small wrap-anywhere">
                  {s.reason ?? <span className="muted">not verified yet</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        label="Signature pages"
        first={props.cursor ? props.pageHref(null) : null}
        next={signed.nextCursor ? props.pageHref(signed.nextCursor) : null}
      />
    </>
  );
}

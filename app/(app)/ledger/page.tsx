import type { Metadata } from "next";
import Link from "next/link";
import { CheckpointCard } from "@/components/ledger/checkpoint-card";
import { VerifyLedgerButton } from "@/components/ledger/verify-ledger-button";
import { Time } from "@/components/ui/time";
import { requirePagePermission } from "@/lib/auth/session";
import { listLedgerEntries } from "@/lib/server/ledger/list-ledger-entries";

export const metadata: Metadata = { title: "Ledger" };
export const dynamic = "force-dynamic";

export default async function LedgerPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePagePermission("ledger:read", "/ledger");
  const sp = await searchParams;
  const cursorRaw = typeof sp.cursor === "string" && /^\d{1,18}$/.test(sp.cursor) ? BigInt(sp.cursor) : undefined;
  const entryRaw = typeof sp.entry === "string" && /^\d{1,18}$/.test(sp.entry) ? BigInt(sp.entry) : undefined;
  const page = await listLedgerEntries({ cursor: entryRaw !== undefined ? entryRaw + 1n : cursorRaw, limit: 50 });
  const selected = entryRaw !== undefined ? page.items.find((i) => i.sequence === entryRaw.toString()) : undefined;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Evidence ledger</h1>
          <p>Every accepted document and governance action, in order, each entry chained to the one before by its hash.</p>
        </div>
      </div>
      <section className="card" aria-labelledby="verify-heading" style={{ marginBottom: "1rem" }}>
        <h2 id="verify-heading">Integrity</h2>
        <p className="muted">Recompute every entry&apos;s hash and link. An entry changed behind Vitrine&apos;s back is named here.</p>
        <VerifyLedgerButton />
      </section>
      <CheckpointCard canCreate />
      {selected ? (
        <section className="card" aria-labelledby="entry-heading" style={{ marginBottom: "1rem" }}>
          <h2 id="entry-heading">Entry #{selected.sequence}</h2>
          <dl className="props">
            <dt>Kind</dt>
            <dd>{selected.kind}</dd>
            <dt>Actor</dt>
            <dd>
              <code>{selected.actor}</code>
            </dd>
            <dt>Subject</dt>
            <dd>{selected.subject ? <code>{selected.subject}</code> : "none"}</dd>
            <dt>Time</dt>
            <dd>
              <Time iso={selected.createdAt} />
            </dd>
            <dt>Entry hash</dt>
            <dd className="digest">{selected.entryHash}</dd>
            <dt>Previous hash</dt>
            <dd className="digest">{selected.prevHash}</dd>
            {selected.documentId ? (
              <>
                <dt>Document</dt>
                <dd>
                  <a href={`/api/v1/documents/${selected.documentId}`}>Download the raw document</a>
                </dd>
              </>
            ) : null}
          </dl>
          <pre className="raw">{JSON.stringify(selected.payload, null, 2)}</pre>
        </section>
      ) : null}
      {page.items.length === 0 ? (
        <div className="card empty">
          <h2>The ledger is empty</h2>
          <p>Entries appear as documents are accepted and as people act (tokens, users, trust).</p>
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table aria-label="Ledger entries">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Time</th>
                  <th scope="col">Hash</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((e) => (
                  <tr key={e.sequence} data-testid="ledger-row">
                    <td>
                      <Link href={`/ledger?entry=${e.sequence}`}>{e.sequence}</Link>
                    </td>
                    <td>{e.kind}</td>
                    <td>
                      {e.subject ? (
                        <code title={e.subject}>{e.subject.length > 44 ? `${e.subject.slice(0, 44)}…` : e.subject}</code>
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td>
                      <code className="nowrap" title={e.actor}>
                        {e.actor.length > 22 ? `${e.actor.slice(0, 22)}…` : e.actor}
                      </code>
                    </td>
                    <td>
                      <Time iso={e.createdAt} />
                    </td>
                    <td className="digest nowrap" title={e.entryHash}>
                      {e.entryHash.slice(7, 19)}…
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            {cursorRaw !== undefined || entryRaw !== undefined ? (
              <Link className="btn" href="/ledger">
                Newest
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link className="btn" rel="next" href={`/ledger?cursor=${page.nextCursor}`}>
                Older entries
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </>
  );
}

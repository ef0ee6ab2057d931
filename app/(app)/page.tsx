import type { Metadata } from "next";
import Link from "next/link";
import { AlertOverview } from "@/components/alerts/alert-overview";
import { DigestLink } from "@/components/ui/digest";
import { Time } from "@/components/ui/time";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { getAlertStats } from "@/lib/server/alerts/alert-stats";
import { getOverview } from "@/lib/server/overview/get-overview";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const user = await requirePagePermission("read", "/");
  const now = new Date();
  const [o, alertStats] = await Promise.all([getOverview({ now }), getAlertStats({ now })]);
  // Each figure is shown only to roles that may open the page it links to.
  const stats = [
    { label: "Artefacts", value: o.artifacts, href: "/artifacts", show: true },
    { label: "Tags", value: o.tags, href: "/artifacts", show: true },
    { label: "Documents received", value: o.documents, href: "/ledger", show: actorCan(user, "ledger:read") },
    { label: "Documents, last 24 h", value: o.documentsLast24h, href: "/ledger", show: actorCan(user, "ledger:read") },
    { label: "Ledger entries", value: o.ledgerEntries, href: "/ledger", show: actorCan(user, "ledger:read") },
    { label: "Active API tokens", value: o.activeTokens, href: "/settings/tokens", show: actorCan(user, "tokens:manage") },
  ].filter((s) => s.show);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Overview</h1>
          <p>Is what runs in production exactly what we built and signed?</p>
        </div>
      </div>
      {o.hasDemoData ? (
        <div className="alert alert-warn" role="note">
          <strong>Demo data.</strong> This instance holds generated demo records (marked <span className="badge badge-demo">demo</span>).
          They are not evidence about real software.
        </div>
      ) : null}
      <section aria-label="Counts" className="grid-stats">
        {stats.map((s) => (
          <div className="stat" key={s.label}>
            <Link href={s.href}>
              <div className="label">{s.label}</div>
              <div className="value" data-testid={`stat-${s.label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`}>
                {s.value.toLocaleString("en")}
              </div>
            </Link>
          </div>
        ))}
      </section>
      <AlertOverview stats={alertStats} />
      <section className="card" aria-labelledby="latest-heading">
        <h2 id="latest-heading">Newest artefacts</h2>
        {o.latestArtifacts.length === 0 ? (
          <div className="empty">
            <p>
              No artefacts yet. Send a CDEvents <code>artifact.published</code> event to <code>POST /api/v1/events</code> with an ingest
              token.
            </p>
          </div>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Digest</th>
                  <th scope="col">Name</th>
                  <th scope="col">First seen</th>
                </tr>
              </thead>
              <tbody>
                {o.latestArtifacts.map((a) => (
                  <tr key={a.digest}>
                    <td>
                      <DigestLink digest={a.digest} />
                    </td>
                    <td>{a.name ?? <span className="muted">unnamed</span>}</td>
                    <td>
                      <Time iso={a.firstSeenAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

import type { Metadata } from "next";
import { Suspense } from "react";
import { AlertQueue } from "@/components/alerts/alert-queue.client";
import { apiQueryOf, filtersFrom, urlQueryOf } from "@/components/alerts/queue-filters";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { listAlertFacets } from "@/lib/server/alerts/list-alert-facets";
import { listAlerts, ZListAlertsQuery } from "@/lib/server/alerts/list-alerts";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AlertsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePagePermission("read", "/alerts");
  const sp = await searchParams;
  const filters = filtersFrom({ get: (name) => (typeof sp[name] === "string" ? (sp[name] as string) : null) });
  const now = Date.now();
  // The first page is read here, so the queue is on screen at once; the browser refreshes it after.
  const query = ZListAlertsQuery.safeParse(Object.fromEntries(apiQueryOf(filters, { now, limit: 25 })));
  const [page, facets] = await Promise.all([
    query.success ? listAlerts({ query: query.data, actor: user }) : Promise.resolve(null),
    listAlertFacets(),
  ]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Alerts</h1>
          <p>Unsigned, untrusted, tampered or mutable artefacts moving towards production.</p>
        </div>
      </div>
      <Suspense>
        <AlertQueue
          canTriage={actorCan(user, "alerts:triage")}
          initial={page ? { key: urlQueryOf(filters), page, at: now } : null}
          serverNow={now}
          rules={facets.rules}
          environments={facets.environments}
        />
      </Suspense>
    </>
  );
}

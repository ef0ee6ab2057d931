import type { Metadata } from "next";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

export default async function AlertsPage() {
  await requirePagePermission("read", "/alerts");
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Alerts</h1>
          <p>Unsigned, untrusted, tampered or mutable artefacts moving towards production.</p>
        </div>
      </div>
      <div className="card empty">
        <h2>Alert rules are not evaluated yet</h2>
        <p>
          This version of Vitrine does not run alert rules, so an empty queue here would prove nothing. Alerts appear once signature
          verification and deployments are ingested.
        </p>
      </div>
    </>
  );
}

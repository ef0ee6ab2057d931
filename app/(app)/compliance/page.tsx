import type { Metadata } from "next";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Compliance" };
export const dynamic = "force-dynamic";

export default async function CompliancePage() {
  await requirePagePermission("read", "/compliance");
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Compliance</h1>
          <p>Per environment: digest-pinned, signed by a trusted identity, with verified provenance, admitted.</p>
        </div>
      </div>
      <div className="card empty">
        <h2>No deployments recorded</h2>
        <p>
          Compliance is measured over deployments. This version of Vitrine records artefacts and tags; deployment events (CDEvents
          <code> service.*</code>) and signature verification are not ingested yet, so there is nothing to measure.
        </p>
      </div>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { TrustManager } from "@/components/settings/trust-manager";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { listTrustEntries } from "@/lib/server/trust/list-trust-entries";

export const metadata: Metadata = { title: "Trust" };
export const dynamic = "force-dynamic";

export default async function TrustPage() {
  const user = await requirePagePermission("settings:read", "/settings/trust");
  const now = new Date();
  const [keys, identities, roots, x509Roots] = await Promise.all([
    listTrustEntries({ kind: "keys", now }),
    listTrustEntries({ kind: "identities", now }),
    listTrustEntries({ kind: "roots", now }),
    listTrustEntries({ kind: "x509-roots", now }),
  ]);
  return (
    <>
      <div className="page-header">
        <div>
          <p>
            <Link href="/settings">Settings</Link> /
          </p>
          <h1>Trust</h1>
          <p>
            The keys, keyless identities and roots whose signatures Vitrine trusts. Every addition and revocation is recorded in the ledger;
            nothing is ever deleted.
          </p>
        </div>
      </div>
      <TrustManager initial={{ keys, identities, roots, "x509-roots": x509Roots }} canManage={actorCan(user, "trust:manage")} />
    </>
  );
}

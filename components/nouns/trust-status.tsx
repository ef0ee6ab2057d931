import type { TrustItem } from "@/lib/server/trust/trust-entry";

/** Whether a trust entry counts now, in words. */
export function TrustStatus({ item }: { item: TrustItem }) {
  if (item.revokedAt) {
    return (
      <span className={item.status === "revoked" ? "badge badge-bad" : "badge badge-warn"}>
        {item.status === "revoked" ? "revoked" : "revocation scheduled"}
      </span>
    );
  }
  if (item.status === "expired") return <span className="badge badge-warn">expired</span>;
  if (item.status === "pending") return <span className="badge badge-warn">not yet valid</span>;
  return <span className="badge badge-ok">active</span>;
}

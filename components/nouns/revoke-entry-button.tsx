"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { RevokeDialog } from "@/components/settings/trust-manager";
import type { TrustedIdentityItem, TrustedKeyItem } from "@/lib/server/trust/trust-entry";

/** The Settings > Trust revoke dialog, opened from the entry's own page; the page reloads its data after. */
export function RevokeEntryButton({ item }: { item: TrustedKeyItem | TrustedIdentityItem }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  return (
    <>
      <button type="button" className="btn btn-danger" aria-label={`Revoke ${item.name}`} onClick={() => setOpen(true)}>
        Revoke
      </button>
      {open ? (
        <RevokeDialog
          kind={item.kind}
          item={item}
          onClose={(done) => {
            setOpen(false);
            if (done) router.refresh();
          }}
        />
      ) : null}
    </>
  );
}

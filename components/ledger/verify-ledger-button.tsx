"use client";

import { useMutation } from "@tanstack/react-query";
import { fetchJson } from "@/components/ui/fetch-json.client";

type Verification = {
  valid: boolean;
  entries: number;
  firstBrokenSequence: number | null;
  reason: string | null;
  checkpoints?: { checked: number };
};

export function VerifyLedgerButton() {
  const verify = useMutation({ mutationFn: () => fetchJson<Verification>("/api/v1/ledger/verify") });
  return (
    <div>
      <button type="button" className="btn btn-primary" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {verify.isPending ? "Verifying…" : "Verify the chain"}
      </button>
      <div aria-live="polite" style={{ marginTop: "0.75rem" }}>
        {verify.data?.valid ? (
          <div className="alert alert-ok" data-testid="ledger-verify-result">
            Chain verified: all {verify.data.entries.toLocaleString("en")} entries match their hashes and links
            {verify.data.checkpoints ? `, and ${verify.data.checkpoints.checked} signed checkpoints match the chain` : ""}.
          </div>
        ) : null}
        {verify.data && !verify.data.valid ? (
          <div className="alert alert-bad" data-testid="ledger-verify-result">
            Chain broken at entry #{verify.data.firstBrokenSequence}: {verify.data.reason}. {verify.data.entries} entries before it
            verified.
          </div>
        ) : null}
        {verify.error ? <div className="alert alert-bad">Could not verify: {verify.error.message}</div> : null}
      </div>
    </div>
  );
}

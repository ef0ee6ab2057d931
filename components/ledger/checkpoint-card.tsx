"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CopyButton } from "@/components/ui/copy-button";
import { fetchJson } from "@/components/ui/fetch-json.client";
import { Time } from "@/components/ui/time";

type Checkpoint = { id: string; sequence: string; headHash: string; createdAt: string; keyFingerprint: string; signature: string };
type Answer = { checkpoint: Checkpoint | null; key: { algorithm: string; fingerprint: string; publicKey: string } };

export const ledgerKeys = { all: ["ledger"] as const, checkpoint: () => [...ledgerKeys.all, "checkpoint"] as const };

export function CheckpointCard({ canCreate }: { canCreate: boolean }) {
  const qc = useQueryClient();
  const latest = useQuery({ queryKey: ledgerKeys.checkpoint(), queryFn: () => fetchJson<Answer>("/api/v1/ledger/checkpoint") });
  const create = useMutation({
    mutationFn: () => fetchJson<Checkpoint>("/api/v1/ledger/checkpoint", { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ledgerKeys.all }),
  });
  return (
    <section className="card" aria-labelledby="checkpoint-heading" style={{ marginBottom: "1rem" }}>
      <h2 id="checkpoint-heading">Latest signed checkpoint</h2>
      {latest.isPending ? <div className="skeleton" style={{ width: "60%" }} role="status" aria-label="Loading" /> : null}
      {latest.error ? <div className="alert alert-bad">Could not load the checkpoint: {latest.error.message}</div> : null}
      {latest.data && !latest.data.checkpoint ? (
        <p className="muted">No checkpoint yet. Vitrine signs one every few minutes while the ledger grows.</p>
      ) : null}
      {latest.data?.checkpoint ? (
        <dl className="props" data-testid="checkpoint">
          <dt>Entry</dt>
          <dd>#{latest.data.checkpoint.sequence}</dd>
          <dt>Head hash</dt>
          <dd className="digest">{latest.data.checkpoint.headHash}</dd>
          <dt>Signed</dt>
          <dd>
            <Time iso={latest.data.checkpoint.createdAt} />
          </dd>
          <dt>Signature</dt>
          <dd className="digest">{latest.data.checkpoint.signature.slice(0, 44)}…</dd>
        </dl>
      ) : null}
      {latest.data ? (
        <p style={{ marginTop: "0.75rem" }}>
          Vitrine&apos;s {latest.data.key.algorithm} key: <code>{latest.data.key.fingerprint}</code>{" "}
          <CopyButton value={latest.data.key.publicKey} label="Copy public key (PEM)" />
        </p>
      ) : null}
      {canCreate ? (
        <button type="button" className="btn" onClick={() => create.mutate()} disabled={create.isPending}>
          {create.isPending ? "Signing…" : "Sign a checkpoint now"}
        </button>
      ) : null}
      {create.error ? <div className="alert alert-bad">Could not sign: {create.error.message}</div> : null}
    </section>
  );
}

import "server-only";
import { type Sql, withTransaction } from "@/lib/db/sql";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { verifyAttestations } from "@/lib/server/verification/verify-attestation";
import { verifySignatures } from "@/lib/server/verification/verify-signature";
import { detectDisagreements } from "./detect-disagreements";
import { evaluateDeployments } from "./evaluate-deployments";

const LISTED = 200;

type VerdictRow = { id: string; kind: "signature" | "attestation"; digest: string; verdict: string | null };

/** Every signature's and attestation's verdict (an attestation under its first subject). */
async function verdicts(sql: Sql): Promise<Map<string, VerdictRow>> {
  const rows = await sql.query<VerdictRow>(
    `SELECT s.id, 'signature' AS kind, a.digest, s.verdict FROM signatures s JOIN artifacts a ON a.id = s.artifact_id
     UNION ALL
     SELECT t.id, 'attestation' AS kind, min(sub.digest) AS digest, t.verdict
       FROM attestations t JOIN attestation_subjects sub ON sub.attestation_id = t.id GROUP BY t.id, t.verdict`,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * After a trust change (a key, identity or root added or revoked, a policy edited): every signature
 * is verified again, every running deployment evaluated again, disagreements with external
 * verifiers refreshed, and what changed is recorded in the ledger as one entry.
 */
export async function reevaluateAfterTrustChange(sql: Sql, options: { now: Date; reason: string }) {
  const before = await verdicts(sql);
  const signatures = await verifySignatures({ now: options.now });
  const attestations = await verifyAttestations({ now: options.now });
  const checked = { checked: signatures.checked + attestations.checked };
  const after = await verdicts(sql);
  const changed = [...after.values()]
    .filter((s) => before.get(s.id)?.verdict !== s.verdict)
    .map((s) => ({ [s.kind]: s.id, artifact: s.digest, from: before.get(s.id)?.verdict ?? null, to: s.verdict }));
  const { evaluated, flips } = await evaluateDeployments(sql, { now: options.now });
  const disagreements = await detectDisagreements(sql, { now: options.now });
  const nowFailing = flips.filter((f) => !f.to);
  if (changed.length || flips.length || disagreements.length) {
    await withTransaction((tx) =>
      appendLedgerEntriesSql(tx, [
        {
          kind: "evaluation.trust-changed",
          actor: "system:job-queue",
          subject: null,
          payload: {
            reason: options.reason,
            signaturesChecked: signatures.checked,
            attestationsChecked: attestations.checked,
            verdictChanges: changed.length,
            changes: changed.slice(0, LISTED),
            deploymentsEvaluated: evaluated,
            deploymentsNowFailing: nowFailing.length,
            deploymentsNowPassing: flips.length - nowFailing.length,
            flips: flips.slice(0, LISTED).map((f) => ({ deployment: f.id, environment: f.environment, workload: f.workload, pass: f.to })),
            disagreements: disagreements.length,
          },
          now: options.now,
        },
      ]),
    );
  }
  return { checked: checked.checked, changed: changed.length, evaluated, flips: flips.length, disagreements: disagreements.length };
}

/** After ingestion touched some artefacts: their running deployments and their claims. */
export async function reevaluateArtifacts(sql: Sql, options: { artifactIds: string[]; includeUnresolved?: boolean; now: Date }) {
  // Signatures not judged yet (verification after ingestion failed, or has not finished): judge them now.
  const pending = await sql.query<{ id: string }>(`SELECT id FROM signatures WHERE artifact_id = ANY($1::uuid[]) AND verified_at IS NULL`, [
    options.artifactIds,
  ]);
  if (pending.length) await verifySignatures({ ids: pending.map((p) => p.id), now: options.now });
  const pendingAttestations = await sql.query<{ id: string }>(
    `SELECT DISTINCT t.id FROM attestations t JOIN attestation_subjects s ON s.attestation_id = t.id
      WHERE s.artifact_id = ANY($1::uuid[]) AND t.verified_at IS NULL`,
    [options.artifactIds],
  );
  if (pendingAttestations.length) await verifyAttestations({ ids: pendingAttestations.map((p) => p.id), now: options.now });
  const { evaluated, flips } = await evaluateDeployments(sql, {
    artifactIds: options.artifactIds,
    includeUnresolved: options.includeUnresolved,
    now: options.now,
  });
  const disagreements = await detectDisagreements(sql, { artifactIds: options.artifactIds, now: options.now });
  return { evaluated, flips: flips.length, disagreements: disagreements.length };
}

import "server-only";
import { sqlFromPool } from "@/lib/db/sql";
import { type KeyLookup, type ReportVerification, verifyReport } from "@/lib/domain/report-signature";
import { env } from "@/lib/env";
import { findSigningKeyFingerprint } from "@/lib/server/signing/signing-key";

// POST /api/v1/reports/verify and `vitrine report verify` (with the database): is this file exactly a
// report Vitrine exported? The cryptography is lib/domain/report-signature.ts; here the public keys
// come from signing_keys, limited (as for ledger checkpoints) to Vitrine's current key and the
// retired ones in VITRINE_RETIRED_SIGNING_KEYS; and the export's own record must agree.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type ReportVerificationAnswer = ReportVerification & {
  /** Whether this database has a record of the export (an export from a restored or other installation has none). */
  recorded: boolean;
  exportedBy: string | null;
};

/** Vitrine's signing keys that count here: fingerprint -> PEM. */
export async function trustedReportKeys(): Promise<KeyLookup> {
  const current = findSigningKeyFingerprint();
  const allowed = new Set([...(current ? [current] : []), ...env().VITRINE_RETIRED_SIGNING_KEYS]);
  const rows = await sqlFromPool().query<{ fingerprint: string; public_key_pem: string }>(
    `SELECT fingerprint, public_key_pem FROM signing_keys`,
  );
  // No key on this host at all (a verification-only installation): every recorded Vitrine key counts.
  const keys = new Map(rows.filter((r) => allowed.size === 0 || allowed.has(r.fingerprint)).map((r) => [r.fingerprint, r.public_key_pem]));
  return (fingerprint) => keys.get(fingerprint) ?? null;
}

export async function verifyReportFile(options: { bytes: Buffer; signature: string | null }): Promise<ReportVerificationAnswer> {
  const result = verifyReport({ bytes: options.bytes, signature: options.signature, publicKeyFor: await trustedReportKeys() });
  if (!result.reportId || !UUID.test(result.reportId)) return { ...result, recorded: false, exportedBy: null };
  const [recorded] = await sqlFromPool().query<{ sha256: string | null; status: string; exported_by_name: string | null }>(
    `SELECT sha256, status, exported_by_name FROM report_exports WHERE id = $1::uuid`,
    [result.reportId],
  );
  if (!recorded) return { ...result, recorded: false, exportedBy: null };
  if (result.valid && recorded.sha256 !== result.sha256) {
    return {
      ...result,
      valid: false,
      reason: "signed, but Vitrine recorded another sha256 for this report id",
      recorded: true,
      exportedBy: recorded.exported_by_name,
    };
  }
  return { ...result, recorded: true, exportedBy: recorded.exported_by_name };
}

// `vitrine report verify FILE [--signature FILE.sig] [--public-key PEM]` (docs/reports.md): is FILE
// exactly a report Vitrine exported? JSON on stdout; exit 0 valid, 1 not valid, 2 bad usage.
// With --public-key it needs nothing but the files (offline); without, the public keys come from
// the database (Vitrine's signing keys), which also says whether the export is on record.
import { parseArgs } from "node:util";
import { type ReportVerification, spkiFingerprint, verifyReport } from "@/lib/domain/report-signature";

export const REPORT_VERIFY_USAGE = `usage: vitrine report verify FILE [--signature FILE.sig] [--public-key PEM_FILE]

  FILE          a CSV, JSON or PDF report as Vitrine exported it
  --signature   the detached .sig (the Vitrine-Signature value); default FILE.sig when it exists.
                Required for CSV; JSON and PDF carry their own
  --public-key  Vitrine's Ed25519 public key (GET /api/v1/reports/public-key): verify offline,
                without the database
exit status: 0 valid, 1 not valid (the JSON says why), 2 bad usage`;

export type ReportVerifyArgs = { file: string; signature: string | null; publicKey: string | null };

/** Parses argv (after `report verify`); a string is the usage problem. */
export function parseReportVerifyArgs(argv: string[]): ReportVerifyArgs | string {
  let parsed: ReturnType<
    typeof parseArgs<{ options: { signature: { type: "string" }; "public-key": { type: "string" } }; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: { signature: { type: "string" }, "public-key": { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return (error as Error).message;
  }
  if (parsed.positionals.length !== 1) return parsed.positionals.length ? "name exactly one FILE" : "name the report FILE to verify";
  return { file: parsed.positionals[0]!, signature: parsed.values.signature ?? null, publicKey: parsed.values["public-key"] ?? null };
}

/** Offline: the given PEM is the only key that counts. A string is a problem with the key file. */
export function verifyWithPublicKey(options: {
  bytes: Buffer;
  signature: string | null;
  publicKeyPem: string;
}): ReportVerification | string {
  let fingerprint: string;
  try {
    fingerprint = spkiFingerprint(options.publicKeyPem);
  } catch {
    return "--public-key: not a PEM public key";
  }
  return verifyReport({
    bytes: options.bytes,
    signature: options.signature,
    publicKeyFor: (f) => (f === fingerprint ? options.publicKeyPem : null),
  });
}

// Maps what @sigstore/verify 4.1.3 throws (dist/error.d.ts: VerificationError and PolicyError codes) to a
// Vitrine verdict and a sentence a person can act on. Pure. Messages are matched only where one code
// covers outcomes of different kinds (a threshold not met vs. evidence that does not verify).
import type { Verdict } from "./verdict";

export type MappedError = { verdict: Verdict; reason: string };

/** Signing-key context: with a trusted key the signature failure names that key. */
export type ErrorContext = { keyMode: "trusted-key" | "certificate" };

type LibraryError = { code: string; message: string; cause?: unknown };

function asLibraryError(error: unknown): LibraryError | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { code, message: error.message, cause: (error as { cause?: unknown }).cause } : null;
}

function causeMessage(error: LibraryError): string | null {
  return error.cause instanceof Error ? error.cause.message : null;
}

const THRESHOLD = /^expected (\d+) (tlog entries|timestamps|SCTs), got (\d+)$/;
const THRESHOLD_WHAT: Record<string, string> = {
  "tlog entries": "transparency log entries",
  timestamps: "verified timestamps (a log integration time with an inclusion promise, or an RFC 3161 timestamp)",
  SCTs: "certificate transparency SCTs",
};

/** The verdict for one error thrown by Verifier.verify (or by toSignedEntity). */
export function mapLibraryError(error: unknown, context: ErrorContext): MappedError {
  const e = asLibraryError(error);
  if (!e) {
    const message = error instanceof Error ? error.message : String(error);
    return { verdict: "invalid", reason: `the bundle could not be verified: ${message.slice(0, 200)}` };
  }
  const threshold = THRESHOLD.exec(e.message);
  if (threshold) {
    const [, want, what, got] = threshold;
    return {
      verdict: "unverifiable",
      reason: `the bundle carries ${got} of the ${want} ${THRESHOLD_WHAT[what ?? ""] ?? what} the policy requires`,
    };
  }
  switch (e.code) {
    case "SIGNATURE_ERROR":
      return {
        verdict: "invalid",
        reason:
          context.keyMode === "trusted-key"
            ? "signature does not verify with the trusted key"
            : "signature does not verify over the artefact with the certificate's key",
      };
    case "TLOG_BODY_ERROR":
      return { verdict: "invalid", reason: `the transparency log entry does not match the bundle (${e.message})` };
    case "TLOG_INCLUSION_PROOF_ERROR":
      return { verdict: "invalid", reason: `the transparency log inclusion proof does not verify (${e.message})` };
    case "TLOG_INCLUSION_PROMISE_ERROR":
      return { verdict: "invalid", reason: "the transparency log's signed entry timestamp (inclusion promise) does not verify" };
    case "TLOG_MISSING_INCLUSION_ERROR":
      return { verdict: "unverifiable", reason: "a transparency log entry carries neither an inclusion proof nor an inclusion promise" };
    case "TLOG_ERROR":
      return { verdict: "invalid", reason: `the transparency log evidence is inconsistent (${e.message})` };
    case "TIMESTAMP_ERROR":
      return { verdict: "invalid", reason: `a timestamp does not verify against the trust root's timestamp authorities (${e.message})` };
    case "PUBLIC_KEY_ERROR":
      if (/not valid for timestamp/.test(e.message)) {
        return { verdict: "expired", reason: "the signing key was not valid at the signing time" };
      }
      return { verdict: "unverifiable", reason: `no trusted key for the bundle's key hint (${e.message})` };
    case "CERTIFICATE_ERROR": {
      const detail = causeMessage(e) ?? e.message;
      if (/not valid or expired/.test(detail)) {
        return { verdict: "expired", reason: "the signing certificate (or a CA above it) was not valid at the signing time" };
      }
      if (e.message === "Failed to verify certificate chain") {
        return { verdict: "invalid", reason: `the certificate does not chain to a Fulcio CA of the trust root (${detail})` };
      }
      return { verdict: "invalid", reason: `the signing certificate does not verify (${e.message})` };
    }
    case "UNTRUSTED_SIGNER_ERROR":
      return { verdict: "untrusted", reason: `the signer is not the trusted one (${e.message})` };
    case "NOT_IMPLEMENTED_ERROR":
      return { verdict: "unverifiable", reason: `the bundle uses a feature the verifier does not implement (${e.message})` };
    default:
      return { verdict: "invalid", reason: `the bundle could not be verified (${e.code}: ${e.message.slice(0, 200)})` };
  }
}

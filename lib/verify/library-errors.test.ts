import { PolicyError, VerificationError } from "@sigstore/verify";
import { describe, expect, it } from "vitest";
import { mapLibraryError } from "./library-errors";
import type { Verdict } from "./verdict";

type Code = ConstructorParameters<typeof VerificationError>[0]["code"];

const certificate = { keyMode: "certificate" } as const;
const trustedKey = { keyMode: "trusted-key" } as const;

function verification(code: Code, message: string, cause?: unknown) {
  return new VerificationError({ code, message, cause });
}

describe("mapLibraryError", () => {
  // Messages as @sigstore/verify 4.1.3 throws them (dist/**/*.js).
  const table: Array<[string, unknown, Verdict, RegExp]> = [
    ["SIGNATURE_ERROR", verification("SIGNATURE_ERROR", "signature verification failed"), "invalid", /certificate's key/],
    ["TLOG_BODY_ERROR", verification("TLOG_BODY_ERROR", "digest mismatch"), "invalid", /does not match the bundle \(digest mismatch\)/],
    [
      "TLOG_INCLUSION_PROOF_ERROR",
      verification("TLOG_INCLUSION_PROOF_ERROR", "invalid checkpoint signature"),
      "invalid",
      /inclusion proof/,
    ],
    [
      "TLOG_INCLUSION_PROMISE_ERROR",
      verification("TLOG_INCLUSION_PROMISE_ERROR", "inclusion promise could not be verified"),
      "invalid",
      /inclusion promise/,
    ],
    [
      "TLOG_MISSING_INCLUSION_ERROR",
      verification("TLOG_MISSING_INCLUSION_ERROR", "inclusion could not be verified"),
      "unverifiable",
      /neither/,
    ],
    [
      "TLOG_ERROR threshold",
      verification("TLOG_ERROR", "expected 1 tlog entries, got 0"),
      "unverifiable",
      /0 of the 1 transparency log entries/,
    ],
    ["TLOG_ERROR duplicate", verification("TLOG_ERROR", "duplicate tlog entry"), "invalid", /inconsistent/],
    [
      "TIMESTAMP_ERROR threshold",
      verification("TIMESTAMP_ERROR", "expected 2 timestamps, got 1"),
      "unverifiable",
      /1 of the 2 verified timestamps/,
    ],
    ["TIMESTAMP_ERROR", verification("TIMESTAMP_ERROR", "timestamp could not be verified"), "invalid", /timestamp/],
    ["TIMESTAMP_ERROR duplicate", verification("TIMESTAMP_ERROR", "duplicate timestamp"), "invalid", /timestamp/],
    ["CERTIFICATE_ERROR SCT threshold", verification("CERTIFICATE_ERROR", "expected 1 SCTs, got 0"), "unverifiable", /SCTs/],
    ["CERTIFICATE_ERROR SCT", verification("CERTIFICATE_ERROR", "SCT verification failed"), "invalid", /does not verify/],
    [
      "CERTIFICATE_ERROR expired",
      verification(
        "CERTIFICATE_ERROR",
        "Failed to verify certificate chain",
        verification("CERTIFICATE_ERROR", "certificate is not valid or expired at the specified date"),
      ),
      "expired",
      /not valid at the signing time/,
    ],
    [
      "CERTIFICATE_ERROR chain",
      verification(
        "CERTIFICATE_ERROR",
        "Failed to verify certificate chain",
        verification("CERTIFICATE_ERROR", "no valid certificate path found"),
      ),
      "invalid",
      /does not chain/,
    ],
    [
      "PUBLIC_KEY_ERROR time",
      verification("PUBLIC_KEY_ERROR", "Public key is not valid for timestamp: 2024-01-01T00:00:00.000Z"),
      "expired",
      /not valid at the signing time/,
    ],
    ["PUBLIC_KEY_ERROR hint", verification("PUBLIC_KEY_ERROR", "key not found: abc"), "unverifiable", /no trusted key/],
    ["NOT_IMPLEMENTED_ERROR", verification("NOT_IMPLEMENTED_ERROR", "unsupported"), "unverifiable", /does not implement/],
    [
      "UNTRUSTED_SIGNER_ERROR",
      new PolicyError({ code: "UNTRUSTED_SIGNER_ERROR", message: "certificate identity error" }),
      "untrusted",
      /not the trusted one/,
    ],
    ["a TypeError from a malformed input", new TypeError("Cannot read properties of undefined"), "invalid", /could not be verified/],
    ["a thrown string", "boom", "invalid", /boom/],
  ];

  for (const [name, error, verdict, reason] of table) {
    it(`${name} -> ${verdict}`, () => {
      const mapped = mapLibraryError(error, certificate);
      expect(mapped.verdict).toBe(verdict);
      expect(mapped.reason).toMatch(reason);
    });
  }

  it("names the trusted key when a managed-key signature fails", () => {
    expect(mapLibraryError(verification("SIGNATURE_ERROR", "signature verification failed"), trustedKey)).toEqual({
      verdict: "invalid",
      reason: "signature does not verify with the trusted key",
    });
  });

  it("never maps an error to verified", () => {
    for (const [, error] of table) {
      expect(mapLibraryError(error, certificate).verdict).not.toBe("verified");
      expect(mapLibraryError(error, trustedKey).verdict).not.toBe("verified");
    }
  });
});

// Request shapes of the trust store (DESIGN.md "POST /api/v1/trust/..."): extend, never reshape.
import { z } from "zod";

export const TRUST_KINDS = ["keys", "identities", "roots", "x509-roots"] as const;
export type TrustKind = (typeof TRUST_KINDS)[number];

export const ZTrustName = z
  .string()
  .trim()
  .min(1, { message: "a name is required", abort: true })
  .max(100, "at most 100 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only, starting with a letter or digit");

const ZEnvironment = z
  .string()
  .trim()
  .min(1, { message: "an environment name must not be empty", abort: true })
  .max(100, "at most 100 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only");

/** Empty or absent: trusted in every environment. */
export const ZEnvironments = z
  .array(ZEnvironment)
  .max(50, "at most 50 environments")
  .optional()
  .transform((list) => [...new Set(list ?? [])]);

const ZInstant = z.iso.datetime({ offset: true, message: "must be an RFC 3339 time, e.g. 2026-11-25T10:00:00Z" });
const ZOwner = z.string().trim().max(200, "at most 200 characters").optional();

const validity = {
  environments: ZEnvironments,
  owner: ZOwner,
  validFrom: ZInstant.optional(),
  validUntil: ZInstant.optional(),
};

function checkWindow(value: { validFrom?: string; validUntil?: string }, ctx: z.RefinementCtx) {
  if (value.validFrom && value.validUntil && new Date(value.validUntil) <= new Date(value.validFrom)) {
    ctx.addIssue({ code: "custom", path: ["validUntil"], message: "must be later than validFrom" });
  }
}

export const ZCreateTrustedKey = z
  .object({
    name: ZTrustName,
    publicKey: z.string().min(1, "a public key is required").max(100_000, "at most 100000 characters"),
    ...validity,
  })
  .superRefine(checkWindow);
export type TCreateTrustedKey = z.input<typeof ZCreateTrustedKey>;

export const ZCreateTrustedIdentity = z
  .object({
    name: ZTrustName,
    subject: z.string().trim().min(1, "a subject is required").max(1024, "at most 1024 characters"),
    subjectPattern: z.boolean().optional().default(false),
    issuer: z
      .string()
      .trim()
      .max(1024, "at most 1024 characters")
      .refine((value) => {
        try {
          const url = new URL(value);
          return url.protocol === "https:" && url.hostname.length > 0;
        } catch {
          return false;
        }
      }, "must be an https URL, e.g. https://token.actions.githubusercontent.com"),
    ...validity,
  })
  .superRefine(checkWindow);
export type TCreateTrustedIdentity = z.input<typeof ZCreateTrustedIdentity>;

const ZThreshold = z.number().int("must be a whole number").min(0, "must be at least 0").max(10, "at most 10");

export const ZCreateTrustRoot = z
  .object({
    name: ZTrustName,
    trustedRoot: z.record(z.string(), z.unknown(), { message: "must be a trusted_root.json object" }),
    thresholds: z.object({ tlog: ZThreshold.optional(), ctlog: ZThreshold.optional(), timestamp: ZThreshold.optional() }).optional(),
    ...validity,
  })
  .superRefine(checkWindow);
export type TCreateTrustRoot = z.input<typeof ZCreateTrustRoot>;

export const ZCreateX509Root = z
  .object({
    name: ZTrustName,
    certificate: z.string().min(1, "a PEM certificate is required").max(100_000, "at most 100000 characters"),
    ...validity,
  })
  .superRefine(checkWindow);
export type TCreateX509Root = z.input<typeof ZCreateX509Root>;

export const ZRevokeTrust = z.object({
  reason: z.string().trim().min(1, "a reason is required").max(1000, "at most 1000 characters"),
  at: ZInstant.optional(),
});
export type TRevokeTrust = z.input<typeof ZRevokeTrust>;

export const ZTrustId = z.uuid({ message: "must be a UUID" });

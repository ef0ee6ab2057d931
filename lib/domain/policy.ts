// Trust policies per environment (DESIGN.md "Trust policy"): what an artefact needs before it may
// run there. Pure: the document's schema, the built-in default, and the evaluation with one reason
// per failed requirement.
import { z } from "zod";

const ZAnchoredPattern = z
  .string()
  .min(1)
  .max(512, "at most 512 characters")
  .refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, "must be a valid regular expression");

export const ZTrustPolicy = z
  .object({
    environment: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][\w.-]*$/, "must be an environment name (letters, digits, . _ -)"),
    requireDigestPinning: z.boolean().default(true),
    signatures: z
      .object({
        required: z.number().int().min(0).max(100).default(1),
        // Names of trusted keys or identities; empty: any trusted signer counts.
        signers: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
      })
      .default({ required: 1, signers: [] }),
    attestations: z
      .array(
        z.object({
          predicateType: z.string().trim().min(1).max(500),
          builder: ZAnchoredPattern.optional(),
          sourceRepository: ZAnchoredPattern.optional(),
        }),
      )
      .max(20)
      .default([]),
    allowedRegistries: z.array(z.string().trim().min(1).max(253)).max(100).default([]),
    movableTags: z.array(z.string().trim().min(1).max(128)).max(100).default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.signatures.signers.length > 0 && p.signatures.required > p.signatures.signers.length) {
      ctx.addIssue({ code: "custom", path: ["signatures", "required"], message: "cannot exceed the number of signers listed" });
    }
  });

export type TrustPolicy = z.output<typeof ZTrustPolicy>;

/** The built-in policy for an environment without one: one verified signature, digest-pinned. */
export function defaultPolicy(environment: string): TrustPolicy {
  // Deployments name environments freely ("prod eu/1"); only policy documents keep to the name grammar.
  return { ...ZTrustPolicy.parse({ environment: "default" }), environment };
}

/** What is known about an artefact as deployed (or about to be). */
export type PolicyFacts = {
  reference: { pinned: boolean; repository: string | null; tag: string | null };
  signatures: Array<{ verdict: string | null; signerName: string | null }>;
  attestations: Array<{ predicateType: string; verdict: string | null; builderId: string | null; sourceRepositories: string[] }>;
};

export type PolicyFailure = { requirement: "digest-pinning" | "signatures" | "attestations" | "registry"; reason: string };
export type PolicyResult = { pass: boolean; failures: PolicyFailure[] };

const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function registryOf(repository: string): string {
  return repository.split("/")[0] ?? repository;
}

export function evaluatePolicy(policy: TrustPolicy, facts: PolicyFacts): PolicyResult {
  const failures: PolicyFailure[] = [];
  if (policy.requireDigestPinning && !facts.reference.pinned) {
    failures.push({
      requirement: "digest-pinning",
      reason: `${policy.environment} requires digest-pinned references; this names ${facts.reference.tag ? `the tag ${facts.reference.tag}` : "no digest"}`,
    });
  }
  if (policy.allowedRegistries.length > 0) {
    const registry = facts.reference.repository ? registryOf(facts.reference.repository) : null;
    if (!registry || !policy.allowedRegistries.includes(registry)) {
      failures.push({
        requirement: "registry",
        reason: `${registry ?? "an unknown registry"} is not among the allowed registries (${policy.allowedRegistries.join(", ")})`,
      });
    }
  }
  const verified = facts.signatures.filter((s) => s.verdict === "verified");
  const wanted = policy.signatures.required;
  if (wanted > 0) {
    const counted =
      policy.signatures.signers.length === 0
        ? verified.length
        : new Set(verified.map((s) => s.signerName).filter((n): n is string => n !== null && policy.signatures.signers.includes(n))).size;
    if (counted < wanted) {
      const from = policy.signatures.signers.length ? ` from ${policy.signatures.signers.join(", ")}` : "";
      const seen =
        facts.signatures.length === 0
          ? "it has none"
          : `it has ${counted} (verdicts: ${facts.signatures.map((s) => s.verdict ?? "pending").join(", ")})`;
      failures.push({ requirement: "signatures", reason: `needs ${wanted} verified signature${wanted === 1 ? "" : "s"}${from}; ${seen}` });
    }
  }
  for (const want of policy.attestations) {
    const match = facts.attestations.find(
      (a) =>
        a.verdict === "verified" &&
        a.predicateType === want.predicateType &&
        (!want.builder || (a.builderId !== null && anchored(want.builder).test(a.builderId))) &&
        (!want.sourceRepository || a.sourceRepositories.some((r) => anchored(want.sourceRepository as string).test(r))),
    );
    if (!match) {
      const extra = [
        want.builder ? `builder matching ${want.builder}` : null,
        want.sourceRepository ? `source matching ${want.sourceRepository}` : null,
      ]
        .filter(Boolean)
        .join(", ");
      failures.push({
        requirement: "attestations",
        reason: `needs a verified ${want.predicateType} attestation${extra ? ` (${extra})` : ""}`,
      });
    }
  }
  return { pass: failures.length === 0, failures };
}

/** Whether moving this tag is allowed by the policy (no tag-mutated alert). */
export function isMovableTag(policy: TrustPolicy, tag: string): boolean {
  return policy.movableTags.includes(tag);
}

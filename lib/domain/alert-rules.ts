// The alert rules of DESIGN.md "Alert rules", each a pure function from facts to the alerts that
// should be open. The server loads the facts, runs every rule, and reconciles the answer with
// the alerts table (deduplicated by rule, subject and environment).
import type { PolicyFailure, TrustPolicy } from "./policy";

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_RULES = {
  "unsigned-deployed": { severity: "critical", title: "Unsigned artefact deployed" },
  "invalid-signature": { severity: "critical", title: "Invalid signature (possible tampering)" },
  "untrusted-signer": { severity: "high", title: "Only untrusted signers" },
  "revoked-key-in-use": { severity: "critical", title: "Revoked key in use" },
  "tag-mutated": { severity: "high", title: "Tag moved to another digest" },
  "mutable-reference-deployed": { severity: "high", title: "Deployed by tag, not digest" },
  "digest-drift": { severity: "critical", title: "Deployed digest differs from the signed one" },
  "verification-failed": { severity: "high", title: "External verification failed" },
  "verifier-disagreement": { severity: "high", title: "Verifier disagrees with Vitrine" },
  "missing-provenance": { severity: "medium", title: "Missing verified provenance" },
  "admission-denied": { severity: "medium", title: "Admission denied by Vitrine" },
  "unsigned-published": { severity: "medium", title: "Published without a signature" },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type AlertRule = keyof typeof ALERT_RULES;
export const RULE_NAMES = Object.keys(ALERT_RULES) as AlertRule[];

export type AlertSubject = { kind: "artifact" | "tag" | "deployment" | "key"; id: string; label: string };

/** An alert that should be open now. */
export type AlertCandidate = {
  rule: AlertRule;
  subject: AlertSubject;
  environment: string | null;
  artifactId: string | null;
  summary: string;
  evidence: { documents?: string[]; [key: string]: unknown };
};

export function dedupeKey(c: Pick<AlertCandidate, "rule" | "subject" | "environment">): string {
  return `${c.rule}|${c.subject.kind}:${c.subject.id}|${c.environment ?? ""}`;
}

/** The rule's default severity, unless the environment overrides it. */
export function severityFor(rule: AlertRule, environment: string | null, overrides: Record<string, Record<string, Severity>>): Severity {
  return (environment ? overrides[environment]?.[rule] : undefined) ?? ALERT_RULES[rule].severity;
}

export function severityRank(s: string): number {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i === -1 ? SEVERITIES.length : i;
}

const short = (digest: string | null) => (digest ? `${digest.slice(0, 19)}…` : "an unresolved reference");

// ---------------------------------------------------------------------------------------------
// Facts

export type SignatureFact = {
  id: string;
  verdict: string | null;
  documentId: string;
  trustedAs?: string | null;
  keyFingerprint?: string | null;
};

export type ArtifactFact = {
  id: string;
  digest: string;
  name: string | null;
  signatures: SignatureFact[];
  attestations: Array<{ id: string; verdict: string | null; documentId: string; predicateType: string }>;
};

export type DeploymentFact = {
  id: string;
  environment: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  reference: string | null;
  pinned: boolean;
  tagReference: string | null;
  documentId: string | null;
  artifact: ArtifactFact | null;
  policyPass: boolean | null;
  policyFailures: PolicyFailure[];
};

/** A deployment alert is about the workload in its place, not one rollout: a redeploy keeps the alert. */
function deploymentSubject(d: DeploymentFact): AlertSubject {
  const where = [d.environment, d.namespace].filter(Boolean).join("/");
  return { kind: "deployment", id: [d.cluster ?? "", d.namespace ?? "", d.workload].join("/"), label: `${d.workload} in ${where}` };
}

function docs(...ids: Array<string | null | undefined>): string[] {
  return [...new Set(ids.filter((i): i is string => Boolean(i)))];
}

// ---------------------------------------------------------------------------------------------
// Rules about what runs

/** unsigned-deployed, mutable-reference-deployed, missing-provenance, revoked-key-in-use. */
export function deploymentRules(d: DeploymentFact, policy: TrustPolicy): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const subject = deploymentSubject(d);
  const base = { subject, environment: d.environment, artifactId: d.artifact?.id ?? null };
  const what = d.artifact ? (d.artifact.name ?? short(d.artifact.digest)) : (d.reference ?? d.tagReference ?? "an unknown artefact");
  const signatures = d.artifact?.signatures ?? [];
  const verified = signatures.filter((s) => s.verdict === "verified");
  const revoked = signatures.filter((s) => s.verdict === "revoked");

  if (policy.signatures.required > 0 && d.policyFailures.some((f) => f.requirement === "signatures")) {
    const reason = d.policyFailures.find((f) => f.requirement === "signatures")?.reason ?? "";
    out.push({
      ...base,
      rule: "unsigned-deployed",
      summary: `${d.workload} in ${d.environment} runs ${what} without the verified signature its policy requires (${reason})`,
      evidence: {
        documents: docs(d.documentId, ...signatures.map((s) => s.documentId)),
        digest: d.artifact?.digest ?? null,
        verdicts: signatures.map((s) => s.verdict),
        reason,
      },
    });
  }
  if (!d.pinned && policy.requireDigestPinning) {
    out.push({
      ...base,
      rule: "mutable-reference-deployed",
      summary: `${d.workload} in ${d.environment} names ${d.tagReference ?? d.reference ?? "a tag"}, not a digest, and ${d.environment} requires digest pinning`,
      evidence: { documents: docs(d.documentId), reference: d.reference, tag: d.tagReference, resolvedDigest: d.artifact?.digest ?? null },
    });
  }
  const provenance = d.policyFailures.filter((f) => f.requirement === "attestations");
  if (provenance.length) {
    out.push({
      ...base,
      rule: "missing-provenance",
      summary: `${what} runs in ${d.environment} without the verified provenance its policy requires: ${provenance.map((f) => f.reason).join("; ")}`,
      evidence: { documents: docs(d.documentId), digest: d.artifact?.digest ?? null, reasons: provenance.map((f) => f.reason) },
    });
  }
  if (revoked.length) {
    out.push({
      ...base,
      rule: "revoked-key-in-use",
      summary: `${d.workload} in ${d.environment} runs ${what}, signed with a revoked key or identity${verified.length ? "" : " and no other trusted signature"}`,
      evidence: {
        documents: docs(d.documentId, ...revoked.map((s) => s.documentId)),
        digest: d.artifact?.digest ?? null,
        revokedSignatures: revoked.map((s) => ({ id: s.id, keyFingerprint: s.keyFingerprint ?? null })),
        otherVerified: verified.length,
      },
    });
  }
  return out;
}

/**
 * digest-drift: a deployment named a tag and runs a digest that has no verified signature, while
 * the tag pointed at a digest that was signed (the digest deployed is not the digest signed for it).
 */
export function digestDrift(d: DeploymentFact, signedDigestsOfTag: string[]): AlertCandidate | null {
  if (!d.tagReference || !d.artifact) return null;
  if (d.artifact.signatures.some((s) => s.verdict === "verified")) return null;
  const signed = signedDigestsOfTag.filter((x) => x !== d.artifact?.digest);
  if (signed.length === 0) return null;
  return {
    rule: "digest-drift",
    subject: deploymentSubject(d),
    environment: d.environment,
    artifactId: d.artifact.id,
    summary: `${d.workload} in ${d.environment} runs ${short(d.artifact.digest)} for ${d.tagReference}, but the digest signed for that tag is ${short(signed[0] ?? null)}`,
    evidence: { documents: docs(d.documentId), deployed: d.artifact.digest, signed, tag: d.tagReference },
  };
}

// ---------------------------------------------------------------------------------------------
// Rules about an artefact's evidence

/** invalid-signature and untrusted-signer. */
export function artifactRules(a: ArtifactFact): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const subject: AlertSubject = { kind: "artifact", id: a.digest, label: a.name ?? a.digest };
  const bad = [
    ...a.signatures.filter((s) => s.verdict === "invalid" || s.verdict === "subject-mismatch").map((s) => ({ kind: "signature", ...s })),
    ...a.attestations
      .filter((t) => t.verdict === "invalid" || t.verdict === "subject-mismatch")
      .map((t) => ({ kind: "attestation", ...t })),
  ];
  if (bad.length) {
    out.push({
      rule: "invalid-signature",
      subject,
      environment: null,
      artifactId: a.id,
      summary: `${bad.length} ${bad.length === 1 ? "signature or attestation" : "signatures or attestations"} for ${a.name ?? short(a.digest)} ${bad.length === 1 ? "is" : "are"} ${[...new Set(bad.map((b) => b.verdict))].join(" or ")}: possible tampering`,
      evidence: {
        documents: docs(...bad.map((b) => b.documentId)),
        items: bad.map((b) => ({ kind: b.kind, id: b.id, verdict: b.verdict })),
      },
    });
  }
  if (a.signatures.length > 0 && a.signatures.every((s) => s.verdict === "untrusted")) {
    out.push({
      rule: "untrusted-signer",
      subject,
      environment: null,
      artifactId: a.id,
      summary: `${a.name ?? short(a.digest)} is signed only by signers Vitrine does not trust (${a.signatures.length} signature${a.signatures.length === 1 ? "" : "s"})`,
      evidence: {
        documents: docs(...a.signatures.map((s) => s.documentId)),
        keyFingerprints: a.signatures.map((s) => s.keyFingerprint ?? null),
      },
    });
  }
  return out;
}

/** unsigned-published: published or tagged longer ago than the grace period, still without any signature. */
export function unsignedPublished(
  a: ArtifactFact & { publishedAt: Date; documentId: string | null },
  options: { now: Date; graceMinutes: number },
): AlertCandidate | null {
  if (a.signatures.length > 0) return null;
  if (options.now.getTime() - a.publishedAt.getTime() < options.graceMinutes * 60_000) return null;
  return {
    rule: "unsigned-published",
    subject: { kind: "artifact", id: a.digest, label: a.name ?? a.digest },
    environment: null,
    artifactId: a.id,
    summary: `${a.name ?? short(a.digest)} was published ${Math.round((options.now.getTime() - a.publishedAt.getTime()) / 60_000)} minutes ago and has no signature (grace period ${options.graceMinutes} min)`,
    evidence: { documents: docs(a.documentId), publishedAt: a.publishedAt.toISOString(), graceMinutes: options.graceMinutes },
  };
}

// ---------------------------------------------------------------------------------------------
// Rules about tags, verifiers and admission

export type TagMove = { reference: string; from: string; to: string; at: Date; toArtifactId: string | null; documentId: string | null };

/** The tag part of `registry/repository:tag`. */
export function tagName(reference: string): string {
  const slash = reference.lastIndexOf("/");
  const colon = reference.lastIndexOf(":");
  return colon > slash ? reference.slice(colon + 1) : reference;
}

/**
 * tag-mutated: per environment where the tag is deployed, unless that environment's policy lets
 * the tag move; a tag deployed nowhere is judged by the built-in default (no movable tags).
 */
export function tagMutated(move: TagMove, environments: Array<{ name: string; policy: TrustPolicy }>): AlertCandidate[] {
  const tag = tagName(move.reference);
  const where = environments.length ? environments : [{ name: null as string | null, policy: null as TrustPolicy | null }];
  const out: AlertCandidate[] = [];
  for (const e of where) {
    if (e.policy?.movableTags.includes(tag)) continue;
    out.push({
      rule: "tag-mutated",
      subject: { kind: "tag", id: move.reference, label: move.reference },
      environment: e.name,
      artifactId: move.toArtifactId,
      summary: `${move.reference} moved from ${short(move.from)} to ${short(move.to)} at ${move.at.toISOString()}${e.name ? ` (deployed in ${e.name}, where it may not move)` : ""}`,
      evidence: { documents: docs(move.documentId), from: move.from, to: move.to, at: move.at.toISOString() },
    });
  }
  return out;
}

export type ClaimFact = {
  id: string;
  verifier: string;
  result: string;
  policy: string | null;
  rule: string | null;
  message: string | null;
  environment: string | null;
  documentId: string;
  artifact: { id: string; digest: string; name: string | null };
};

/** verification-failed: an external verifier reported a failure (admission denied, PolicyReport fail). */
export function verificationFailed(c: ClaimFact): AlertCandidate | null {
  if (c.result !== "fail") return null;
  const what = [c.policy, c.rule].filter(Boolean).join("/");
  return {
    rule: "verification-failed",
    subject: { kind: "artifact", id: c.artifact.digest, label: c.artifact.name ?? c.artifact.digest },
    environment: c.environment,
    artifactId: c.artifact.id,
    summary: `${c.verifier} reported a failure for ${c.artifact.name ?? short(c.artifact.digest)}${what ? ` (${what})` : ""}${c.message ? `: ${c.message.slice(0, 200)}` : ""}`,
    evidence: { documents: docs(c.documentId), verifier: c.verifier, policy: c.policy, rule: c.rule, claim: c.id },
  };
}

export type DisagreementFact = {
  claimId: string;
  verifier: string;
  claimResult: string;
  vitrineStatus: string;
  reason: string;
  environment: string | null;
  documentId: string;
  artifact: { id: string; digest: string; name: string | null };
};

/** verifier-disagreement: an external verifier passed what Vitrine finds not verified, or the reverse. */
export function verifierDisagreement(d: DisagreementFact): AlertCandidate {
  return {
    rule: "verifier-disagreement",
    subject: { kind: "artifact", id: d.artifact.digest, label: d.artifact.name ?? d.artifact.digest },
    environment: d.environment,
    artifactId: d.artifact.id,
    summary: d.reason,
    evidence: {
      documents: docs(d.documentId),
      verifier: d.verifier,
      claimResult: d.claimResult,
      vitrine: d.vitrineStatus,
      claim: d.claimId,
    },
  };
}

export type AdmissionDenialFact = {
  id: string;
  environment: string;
  namespace: string;
  workloadKind: string;
  workloadName: string | null;
  message: string | null;
  documentId: string;
  artifactId: string | null;
  decidedAt: Date;
};

/** admission-denied: Vitrine's own gate refused a workload (someone tried to run what the policy forbids). */
export function admissionDenied(d: AdmissionDenialFact): AlertCandidate {
  const workload = `${d.namespace}/${d.workloadKind}/${d.workloadName ?? "(unnamed)"}`;
  return {
    rule: "admission-denied",
    subject: {
      kind: "deployment",
      id: `admission:${workload}`,
      label: `${d.workloadKind} ${d.workloadName ?? "(unnamed)"} in ${d.namespace}`,
    },
    environment: d.environment,
    artifactId: d.artifactId,
    summary: `Vitrine denied ${d.workloadKind} ${d.workloadName ?? "(unnamed)"} in ${d.namespace} (${d.environment}): ${(d.message ?? "").slice(0, 300)}`,
    evidence: { documents: docs(d.documentId), decision: d.id, decidedAt: d.decidedAt.toISOString() },
  };
}

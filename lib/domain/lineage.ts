// The lineage graph's vocabulary (DESIGN.md "Reads": GET /api/v1/lineage/{digest}) and how a node's
// status is derived from verdicts and policy results. Pure: no database, no clock (pass `now` in).

export const LINEAGE_NODE_KINDS = ["source", "build", "artifact", "tag", "deployment", "signature", "attestation", "key"] as const;
export type LineageNodeKind = (typeof LINEAGE_NODE_KINDS)[number];

/**
 * Every status a node can have, worst first. Verdicts (DESIGN.md "Verdicts") keep their names;
 * `fail`/`pass` are a deployment's trust-policy result; `unsigned` is an artefact with no signature;
 * `moved` a tag that has pointed at more than one digest; `trusted` a key or identity in the trust
 * store and valid now. `null` (nothing judged yet, or nothing to judge) is never worse than any of them.
 */
export const LINEAGE_STATUSES = [
  "invalid",
  "subject-mismatch",
  "revoked",
  "expired",
  "fail",
  "untrusted",
  "unverifiable",
  "unsigned",
  "moved",
  "pass",
  "trusted",
  "verified",
] as const;
export type LineageStatus = (typeof LINEAGE_STATUSES)[number];

/**
 * source -> build ("source"), input artefact -> build ("input"), build -> output artefact ("output"),
 * image index -> platform manifest ("manifest"), artefact -> tag ("tagged" now, "was-tagged" before),
 * artefact -> deployment ("deployed"), artefact -> signature / attestation, signature or attestation
 * -> key or identity ("signed-by"), provenance attestation -> its build ("provenance").
 */
export type LineageEdgeKind =
  | "source"
  | "input"
  | "output"
  | "manifest"
  | "tagged"
  | "was-tagged"
  | "deployed"
  | "signature"
  | "attestation"
  | "signed-by"
  | "provenance";

/** Where a node sits relative to the artefact asked about; leaves are signatures, attestations and keys. */
export type LineageDirection = "root" | "upstream" | "downstream" | "leaf";

export type LineageNode = {
  /** `artifact:<digest>`, `tag:<reference>`, `build:<uuid>`, `source:<uuid>`, `deployment:<uuid>`,
   * `signature:<uuid>`, `attestation:<uuid>`, `key:<keys|identities|x509-roots>:<uuid>` for a trust
   * entry, `key:fingerprint:<fp>` / `key:identity:<san>` for a signer the trust store does not know. */
  id: string;
  kind: LineageNodeKind;
  label: string;
  status: LineageStatus | null;
  /** Hops from the root along builds, artefacts, tags and deployments; a leaf has its artefact's depth + 1. */
  depth: number;
  direction: LineageDirection;
  /** UI page of the node, where one is defined (artefacts). */
  href?: string;
  // artifact
  digest?: string;
  artifactKind?: string;
  names?: string[];
  // build
  builderId?: string;
  invocationId?: string;
  buildType?: string | null;
  outcome?: string;
  finishedAt?: string | null;
  // source
  repository?: string;
  commit?: string;
  // tag
  reference?: string;
  currentDigest?: string | null;
  history?: Array<{ digest: string; validFrom: string; validTo: string | null }>;
  // deployment
  environment?: string;
  cluster?: string | null;
  namespace?: string | null;
  workload?: string;
  startedAt?: string;
  endedAt?: string | null;
  pinned?: boolean;
  // signature / attestation
  format?: string;
  predicateType?: string;
  reason?: string | null;
  // key
  trustKind?: "keys" | "identities" | "x509-roots" | null;
  trustId?: string | null;
  fingerprint?: string | null;
  identity?: string | null;
};

export type LineageEdge = {
  from: string;
  to: string;
  kind: LineageEdgeKind;
  /** Tag edges: when the tag pointed at the artefact (the latest interval). */
  validFrom?: string;
  validTo?: string | null;
};

export type LineageGraph = {
  root: string;
  depth: number;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** True when the node cap (or a per-artefact cap on leaves and deployments) left part of the graph out. */
  truncated: boolean;
};

const RANK = new Map<string, number>(LINEAGE_STATUSES.map((s, i) => [s, i]));

export function isLineageStatus(value: unknown): value is LineageStatus {
  return typeof value === "string" && RANK.has(value);
}

/** The worst of the given statuses (see LINEAGE_STATUSES); unknown strings and null are ignored. */
export function worstStatus(statuses: Iterable<string | null | undefined>): LineageStatus | null {
  let worst: LineageStatus | null = null;
  for (const s of statuses) {
    if (!isLineageStatus(s)) continue;
    if (worst === null || (RANK.get(s) as number) < (RANK.get(worst) as number)) worst = s;
  }
  return worst;
}

/** Verdicts that mean tampering or a signer no longer to be trusted: any one of them marks the artefact. */
const ALARMING = new Set<string>(["invalid", "subject-mismatch", "revoked", "expired"]);

/**
 * An artefact's status from all its signatures' and attestations' verdicts: the worst alarming
 * verdict (invalid > subject-mismatch > revoked > expired) of any of them; otherwise `verified` when a
 * signature is verified, else `untrusted`, else `unverifiable` (including not yet verified), else
 * `unsigned`. An extra untrusted signature does not outweigh a verified one: DESIGN.md's
 * untrusted-signer alert fires only when an artefact's *only* signatures are untrusted.
 */
export function artifactStatus(verdicts: { signatures: Array<string | null>; attestations: Array<string | null> }): LineageStatus {
  const alarming = worstStatus([...verdicts.signatures, ...verdicts.attestations].filter((v) => v !== null && ALARMING.has(v)));
  if (alarming) return alarming;
  const sig = new Set(verdicts.signatures);
  if (sig.has("verified")) return "verified";
  if (sig.has("untrusted")) return "untrusted";
  if (verdicts.signatures.length > 0) return "unverifiable";
  return "unsigned";
}

/** A deployment's trust-policy result (deployments.policy_pass); null until first evaluated. */
export function deploymentStatus(policyPass: boolean | null): LineageStatus | null {
  return policyPass === null ? null : policyPass ? "pass" : "fail";
}

/** A trust entry now: revoked, expired (or not yet valid), or trusted; a signer not in the store is untrusted. */
export function trustEntryStatus(
  entry: { revokedAt: Date | null; validFrom: Date | null; validUntil: Date | null } | null,
  now: Date,
): LineageStatus {
  if (!entry) return "untrusted";
  if (entry.revokedAt && entry.revokedAt <= now) return "revoked";
  if (entry.validUntil && entry.validUntil < now) return "expired";
  if (entry.validFrom && entry.validFrom > now) return "untrusted";
  return "trusted";
}

/** A signature's or attestation's status is its verdict; a verdict Vitrine does not know is ignored. */
export function verdictStatus(verdict: string | null): LineageStatus | null {
  return isLineageStatus(verdict) ? verdict : null;
}

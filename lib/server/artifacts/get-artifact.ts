import "server-only";
import { db } from "@/lib/db/client";
import { pool, type Sql, sqlFromPg } from "@/lib/db/sql";
import type { PolicyFailure } from "@/lib/domain/policy";
import { evaluateArtifactPolicies } from "./evaluate-artifact-policies";

// GET /api/v1/artifacts/{digest} and the artefact page: everything Vitrine knows about one
// artefact (DESIGN.md "Reads"): identity, tag history, signatures and attestations with Vitrine's
// verdicts, external verifiers' claims beside them, builds and sources, deployments, and the
// policy result per environment. Ledger entries only for people allowed to read the ledger.

const LIMIT = 200;
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
type Evidence = Record<string, string | undefined>;

function signerOf(evidence: Evidence, stored: { identity: string | null; issuer: string | null; keyHint: string | null }) {
  const signer: { keyFingerprint?: string; identity?: string; issuer?: string; trustedAs?: string } = {};
  if (evidence.keyFingerprint) signer.keyFingerprint = evidence.keyFingerprint;
  const identity = evidence.identity ?? stored.identity;
  if (identity) signer.identity = identity;
  const issuer = evidence.issuer ?? stored.issuer;
  if (issuer) signer.issuer = issuer;
  if (evidence.trustedAs) signer.trustedAs = evidence.trustedAs;
  return signer;
}

async function tagHistory(sql: Sql, artifactId: string) {
  // Each interval with the digest the tag held before and after it, so moves can be shown.
  return sql.query<{
    reference: string;
    valid_from: Date;
    valid_to: Date | null;
    previous_digest: string | null;
    next_digest: string | null;
  }>(
    `SELECT t.reference, h.valid_from, h.valid_to,
            (SELECT a2.digest FROM tag_history p JOIN artifacts a2 ON a2.id = p.artifact_id
              WHERE p.tag_id = h.tag_id AND p.valid_from < h.valid_from ORDER BY p.valid_from DESC LIMIT 1) AS previous_digest,
            (SELECT a3.digest FROM tag_history n JOIN artifacts a3 ON a3.id = n.artifact_id
              WHERE n.tag_id = h.tag_id AND n.valid_from > h.valid_from ORDER BY n.valid_from ASC LIMIT 1) AS next_digest
       FROM tag_history h JOIN tags t ON t.id = h.tag_id
      WHERE h.artifact_id = $1::uuid
      ORDER BY h.valid_from DESC LIMIT ${LIMIT}`,
    [artifactId],
  );
}

async function builds(sql: Sql, artifactId: string) {
  return sql.query<{
    id: string;
    role: string;
    builder_id: string;
    invocation_id: string;
    build_type: string | null;
    started_at: Date | null;
    finished_at: Date | null;
    outcome: string;
    sources: Array<{ repository: string; commit: string }> | null;
    inputs: string[] | null;
  }>(
    `SELECT b.id, ba.role, b.builder_id, b.invocation_id, b.build_type, b.started_at, b.finished_at, b.outcome,
            (SELECT json_agg(json_build_object('repository', s.repository, 'commit', s.commit) ORDER BY s.repository)
               FROM build_sources bs JOIN sources s ON s.id = bs.source_id WHERE bs.build_id = b.id) AS sources,
            (SELECT array_agg(a.digest ORDER BY a.digest) FROM build_artifacts i JOIN artifacts a ON a.id = i.artifact_id
              WHERE i.build_id = b.id AND i.role = 'input') AS inputs
       FROM build_artifacts ba JOIN builds b ON b.id = ba.build_id
      WHERE ba.artifact_id = $1::uuid
      ORDER BY b.finished_at DESC NULLS LAST, b.id LIMIT ${LIMIT}`,
    [artifactId],
  );
}

async function related(sql: Sql, artifactId: string) {
  return sql.query<{ direction: "child" | "parent"; kind: string; digest: string; artifact_kind: string }>(
    `SELECT 'child' AS direction, e.kind, a.digest, a.kind::text AS artifact_kind FROM artifact_edges e JOIN artifacts a ON a.id = e.to_id WHERE e.from_id = $1::uuid
     UNION ALL
     SELECT 'parent' AS direction, e.kind, a.digest, a.kind::text AS artifact_kind FROM artifact_edges e JOIN artifacts a ON a.id = e.from_id WHERE e.to_id = $1::uuid
     LIMIT ${LIMIT}`,
    [artifactId],
  );
}

/** `includeLedger` only for people allowed to read the ledger. */
export async function getArtifact(options: { digest: string; includeLedger: boolean }) {
  const a = await db().artifact.findUnique({
    where: { digest: options.digest },
    include: {
      names: { orderBy: { firstSeenAt: "asc" } },
      signatures: { orderBy: { createdAt: "desc" }, take: LIMIT },
      subjectOf: { include: { attestation: true }, take: LIMIT },
      claims: { orderBy: { occurredAt: "desc" }, take: LIMIT, include: { disagreement: true } },
      deployments: {
        orderBy: [{ endedAt: { sort: "desc", nulls: "first" } }, { startedAt: "desc" }],
        take: LIMIT,
        include: { environment: { select: { name: true } } },
      },
    },
  });
  if (!a) return null;
  const client = await pool().connect();
  let tags: Awaited<ReturnType<typeof tagHistory>>;
  let buildRows: Awaited<ReturnType<typeof builds>>;
  let edges: Awaited<ReturnType<typeof related>>;
  try {
    const sql = sqlFromPg(client);
    tags = await tagHistory(sql, a.id);
    buildRows = await builds(sql, a.id);
    edges = await related(sql, a.id);
  } finally {
    client.release();
  }
  const [compliance, ledger] = await Promise.all([
    evaluateArtifactPolicies({ digest: a.digest }),
    options.includeLedger
      ? db().ledgerEntry.findMany({ where: { subject: `artifact:${a.digest}` }, orderBy: { sequence: "desc" }, take: 50 })
      : Promise.resolve(null),
  ]);
  const sources = new Map<string, { repository: string; commit: string }>();
  for (const b of buildRows) for (const s of b.sources ?? []) sources.set(`${s.repository}@${s.commit}`, s);

  return {
    digest: a.digest,
    kind: a.kind,
    mediaType: a.mediaType,
    sizeBytes: a.sizeBytes === null ? null : a.sizeBytes.toString(),
    isDemo: a.isDemo,
    firstSeenAt: a.firstSeenAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    names: a.names.map((n) => ({ name: n.name, purl: n.purl, firstSeenAt: n.firstSeenAt.toISOString() })),
    tags: tags.map((t) => ({
      reference: t.reference,
      validFrom: iso(t.valid_from) as string,
      validTo: iso(t.valid_to),
      /** The digest this tag pointed at before it pointed here (a move onto this artefact). */
      previousDigest: t.previous_digest,
      /** The digest it moved to afterwards, if it moved away. */
      nextDigest: t.next_digest,
    })),
    signatures: a.signatures.map((s) => {
      const evidence = (s.evidence ?? {}) as Evidence;
      return {
        id: s.id,
        format: s.format,
        verdict: s.verdict,
        reason: s.verdictReason,
        signer: signerOf(evidence, { identity: s.signerIdentity, issuer: s.signerIssuer, keyHint: s.keyHint }),
        evidence,
        verifiedAt: iso(s.verifiedAt),
        submittedAt: s.createdAt.toISOString(),
        documentId: s.documentId,
      };
    }),
    attestations: a.subjectOf.map(({ attestation: t }) => ({
      id: t.id,
      predicateType: t.predicateType,
      envelope: t.envelope,
      verdict: t.verdict,
      reason: t.verdictReason,
      signer: signerOf((t.evidence ?? {}) as Evidence, { identity: null, issuer: null, keyHint: null }),
      evidence: (t.evidence ?? {}) as Evidence,
      verifiedAt: iso(t.verifiedAt),
      submittedAt: t.createdAt.toISOString(),
      documentId: t.documentId,
      buildId: t.buildId,
    })),
    claims: a.claims.map((c) => ({
      id: c.id,
      verifier: c.verifier,
      result: c.result,
      policy: c.policy,
      rule: c.rule,
      message: c.message,
      environment: c.environment,
      namespace: c.namespace,
      reference: c.reference,
      occurredAt: c.occurredAt.toISOString(),
      documentId: c.documentId,
      disagreement: c.disagreement
        ? {
            vitrineStatus: c.disagreement.vitrineStatus,
            reason: c.disagreement.reason,
            detectedAt: c.disagreement.detectedAt.toISOString(),
            resolvedAt: iso(c.disagreement.resolvedAt),
          }
        : null,
    })),
    builds: buildRows.map((b) => ({
      id: b.id,
      role: b.role,
      builderId: b.builder_id,
      invocationId: b.invocation_id,
      buildType: b.build_type,
      startedAt: iso(b.started_at),
      finishedAt: iso(b.finished_at),
      outcome: b.outcome,
      sources: b.sources ?? [],
      inputs: b.inputs ?? [],
    })),
    sources: [...sources.values()],
    manifests: edges.filter((e) => e.direction === "child").map((e) => ({ digest: e.digest, kind: e.artifact_kind, edge: e.kind })),
    indexes: edges.filter((e) => e.direction === "parent").map((e) => ({ digest: e.digest, kind: e.artifact_kind, edge: e.kind })),
    deployments: a.deployments.map((d) => ({
      id: d.id,
      environment: d.environment.name,
      cluster: d.cluster,
      namespace: d.namespace,
      workload: d.workload,
      reference: d.reference,
      pinned: d.pinned,
      tagReference: d.tagReference,
      status: d.status,
      startedAt: d.startedAt.toISOString(),
      endedAt: iso(d.endedAt),
      policy: d.policyPass === null ? null : { pass: d.policyPass, failures: (d.policyFailures ?? []) as PolicyFailure[] },
      evaluatedAt: iso(d.evaluatedAt),
    })),
    compliance: compliance.map((c) => ({ environment: c.environment, isDefault: c.isDefault, ...c.result })),
    ledger: ledger?.map((l) => ({
      sequence: l.sequence.toString(),
      kind: l.kind,
      actor: l.actor,
      createdAt: l.createdAt.toISOString(),
      entryHash: l.entryHash,
    })),
  };
}

export type ArtifactDetail = NonNullable<Awaited<ReturnType<typeof getArtifact>>>;

import "server-only";
import type { Sql } from "@/lib/db/sql";
import type { PolicyFailure } from "@/lib/domain/policy";
import type {
  ReportAlertRef,
  ReportClaimRef,
  ReportException,
  ReportProvenanceRef,
  ReportRow,
  ReportSignatureRef,
  ReportSummary,
} from "@/lib/domain/report";
import {
  activeInWindow,
  countColumns,
  hasVerifiedProvenance,
  hasVerifiedSignature,
  inEnvironment,
  isAdmitted,
  isCompliant,
  PROVENANCE_PREDICATE_PATTERN,
} from "@/lib/server/compliance/definitions";

// The data of a compliance report, read with the compliance definitions (lib/server/compliance/
// definitions.ts), so the report's rows and summary are the compliance view's numbers exactly.
// Rows come in keyset pages on (started_at, id): memory does not grow with the row count.

export type ReportScope = { environment: string; from: Date; to: Date };

// $1 environment name, $2 from, $3 to.
const SCOPE = `${inEnvironment({ environment: "$1" })} AND ${activeInWindow({ from: "$2::timestamptz", to: "$3::timestamptz" })}`;
const params = (s: ReportScope) => [s.environment, s.from.toISOString(), s.to.toISOString()];
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The six counts, exactly as GET /api/v1/compliance computes them. */
export async function readReportSummary(sql: Sql, scope: ReportScope): Promise<ReportSummary> {
  const [row] = await sql.query<ReportSummary>(
    `SELECT ${countColumns({ environment: "$1" })} FROM deployments d WHERE ${SCOPE}`,
    params(scope),
  );
  return row ?? { total: 0, pinned: 0, verifiedSignature: 0, verifiedProvenance: 0, admitted: 0, compliant: 0 };
}

/** The environment's alerts that are suppressed now (the compliance view's exceptions), with justification and expiry. */
export async function readReportExceptions(sql: Sql, scope: ReportScope): Promise<ReportException[]> {
  const rows = await sql.query<{
    id: string;
    rule: string;
    severity: string;
    subject_label: string;
    suppression_reason: string | null;
    suppressed_until: Date | null;
    actor: string | null;
    at: Date | null;
  }>(
    `SELECT a.id, a.rule, a.severity, a.subject_label, a.suppression_reason, a.suppressed_until, ev.actor, ev.created_at AS at
       FROM alerts a
       LEFT JOIN LATERAL (SELECT e.actor, e.created_at FROM alert_events e
                           WHERE e.alert_id = a.id AND e.kind = 'suppressed' ORDER BY e.created_at DESC LIMIT 1) ev ON true
      WHERE a.status = 'suppressed' AND a.environment = $1
      ORDER BY a.suppressed_until NULLS LAST, a.id
      LIMIT 1000`,
    [scope.environment],
  );
  const users = await userNames(
    sql,
    rows.map((r) => r.actor),
  );
  return rows.map((r) => ({
    alertId: r.id,
    rule: r.rule,
    severity: r.severity,
    subject: r.subject_label,
    justification: r.suppression_reason,
    suppressedUntil: iso(r.suppressed_until),
    suppressedBy: r.actor ? (users.get(r.actor) ?? r.actor) : null,
    suppressedAt: iso(r.at),
  }));
}

/** "user:<id>" -> the person's email, for what a report shows. */
export async function userNames(sql: Sql, actors: Array<string | null>): Promise<Map<string, string>> {
  const ids = [...new Set(actors.filter((a): a is string => a?.startsWith("user:") ?? false).map((a) => a.slice(5)))];
  if (ids.length === 0) return new Map();
  const rows = await sql.query<{ id: string; email: string }>(`SELECT id::text AS id, email FROM users WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [`user:${r.id}`, r.email]));
}

export async function countReportRows(sql: Sql, scope: ReportScope): Promise<number> {
  const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM deployments d WHERE ${SCOPE}`, params(scope));
  return row?.n ?? 0;
}

export type DeploymentRow = {
  id: string;
  cluster: string | null;
  namespace: string | null;
  workload: string;
  reference: string | null;
  tag_reference: string | null;
  digest: string | null;
  artifact_id: string | null;
  document_id: string | null;
  pinned: boolean;
  verified_signature: boolean;
  verified_provenance: boolean;
  admitted: boolean;
  compliant: boolean;
  policy_pass: boolean | null;
  policy_failures: PolicyFailure[] | null;
  started_at: Date;
  ended_at: Date | null;
};

export type RowCursor = { startedAt: string; id: string } | null;

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export type DeploymentPage = { deployments: DeploymentRow[]; next: RowCursor };

/** One page of deployments after `cursor`, in (started_at, id) order, with the definitions' flags. */
export async function readDeploymentPage(
  sql: Sql,
  options: { scope: ReportScope; after: RowCursor; limit: number },
): Promise<DeploymentPage> {
  const { scope } = options;
  // The page first (a keyset scan of the environment's index), then the definitions' flags for just
  // its rows, evaluated per row (LATERAL ... OFFSET 0 is planned on its own, for one row at a time):
  // otherwise Postgres hashes every verified signature, provenance and claim in the database once
  // per page, which costs more than the page itself.
  const deployments = await sql.query<DeploymentRow>(
    `WITH d AS MATERIALIZED (
       SELECT d.id, d.cluster, d.namespace, d.workload, d.reference, d.tag_reference, d.resolved_digest, d.artifact_id, d.document_id,
              d.pinned, d.policy_pass, d.policy_failures, d.started_at, d.ended_at
         FROM deployments d
        WHERE ${SCOPE}
          AND ($4::timestamptz IS NULL OR (d.started_at, d.id) > ($4::timestamptz, $5::uuid))
        ORDER BY d.started_at, d.id
        LIMIT $6)
     SELECT d.id, d.cluster, d.namespace, d.workload, d.reference, d.tag_reference,
            COALESCE((SELECT a.digest FROM artifacts a WHERE a.id = d.artifact_id), d.resolved_digest) AS digest,
            d.artifact_id, d.document_id, d.pinned, f.verified_signature, f.verified_provenance, f.admitted, f.compliant,
            d.policy_pass, d.policy_failures, d.started_at, d.ended_at
       FROM d
       CROSS JOIN LATERAL (
         SELECT ${hasVerifiedSignature("d")} AS verified_signature,
                ${hasVerifiedProvenance("d")} AS verified_provenance,
                ${isAdmitted({ environment: "$1" })} AS admitted,
                ${isCompliant("d")} AS compliant
         OFFSET 0) f
      ORDER BY d.started_at, d.id`,
    [...params(scope), options.after?.startedAt ?? null, options.after?.id ?? null, options.limit],
  );
  const last = deployments[deployments.length - 1];
  return {
    deployments,
    next: last && deployments.length >= options.limit ? { startedAt: new Date(last.started_at).toISOString(), id: last.id } : null,
  };
}

/**
 * The report rows of a page: each deployment with its signatures, provenance, verifier claims,
 * open alerts and evidence references, read set-based for the whole page.
 */
export async function readPageDetails(
  sql: Sql,
  options: { scope: ReportScope; deployments: DeploymentRow[]; withLedger: boolean },
): Promise<ReportRow[]> {
  const { scope, deployments } = options;
  if (deployments.length === 0) return [];
  const artifactIds = [...new Set(deployments.map((d) => d.artifact_id).filter((id): id is string => id !== null))];
  const slots = [...new Set(deployments.map(slotOf))];
  // One after another: inside the export's snapshot they share one connection.
  const signatures = await sql.query<{
    artifact_id: string;
    id: string;
    format: string;
    verdict: string | null;
    verdict_reason: string | null;
    key_fingerprint: string | null;
    identity: string | null;
    issuer: string | null;
    trusted_as: string | null;
    document_id: string;
  }>(
    `SELECT s.artifact_id, s.id, s.format, s.verdict, s.verdict_reason, s.evidence->>'keyFingerprint' AS key_fingerprint,
              COALESCE(s.evidence->>'identity', s.signer_identity) AS identity, COALESCE(s.evidence->>'issuer', s.signer_issuer) AS issuer,
              s.evidence->>'trustedAs' AS trusted_as, s.document_id
         FROM signatures s WHERE s.artifact_id = ANY($1::uuid[]) ORDER BY s.created_at, s.id`,
    [artifactIds],
  );
  const provenance = await sql.query<{
    artifact_id: string;
    id: string;
    predicate_type: string;
    verdict: string | null;
    build_id: string | null;
    builder_id: string | null;
    document_id: string;
    sources: Array<{ repository: string; commit: string }> | null;
  }>(
    `SELECT sub.artifact_id, att.id, att.predicate_type, att.verdict, att.build_id, b.builder_id, att.document_id,
              (SELECT json_agg(json_build_object('repository', src.repository, 'commit', src.commit) ORDER BY src.repository, src.commit)
                 FROM build_sources bs JOIN sources src ON src.id = bs.source_id WHERE bs.build_id = att.build_id) AS sources
         FROM attestation_subjects sub
         JOIN attestations att ON att.id = sub.attestation_id
         LEFT JOIN builds b ON b.id = att.build_id
        WHERE sub.artifact_id = ANY($1::uuid[]) AND att.predicate_type LIKE '${PROVENANCE_PREDICATE_PATTERN}'
        ORDER BY att.created_at, att.id`,
    [artifactIds],
  );
  const claims = await sql.query<{
    artifact_id: string;
    id: string;
    verifier: string;
    result: string;
    environment: string | null;
    policy: string | null;
    occurred_at: Date;
    document_id: string;
  }>(
    `SELECT vc.artifact_id, vc.id, vc.verifier, vc.result, vc.environment, vc.policy, vc.occurred_at, vc.document_id
         FROM verification_claims vc
        WHERE vc.artifact_id = ANY($1::uuid[]) AND (vc.environment IS NULL OR vc.environment = $2)
        ORDER BY vc.occurred_at, vc.id`,
    [artifactIds, scope.environment],
  );
  const alerts = await sql.query<{
    id: string;
    rule: string;
    severity: string;
    status: string;
    subject_kind: string;
    subject_id: string;
    artifact_id: string | null;
  }>(
    `SELECT a.id, a.rule, a.severity, a.status, a.subject_kind, a.subject_id, a.artifact_id
         FROM alerts a
        WHERE a.status IN ('open', 'acknowledged')
          AND ((a.subject_kind = 'deployment' AND a.environment = $1 AND a.subject_id = ANY($2::text[]))
               OR (a.subject_kind <> 'deployment' AND a.artifact_id = ANY($3::uuid[]) AND (a.environment = $1 OR a.environment IS NULL)))
        ORDER BY a.created_at, a.id`,
    [scope.environment, slots, artifactIds],
  );
  const sigsBy = groupBy(signatures, (s) => s.artifact_id);
  const provBy = groupBy(provenance, (p) => p.artifact_id);
  const claimsBy = groupBy(claims, (c) => c.artifact_id);
  const slotAlerts = groupBy(
    alerts.filter((a) => a.subject_kind === "deployment"),
    (a) => a.subject_id,
  );
  const artifactAlerts = groupBy(
    alerts.filter((a) => a.subject_kind !== "deployment"),
    (a) => a.artifact_id ?? "",
  );

  const rows: ReportRow[] = deployments.map((d) => {
    const sigs = d.artifact_id ? (sigsBy.get(d.artifact_id) ?? []) : [];
    const prov = d.artifact_id ? (provBy.get(d.artifact_id) ?? []) : [];
    const cl = d.artifact_id ? (claimsBy.get(d.artifact_id) ?? []) : [];
    // A deployment's alerts: its slot's (for what it ran), and its artefact's.
    const own = (slotAlerts.get(slotOf(d)) ?? []).filter((a) => a.artifact_id === null || a.artifact_id === d.artifact_id);
    const art = d.artifact_id ? (artifactAlerts.get(d.artifact_id) ?? []) : [];
    const openAlerts: ReportAlertRef[] = [...own, ...art].map((a) => ({ id: a.id, rule: a.rule, severity: a.severity, status: a.status }));
    const signatureRefs: ReportSignatureRef[] = sigs.map((s) => ({
      id: s.id,
      format: s.format,
      verdict: s.verdict,
      reason: s.verdict_reason,
      keyFingerprint: s.key_fingerprint,
      identity: s.identity,
      issuer: s.issuer,
      trustedAs: s.trusted_as,
      documentId: s.document_id,
    }));
    const provenanceRefs: ReportProvenanceRef[] = prov.map((p) => ({
      attestationId: p.id,
      predicateType: p.predicate_type,
      verdict: p.verdict,
      buildId: p.build_id,
      builderId: p.builder_id,
      sources: p.sources ?? [],
      documentId: p.document_id,
    }));
    const claimRefs: ReportClaimRef[] = cl.map((c) => ({
      id: c.id,
      verifier: c.verifier,
      result: c.result,
      environment: c.environment,
      policy: c.policy,
      occurredAt: new Date(c.occurred_at).toISOString(),
      documentId: c.document_id,
    }));
    const documents = [
      ...new Set(
        [d.document_id, ...sigs.map((s) => s.document_id), ...prov.map((p) => p.document_id), ...cl.map((c) => c.document_id)].filter(
          (id): id is string => Boolean(id),
        ),
      ),
    ];
    return {
      deploymentId: d.id,
      environment: scope.environment,
      cluster: d.cluster,
      namespace: d.namespace,
      workload: d.workload,
      reference: d.reference ?? d.tag_reference,
      digest: d.digest,
      pinned: d.pinned,
      verifiedSignature: d.verified_signature,
      verifiedProvenance: d.verified_provenance,
      admitted: d.admitted,
      compliant: d.compliant,
      policy: {
        result: d.policy_pass === null ? "not-evaluated" : d.policy_pass ? "pass" : "fail",
        failures: Array.isArray(d.policy_failures) ? d.policy_failures : [],
      },
      signatures: signatureRefs,
      provenance: provenanceRefs,
      claims: claimRefs,
      openAlerts,
      startedAt: new Date(d.started_at).toISOString(),
      endedAt: iso(d.ended_at),
      evidence: { documents, ledger: [] },
    };
  });
  if (options.withLedger) await attachLedgerSequences(sql, rows);
  return rows;
}

/** One page of report rows after `cursor` (the deployments, then their details, on one connection). */
export async function readReportPage(
  sql: Sql,
  options: { scope: ReportScope; after: RowCursor; limit: number; withLedger: boolean },
): Promise<{ rows: ReportRow[]; next: RowCursor }> {
  const page = await readDeploymentPage(sql, options);
  return { rows: await readPageDetails(sql, { ...options, deployments: page.deployments }), next: page.next };
}

/** The alert subject of a deployment slot (lib/domain/alert-rules.ts deploymentSubject). */
function slotOf(d: { cluster: string | null; namespace: string | null; workload: string }): string {
  return [d.cluster ?? "", d.namespace ?? "", d.workload].join("/");
}

/** The ledger entries that recorded each row's documents (document.accepted and any other naming them). */
async function attachLedgerSequences(sql: Sql, rows: ReportRow[]): Promise<void> {
  const ids = [...new Set(rows.flatMap((r) => r.evidence.documents))];
  if (ids.length === 0) return;
  const entries = await sql.query<{ document_id: string; sequence: string }>(
    `SELECT document_id::text AS document_id, sequence::text AS sequence FROM ledger_entries
      WHERE document_id = ANY($1::uuid[]) ORDER BY sequence`,
    [ids],
  );
  const byDoc = groupBy(entries, (e) => e.document_id);
  for (const row of rows) {
    row.evidence.ledger = row.evidence.documents.flatMap((id) => (byDoc.get(id) ?? []).map((e) => e.sequence));
  }
}

import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Sql, sqlFromPool } from "@/lib/db/sql";
import type { Window } from "@/lib/domain/compliance-window";
import type { PolicyFailure } from "@/lib/domain/policy";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/domain/time-cursor";
import {
  activeInWindow,
  type ComplianceMeasure,
  hasVerifiedProvenance,
  hasVerifiedSignature,
  inEnvironment,
  isAdmitted,
  isCompliant,
  isPinned,
  measurePredicate,
} from "./definitions";
import type { PolicyRequirement } from "./get-compliance";

// The drill-down behind each number of the compliance view (GET /api/v1/compliance/deployments):
// the deployments of the environment active in the window that meet (value=true) or miss
// (value=false) one measure, optionally only those failing one policy requirement, newest start first, a keyset page at a time. Paging through every
// page gives exactly as many rows as the count on the view.

export const COMPLIANCE_PAGE_LIMIT = 50;

export type ComplianceDeployment = {
  id: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  artifact: { digest: string; name: string | null } | null;
  /** The reference exactly as the deployer named it (purl or image reference). */
  reference: string | null;
  tagReference: string | null;
  status: string;
  startedAt: string;
  endedAt: string | null;
  /** The deployment's standing on every measure (definitions.ts). */
  measures: { pinned: boolean; verifiedSignature: boolean; verifiedProvenance: boolean; admitted: boolean; compliant: boolean };
  /** The environment's trust policy result; null: not evaluated yet. */
  policy: { pass: boolean; failures: PolicyFailure[] } | null;
};

export type ComplianceDeploymentPage = {
  environment: string;
  from: string;
  to: string;
  measure: ComplianceMeasure;
  value: boolean;
  requirement: PolicyRequirement | null;
  /** Every matching deployment (all pages). */
  total: number;
  items: ComplianceDeployment[];
  nextCursor: string | null;
};

type Row = {
  id: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  reference: string | null;
  tag_reference: string | null;
  status: string;
  started_at: Date;
  ended_at: Date | null;
  policy_pass: boolean | null;
  policy_failures: PolicyFailure[] | null;
  digest: string | null;
  name: string | null;
  pinned: boolean;
  verified_signature: boolean;
  verified_provenance: boolean;
  admitted: boolean;
  compliant: boolean;
};

export async function listComplianceDeployments(options: {
  environment: string;
  window: Window;
  measure: ComplianceMeasure;
  value: boolean;
  /** Only deployments whose stored policy result fails this requirement. */
  requirement?: PolicyRequirement;
  cursor?: string;
  limit?: number;
  sql?: Sql;
}): Promise<ComplianceDeploymentPage> {
  const sql = options.sql ?? sqlFromPool();
  const limit = options.limit ?? COMPLIANCE_PAGE_LIMIT;
  const cursor = options.cursor ? decodeTimeCursor(options.cursor) : null;
  if (options.cursor && !cursor) {
    throw new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: "$.query.cursor", message: "not a cursor from a previous page" }],
    });
  }
  const where = `${inEnvironment({ environment: "$1" })}
     AND ${activeInWindow({ from: "$2::timestamptz", to: "$3::timestamptz" })}
     AND (${measurePredicate(options.measure, { environment: "$1" })}) = $4::boolean
     AND ($5::jsonb IS NULL OR d.policy_failures @> $5::jsonb)`;
  const params = [
    options.environment,
    options.window.from.toISOString(),
    options.window.to.toISOString(),
    options.value,
    options.requirement ? JSON.stringify([{ requirement: options.requirement }]) : null,
  ];
  const [rows, [count]] = await Promise.all([
    sql.query<Row>(
      `SELECT d.id, d.workload, d.namespace, d.cluster, d.reference, d.tag_reference, d.status::text AS status,
              d.started_at, d.ended_at, d.policy_pass, d.policy_failures, a.digest,
              (SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = a.id ORDER BY nm.first_seen_at, nm.name LIMIT 1) AS name,
              ${isPinned()} AS pinned, ${hasVerifiedSignature()} AS verified_signature,
              ${hasVerifiedProvenance()} AS verified_provenance, ${isAdmitted({ environment: "$1" })} AS admitted,
              ${isCompliant()} AS compliant
         FROM deployments d LEFT JOIN artifacts a ON a.id = d.artifact_id
        WHERE ${where}
          AND ($6::timestamptz IS NULL OR (d.started_at, d.id) < ($6::timestamptz, $7::uuid))
        ORDER BY d.started_at DESC, d.id DESC
        LIMIT $8`,
      [...params, cursor?.at.toISOString() ?? null, cursor?.id ?? null, limit + 1],
    ),
    sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM deployments d WHERE ${where}`, params),
  ]);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    environment: options.environment,
    from: options.window.from.toISOString(),
    to: options.window.to.toISOString(),
    measure: options.measure,
    value: options.value,
    requirement: options.requirement ?? null,
    total: Number(count?.n ?? 0),
    items: items.map((r) => ({
      id: r.id,
      workload: r.workload,
      namespace: r.namespace,
      cluster: r.cluster,
      artifact: r.digest ? { digest: r.digest, name: r.name } : null,
      reference: r.reference,
      tagReference: r.tag_reference,
      status: r.status,
      startedAt: new Date(r.started_at).toISOString(),
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
      measures: {
        pinned: r.pinned,
        verifiedSignature: r.verified_signature,
        verifiedProvenance: r.verified_provenance,
        admitted: r.admitted,
        compliant: r.compliant,
      },
      policy: r.policy_pass === null ? null : { pass: r.policy_pass, failures: r.policy_failures ?? [] },
    })),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(new Date(last.started_at), last.id) : null,
  };
}

import "server-only";
import { db } from "@/lib/db/client";
import type { ImageDecision } from "@/lib/domain/admission";

export type AdmissionDecisionItem = {
  id: string;
  requestUid: string;
  environment: string;
  namespace: string;
  workload: string;
  operation: string;
  dryRun: boolean;
  allowed: boolean;
  images: ImageDecision[];
  message: string | null;
  requestedBy: string | null;
  decidedAt: string;
  durationMs: number;
  documentId: string;
};

/** The most recent admission decisions, newest first. */
export async function listAdmissionDecisions(options: { limit?: number } = {}): Promise<AdmissionDecisionItem[]> {
  const rows = await db().admissionDecision.findMany({
    orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(options.limit ?? 50, 1), 200),
  });
  return rows.map((r) => ({
    id: r.id,
    requestUid: r.requestUid,
    environment: r.environment,
    namespace: r.namespace,
    workload: `${r.workloadKind}/${r.workloadName ?? "(unnamed)"}`,
    operation: r.operation,
    dryRun: r.dryRun,
    allowed: r.allowed,
    images: Array.isArray(r.images) ? (r.images as unknown as ImageDecision[]) : [],
    message: r.message,
    requestedBy: r.requestedBy,
    decidedAt: r.decidedAt.toISOString(),
    durationMs: r.durationMs,
    documentId: r.documentId,
  }));
}

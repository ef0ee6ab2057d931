import "server-only";
import type { Sql } from "@/lib/db/sql";
import type { AlertNotice } from "@/lib/domain/notifications";
import { publicBaseUrl } from "./send-notification";

type AlertRow = {
  id: string;
  rule: string;
  severity: string;
  status: string;
  environment: string | null;
  subject_kind: string;
  subject_id: string;
  subject_label: string;
  summary: string;
  evidence: unknown;
  created_at: Date | string;
  updated_at: Date | string;
};

const iso = (v: Date | string) => new Date(v).toISOString();

/** The alert as notifications carry it (DESIGN.md's alert JSON, its evidence and the link back), or null when there is none. */
export async function loadAlertNotice(sql: Sql, alertId: string): Promise<AlertNotice | null> {
  const [row] = await sql.query<AlertRow>(
    `SELECT id, rule, severity, status, environment, subject_kind, subject_id, subject_label, summary, evidence, created_at, updated_at
       FROM alerts WHERE id = $1::uuid`,
    [alertId],
  );
  if (!row) return null;
  return {
    id: row.id,
    rule: row.rule,
    severity: row.severity,
    status: row.status,
    environment: row.environment,
    subject: { kind: row.subject_kind, id: row.subject_id, label: row.subject_label },
    summary: row.summary,
    evidence: row.evidence,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    url: `${publicBaseUrl()}/alerts/${row.id}`,
  };
}

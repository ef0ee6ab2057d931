import "server-only";
import type { Sql } from "@/lib/db/sql";
import { poolSql } from "@/lib/server/lineage/pool-sql";
import { ALERT_SELECT, type AlertListItem, type AlertRow, toAlertListItem } from "./alert-row";

// One alert with everything its page shows: the subject and its page, the evidence with links, the
// suppression, and the timeline of every change and action (who, when, note, ledger entry).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGEST = /^sha(256|512):[0-9a-f]+$/;

export type AlertActorView = { ref: string; kind: "user" | "token" | "system" | "unknown"; label: string };

export type AlertTimelineEvent = {
  id: string;
  kind: string;
  actor: AlertActorView;
  note: string | null;
  data: unknown;
  ledgerSequence: string | null;
  /** /ledger?entry=N, for those who may read the ledger. */
  ledgerHref: string | null;
  createdAt: string;
};

export type AlertEvidence = {
  /** Stored documents that fired the alert; href only for ledger readers (the documents route is theirs). */
  documents: Array<{ id: string; href: string | null }>;
  ledger: Array<{ sequence: string; href: string | null }>;
  /** Every other evidence field the rule recorded, as text; digests link to their artefact. */
  facts: Array<{ key: string; value: string; href: string | null }>;
};

export type AlertDetail = AlertListItem & {
  subject: AlertListItem["subject"] & { href: string | null };
  evidence: AlertEvidence;
  suppressionReason: string | null;
  escalatedAt: string | null;
  timeline: AlertTimelineEvent[];
};

/** The page of an alert's subject: artefact, environment of a deployment, tag or trust entry. */
export function subjectHref(item: Pick<AlertListItem, "subject" | "environment" | "artifactDigest">): string | null {
  const { kind, id } = item.subject;
  if (kind === "artifact") {
    const digest = DIGEST.test(id) ? id : item.artifactDigest;
    return digest ? `/artifacts/${encodeURIComponent(digest)}` : null;
  }
  if (kind === "deployment") return item.environment ? `/environments/${encodeURIComponent(item.environment)}` : null;
  // A reference is path-safe as it is; its slashes are path segments of the tag page.
  if (kind === "tag") return `/tags/${encodeURI(id)}`;
  if (kind === "key") {
    const m = /^(?:(keys|identities|x509-roots|roots):)?([0-9a-f-]{36})$/i.exec(id);
    if (!m?.[2] || !UUID.test(m[2])) return null;
    return `/trust/${m[1] === "identities" ? "identities" : "keys"}/${m[2].toLowerCase()}`;
  }
  return null;
}

function factText(value: unknown): string {
  if (typeof value === "string") return value;
  // A list of plain values reads as a list; anything else as its JSON.
  if (Array.isArray(value) && value.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v)))
    return value.length ? value.map((v) => String(v)).join(", ") : "none";
  return JSON.stringify(value);
}

export function evidenceOf(raw: unknown, canReadLedger: boolean): AlertEvidence {
  const e = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const documents = list(e.documents)
    .filter((d): d is string => typeof d === "string" && UUID.test(d))
    .map((id) => ({ id, href: canReadLedger ? `/api/v1/documents/${id}` : null }));
  const ledger = list(e.ledger)
    .map((s) => (typeof s === "number" || typeof s === "bigint" || (typeof s === "string" && /^\d{1,18}$/.test(s)) ? String(s) : null))
    .filter((s): s is string => s !== null)
    .map((sequence) => ({ sequence, href: canReadLedger ? `/ledger?entry=${sequence}` : null }));
  const facts = Object.entries(e)
    .filter(([k, v]) => k !== "documents" && k !== "ledger" && v !== null && v !== undefined)
    .map(([key, v]) => {
      const value = factText(v);
      return { key, value, href: typeof v === "string" && DIGEST.test(v) ? `/artifacts/${encodeURIComponent(v)}` : null };
    });
  return { documents, ledger, facts };
}

/** Names for the actors of a timeline: users and tokens looked up in one read each, systems named. */
async function actorViews(sql: Sql, refs: string[]): Promise<Map<string, AlertActorView>> {
  const userIds = new Set<string>();
  const tokenIds = new Set<string>();
  for (const ref of refs) {
    const [kind, id] = ref.split(/:(.*)/s);
    if (kind === "user" && id && UUID.test(id)) userIds.add(id);
    if (kind === "token" && id && UUID.test(id)) tokenIds.add(id);
  }
  const [users, tokens] = await Promise.all([
    userIds.size
      ? sql.query<{ id: string; name: string | null; email: string }>("SELECT id, name, email FROM users WHERE id = ANY($1::uuid[])", [
          [...userIds],
        ])
      : [],
    tokenIds.size
      ? sql.query<{ id: string; name: string }>("SELECT id, name FROM api_tokens WHERE id = ANY($1::uuid[])", [[...tokenIds]])
      : [],
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const tokenById = new Map(tokens.map((t) => [t.id, t]));
  const out = new Map<string, AlertActorView>();
  for (const ref of refs) {
    const [kind, id = ""] = ref.split(/:(.*)/s);
    if (kind === "user") {
      const u = userById.get(id);
      out.set(ref, { ref, kind: "user", label: u ? (u.name ?? u.email) : "a removed user" });
    } else if (kind === "token") {
      const t = tokenById.get(id);
      out.set(ref, { ref, kind: "token", label: t ? `API token “${t.name}”` : "a removed API token" });
    } else if (kind === "system") out.set(ref, { ref, kind: "system", label: `Vitrine (${id || "system"})` });
    else out.set(ref, { ref, kind: "unknown", label: ref });
  }
  return out;
}

/** The alert with id `id`, or null when there is none. Ledger and document links only when `canReadLedger`. */
export async function getAlert(options: { id: string; canReadLedger: boolean; sql?: Sql }): Promise<AlertDetail | null> {
  if (!UUID.test(options.id)) return null;
  const sql = options.sql ?? poolSql();
  const [[row], events] = await Promise.all([
    sql.query<AlertRow>(`${ALERT_SELECT} WHERE a.id = $1::uuid`, [options.id]),
    sql.query<{
      id: string;
      kind: string;
      actor: string;
      note: string | null;
      data: unknown;
      ledger_sequence: string | null;
      created_at: Date;
    }>(
      `SELECT id, kind, actor, note, data, ledger_sequence::text AS ledger_sequence, created_at
         FROM alert_events WHERE alert_id = $1::uuid
        ORDER BY created_at, ledger_sequence NULLS FIRST, id`,
      [options.id],
    ),
  ]);
  if (!row) return null;
  const item = toAlertListItem(row);
  const actors = await actorViews(sql, [...new Set(events.map((e) => e.actor))]);
  return {
    ...item,
    subject: { ...item.subject, href: subjectHref(item) },
    evidence: evidenceOf(row.evidence, options.canReadLedger),
    suppressionReason: row.suppression_reason,
    escalatedAt: row.escalated_at ? new Date(row.escalated_at).toISOString() : null,
    timeline: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      actor: actors.get(e.actor) ?? { ref: e.actor, kind: "unknown", label: e.actor },
      note: e.note,
      data: e.data,
      ledgerSequence: e.ledger_sequence,
      ledgerHref: e.ledger_sequence && options.canReadLedger ? `/ledger?entry=${e.ledger_sequence}` : null,
      createdAt: new Date(e.created_at).toISOString(),
    })),
  };
}

import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Sql, sqlFromPool } from "@/lib/db/sql";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/domain/time-cursor";
import type { TrustedIdentityItem, TrustedKeyItem } from "./trust-entry";

// "What it signed": the signatures that rely on a trusted key or identity, newest first, with the
// artefact each covers and Vitrine's verdict. A signature relies on the entry when its evidence names
// the key's fingerprint, counts for the entry (`trustedAs`), or, for an identity, carries its
// certificate identity and issuer (exactly, or by its anchored pattern): the blast radius's rule.

export const SIGNED_PAGE_LIMIT = 25;

export type SignedByItem = {
  id: string;
  format: string;
  verdict: string | null;
  reason: string | null;
  /** When it was signed (transparency log or timestamp), else null. */
  signedAt: string | null;
  submittedAt: string;
  artifact: { digest: string; name: string | null };
};

export type SignedBy = {
  items: SignedByItem[];
  nextCursor: string | null;
  /** Every signature relying on the entry, by verdict (null: not verified yet). */
  verdicts: Array<{ verdict: string | null; count: number }>;
  total: number;
};

type Match = { params: unknown[]; where: (alias: string) => string };

const contains = (value: Record<string, string>) => JSON.stringify(value);

async function matchFor(sql: Sql, entry: TrustedKeyItem | TrustedIdentityItem): Promise<Match> {
  if (entry.kind === "keys") {
    return {
      params: [contains({ keyFingerprint: entry.fingerprint }), contains({ trustedAs: entry.name })],
      where: (a) => `(${a}.evidence @> $1::jsonb OR ${a}.evidence @> $2::jsonb)`,
    };
  }
  if (!entry.subjectPattern) {
    return {
      params: [contains({ trustedAs: entry.name }), contains({ identity: entry.subject, issuer: entry.issuer })],
      where: (a) => `(${a}.evidence @> $1::jsonb OR ${a}.evidence @> $2::jsonb)`,
    };
  }
  // A pattern Postgres cannot read matches by name only (as in the blast radius).
  const readable = await sql.query(`SELECT '' ~ $1 AS ok`, [entry.subject]).then(
    () => true,
    () => false,
  );
  if (!readable) return { params: [contains({ trustedAs: entry.name })], where: (a) => `${a}.evidence @> $1::jsonb` };
  return {
    params: [contains({ trustedAs: entry.name }), contains({ issuer: entry.issuer }), entry.subject],
    where: (a) => `(${a}.evidence @> $1::jsonb OR (${a}.evidence @> $2::jsonb AND (${a}.evidence->>'identity') ~ $3))`,
  };
}

/** Log times arrive as unix seconds or RFC 3339; anything else is not shown. */
function instant(value: string | null): string | null {
  if (!value) return null;
  const d = new Date(/^\d+$/.test(value) ? Number(value) * 1000 : value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export async function listSignaturesByEntry(options: {
  entry: TrustedKeyItem | TrustedIdentityItem;
  cursor?: string;
  limit?: number;
  sql?: Sql;
}): Promise<SignedBy> {
  const sql = options.sql ?? sqlFromPool();
  const limit = Math.min(Math.max(options.limit ?? SIGNED_PAGE_LIMIT, 1), 100);
  const cursor = options.cursor ? decodeTimeCursor(options.cursor) : null;
  if (options.cursor && !cursor) {
    throw new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: "$.query.cursor", message: "not a cursor from a previous page" }],
    });
  }
  const match = await matchFor(sql, options.entry);
  const n = match.params.length;
  const [rows, verdicts] = await Promise.all([
    sql.query<{
      id: string;
      format: string;
      verdict: string | null;
      verdict_reason: string | null;
      signed_at: string | null;
      created_at: Date;
      digest: string;
      name: string | null;
    }>(
      `SELECT s.id, s.format, s.verdict, s.verdict_reason, s.created_at,
              COALESCE(s.evidence->>'integratedTime', s.evidence->>'timestampedTime') AS signed_at,
              a.digest,
              (SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = a.id ORDER BY nm.first_seen_at, nm.name LIMIT 1) AS name
         FROM signatures s JOIN artifacts a ON a.id = s.artifact_id
        WHERE ${match.where("s")}
          AND ($${n + 1}::timestamptz IS NULL OR (s.created_at, s.id) < ($${n + 1}::timestamptz, $${n + 2}::uuid))
        ORDER BY s.created_at DESC, s.id DESC
        LIMIT $${n + 3}`,
      [...match.params, cursor?.at.toISOString() ?? null, cursor?.id ?? null, limit + 1],
    ),
    sql.query<{ verdict: string | null; count: number }>(
      `SELECT s.verdict, count(*)::int AS count FROM signatures s WHERE ${match.where("s")}
        GROUP BY s.verdict ORDER BY count(*) DESC, s.verdict`,
      match.params,
    ),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      format: r.format,
      verdict: r.verdict,
      reason: r.verdict_reason,
      signedAt: instant(r.signed_at),
      submittedAt: new Date(r.created_at).toISOString(),
      artifact: { digest: r.digest, name: r.name },
    })),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(new Date(last.created_at), last.id) : null,
    verdicts,
    total: verdicts.reduce((sum, v) => sum + v.count, 0),
  };
}

import "server-only";
import type pg from "pg";
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import { pool, type Sql, sqlFromPg } from "@/lib/db/sql";
import { csvRow } from "@/lib/domain/csv";
import { shortDigest } from "@/lib/domain/digest";
import { poolSql } from "./pool-sql";

// Blast radius (DESIGN.md "Reads"): what depends on a key, an identity, a commit or a builder.
//
// - key (trusted key id, or a fingerprint, trusted or not): artefacts with a signature whose evidence
//   names that fingerprint (`keyFingerprint`) or counts for the key's trust entry (`trustedAs`).
// - identity (trusted identity id or name): signatures that count for it (`trustedAs`) or whose
//   verified certificate identity and issuer match it (exactly, or by its anchored pattern).
// - commit (full or at least 7 hex characters): artefacts a build with that source commit produced.
// - builder (builder id): artefacts a build by that builder produced.
//
// For every artefact, `otherTrustedSignatures` counts what still vouches for it without the subject:
// for a key or identity, its other `verified` signatures that do not rely on the subject; for a commit
// or builder, its `verified` SLSA provenance attestations from builds outside the subject's builds.
// `onlyTrust` is `otherTrustedSignatures === 0`: losing the subject leaves the artefact with nothing.
// Deployments are the current ones (ended_at IS NULL). Everything is set-based SQL over the subject's
// artefacts; pages are keyed on (onlyTrust first, row id).

export const BLAST_RADIUS_PAGE_LIMIT = 100;
const SUBJECT_KINDS = ["key", "identity", "commit", "builder"] as const;
export type BlastRadiusSubjectKind = (typeof SUBJECT_KINDS)[number];

export const ZBlastRadiusQuery = z
  .object({
    key: z.string().trim().min(1, "must not be empty").max(300, "at most 300 characters").optional(),
    identity: z.string().trim().min(1, "must not be empty").max(300, "at most 300 characters").optional(),
    commit: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{7,64}$/, "must be a lowercase hex commit id (at least 7 characters)")
      .optional(),
    builder: z.string().trim().min(1, "must not be empty").max(1000, "at most 1000 characters").optional(),
    cursor: z.string().max(400).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(1).max(BLAST_RADIUS_PAGE_LIMIT))
      .optional(),
    format: z.enum(["json", "csv"]).optional(),
  })
  .superRefine((q, ctx) => {
    const given = SUBJECT_KINDS.filter((k) => q[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: given.length > 1 ? [given[1] as string] : [],
        message: "give exactly one of key, identity, commit or builder",
      });
    }
  });
export type TBlastRadiusQuery = z.infer<typeof ZBlastRadiusQuery>;

export type BlastRadiusSubject = { kind: BlastRadiusSubjectKind; id: string; label: string };
export type BlastRadiusDeployment = {
  environment: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  since: string;
};
export type BlastRadiusArtifact = {
  digest: string;
  names: string[];
  /** When the subject signed it (transparency log or timestamp time, else when Vitrine received it); keys and identities only. */
  signedAt?: string;
  otherTrustedSignatures: number;
  onlyTrust: boolean;
  deployments: BlastRadiusDeployment[];
};
export type BlastRadius = {
  subject: BlastRadiusSubject;
  artifacts: BlastRadiusArtifact[];
  /** Current deployments of the subject's artefacts per environment; onlyTrust counts those running an onlyTrust artefact. */
  environments: Array<{ environment: string; deployments: number; onlyTrust: number }>;
  totals: { artifacts: number; deployments: number; onlyTrust: number };
  nextCursor: string | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FINGERPRINT = /^(sha256:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{64})$/;

/** How the subject's artefacts are found, as SQL sharing the parameters `params`. */
type Plan = {
  subject: BlastRadiusSubject;
  params: unknown[];
  /** CTEs before `rel`, ending with a comma (or empty). */
  prelude: string;
  /** Rows (artifact_id, mine: the subject's signatures on it, signed_at text, first_at timestamptz), one per artefact. */
  rel: string;
  /** A count for the artefact `r.artifact_id` of what vouches for it without the subject. */
  other: string;
};

function subjectOf(query: TBlastRadiusQuery): { kind: BlastRadiusSubjectKind; value: string } {
  for (const kind of SUBJECT_KINDS) {
    const value = query[kind];
    if (value !== undefined) return { kind, value };
  }
  throw new AppError("unprocessable", "The query string has invalid parameters", {
    errors: [{ path: "$.query", message: "give exactly one of key, identity, commit or builder" }],
  });
}

function signaturePlan(subject: BlastRadiusSubject, params: unknown[], match: (alias: string) => string): Plan {
  return {
    subject,
    params,
    prelude: "",
    rel: `SELECT s.artifact_id, count(*) AS mine, min(COALESCE(s.evidence->>'integratedTime', s.evidence->>'timestampedTime')) AS signed_at,
                 min(s.created_at) AS first_at
            FROM signatures s WHERE ${match("s")} GROUP BY s.artifact_id`,
    // Most artefacts carry only the subject's signatures: counted from the index alone, no row read.
    other: `CASE WHEN (SELECT count(*) FROM signatures c WHERE c.artifact_id = r.artifact_id) = r.mine THEN 0 ELSE
              (SELECT count(*) FROM signatures o WHERE o.artifact_id = r.artifact_id AND o.verdict = 'verified'
                 AND NOT COALESCE(${match("o")}, false)) END`,
  };
}

function buildPlan(subject: BlastRadiusSubject, params: unknown[], builds: string): Plan {
  return {
    subject,
    params,
    prelude: `subject_builds AS MATERIALIZED (${builds}),`,
    rel: `SELECT ba.artifact_id, 0 AS mine, NULL::text AS signed_at, NULL::timestamptz AS first_at
            FROM build_artifacts ba JOIN subject_builds sb ON sb.id = ba.build_id
           WHERE ba.role = 'output' GROUP BY ba.artifact_id`,
    other: `(SELECT count(*) FROM attestation_subjects x JOIN attestations t ON t.id = x.attestation_id
              WHERE x.artifact_id = r.artifact_id AND t.verdict = 'verified' AND t.predicate_type LIKE 'https://slsa.dev/provenance/%'
                AND (t.build_id IS NULL OR t.build_id NOT IN (SELECT id FROM subject_builds)))`,
  };
}

const contains = (value: Record<string, string>) => JSON.stringify(value);

/** Resolves the subject (404 when Vitrine knows nothing of it) into the SQL that finds its artefacts. */
async function planFor(sql: Sql, query: TBlastRadiusQuery): Promise<Plan> {
  const { kind, value } = subjectOf(query);
  switch (kind) {
    case "key": {
      const [entry] = await sql.query<{ id: string; name: string; fingerprint: string }>(
        UUID.test(value)
          ? `SELECT id, name, fingerprint FROM trusted_keys WHERE id = $1::uuid`
          : `SELECT id, name, fingerprint FROM trusted_keys WHERE fingerprint = $1`,
        [value.toLowerCase()],
      );
      if (entry) {
        return signaturePlan(
          { kind, id: entry.id, label: entry.name },
          [contains({ keyFingerprint: entry.fingerprint }), contains({ trustedAs: entry.name })],
          (a) => `(${a}.evidence @> $1::jsonb OR ${a}.evidence @> $2::jsonb)`,
        );
      }
      if (UUID.test(value)) throw new AppError("not_found", `No trusted key ${value} is known`);
      if (!FINGERPRINT.test(value)) {
        throw new AppError("unprocessable", "The key is not valid", {
          errors: [{ path: "$.query.key", message: "must be a trusted key id or a key fingerprint (sha256:<64 hex>, or OpenPGP hex)" }],
        });
      }
      const params = [contains({ keyFingerprint: value })];
      const [seen] = await sql.query(`SELECT 1 FROM signatures WHERE evidence @> $1::jsonb LIMIT 1`, params);
      if (!seen) throw new AppError("not_found", `No trusted key and no signature has the fingerprint ${value}`);
      return signaturePlan({ kind, id: value, label: `key ${shortDigest(value)}` }, params, (a) => `${a}.evidence @> $1::jsonb`);
    }
    case "identity": {
      const [entry] = await sql.query<{ id: string; name: string; subject: string; subject_is_regex: boolean; issuer: string }>(
        `SELECT id, name, subject, subject_is_regex, issuer FROM trusted_identities WHERE ${UUID.test(value) ? "id = $1::uuid" : "name = $1"}`,
        [UUID.test(value) ? value.toLowerCase() : value],
      );
      if (!entry) throw new AppError("not_found", `No trusted identity ${value} is known`);
      const subject = { kind, id: entry.id, label: entry.name };
      if (!entry.subject_is_regex) {
        return signaturePlan(
          subject,
          [contains({ trustedAs: entry.name }), contains({ identity: entry.subject, issuer: entry.issuer })],
          (a) => `(${a}.evidence @> $1::jsonb OR ${a}.evidence @> $2::jsonb)`,
        );
      }
      // The anchored pattern, evaluated by Postgres; a pattern Postgres cannot read matches by name only.
      const readable = await sql.query(`SELECT '' ~ $1 AS ok`, [entry.subject]).then(
        () => true,
        () => false,
      );
      if (!readable) return signaturePlan(subject, [contains({ trustedAs: entry.name })], (a) => `${a}.evidence @> $1::jsonb`);
      return signaturePlan(
        subject,
        [contains({ trustedAs: entry.name }), contains({ issuer: entry.issuer }), entry.subject],
        (a) => `(${a}.evidence @> $1::jsonb OR (${a}.evidence @> $2::jsonb AND (${a}.evidence->>'identity') ~ $3))`,
      );
    }
    case "commit": {
      const exact = value.length === 40 || value.length === 64;
      const where = exact ? "src.commit = $1" : "src.commit LIKE $1 || '%'";
      const sources = await sql.query<{ repository: string; commit: string }>(
        `SELECT src.repository, src.commit FROM sources src WHERE ${where} ORDER BY src.created_at LIMIT 50`,
        [value],
      );
      if (sources.length === 0) throw new AppError("not_found", `No source commit ${value} is known`);
      const commits = new Set(sources.map((s) => s.commit));
      if (commits.size > 1) {
        throw new AppError("unprocessable", "The commit is ambiguous", {
          errors: [{ path: "$.query.commit", message: `${commits.size} known commits start with ${value}: give more characters` }],
        });
      }
      const first = sources[0] as { repository: string; commit: string };
      const repos = new Set(sources.map((s) => s.repository));
      const label = repos.size === 1 ? `${first.repository.replace(/^[a-z+]+:\/\//, "")}@${first.commit.slice(0, 12)}` : first.commit;
      return buildPlan(
        { kind, id: first.commit, label },
        [first.commit],
        `SELECT DISTINCT bs.build_id AS id FROM sources src JOIN build_sources bs ON bs.source_id = src.id WHERE src.commit = $1`,
      );
    }
    case "builder": {
      const [seen] = await sql.query(`SELECT 1 FROM builds WHERE builder_id = $1 LIMIT 1`, [value]);
      if (!seen) throw new AppError("not_found", `No build by the builder ${value} is known`);
      return buildPlan({ kind, id: value, label: value }, [value], `SELECT b.id FROM builds b WHERE b.builder_id = $1`);
    }
  }
}

/** The subject's artefacts with what else vouches for them; `rank` 0 = onlyTrust (listed first), then by id. */
function rankedSql(plan: Plan): string {
  return `WITH ${plan.prelude}
    rel AS MATERIALIZED (${plan.rel}),
    counted AS MATERIALIZED (
      SELECT r.artifact_id AS id, COALESCE(r.signed_at, to_char(r.first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS signed_at,
             (${plan.other})::int AS other
        FROM rel r),
    ranked AS MATERIALIZED (SELECT counted.*, CASE WHEN counted.other = 0 THEN 0 ELSE 1 END AS rank FROM counted)`;
}

// The cursor names the last artefact of a page by its row id: pages are keyed on (rank, id), so the
// totals need no artefact rows at all and only the page's digests are read.
function encodeCursor(rank: number, id: string): string {
  return Buffer.from(`${rank}|${id}`).toString("base64url");
}

function decodeCursor(cursor: string): { rank: number; id: string } {
  const [rank, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  // The alphabet first: Node's decoder skips characters outside it, so a mangled cursor would read as the one it resembles.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor) || (rank !== "0" && rank !== "1") || !id || !UUID.test(id)) {
    throw new AppError("unprocessable", "The cursor is not valid", {
      errors: [{ path: "$.query.cursor", message: "not a cursor from a previous page" }],
    });
  }
  return { rank: Number(rank), id: id.toLowerCase() };
}

/** Runs `fn` on one pooled connection in a read-only transaction without JIT (these set queries are
 * costly enough for the planner to JIT-compile them, which takes longer than running them). */
async function readOnly<T>(fn: (client: pg.PoolClient) => Promise<T>, options: { keep?: boolean } = {}): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query("SET LOCAL jit = off");
    const result = await fn(client);
    if (!options.keep) await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if (options.keep) client.release();
    throw error;
  } finally {
    if (!options.keep) client.release();
  }
}

const iso = (d: string | Date): string => new Date(d).toISOString();

/** One page of the blast radius (JSON), with totals and environments over all of the subject's artefacts. */
export async function getBlastRadius(options: { query: TBlastRadiusQuery; sql?: Sql }): Promise<BlastRadius> {
  const sql = options.sql ?? poolSql();
  const plan = await planFor(sql, options.query);
  const limit = options.query.limit ?? BLAST_RADIUS_PAGE_LIMIT;
  const cursor = options.query.cursor ? decodeCursor(options.query.cursor) : null;
  const n = plan.params.length;
  type PageRow = {
    rank: number;
    id: string;
    digest: string;
    signedAt: string | null;
    otherTrustedSignatures: number;
    names: string[];
    deployments: Array<Omit<BlastRadiusDeployment, "since"> & { since: string }>;
  };
  const run = (client: Sql) =>
    client.query<{
      artifacts: number;
      only_trust: number;
      deployments: number;
      environments: BlastRadius["environments"];
      page: PageRow[];
    }>(
      `${rankedSql(plan)},
      deps AS MATERIALIZED (
        SELECT ranked.rank, e.name AS environment
          FROM ranked JOIN deployments d ON d.artifact_id = ranked.id AND d.ended_at IS NULL
          JOIN environments e ON e.id = d.environment_id),
      page AS (
        SELECT * FROM ranked WHERE $${n + 1}::int IS NULL OR (ranked.rank, ranked.id) > ($${n + 1}::int, $${n + 2}::uuid)
         ORDER BY ranked.rank, ranked.id LIMIT $${n + 3})
      SELECT (SELECT count(*) FROM ranked)::int AS artifacts,
             (SELECT count(*) FROM ranked WHERE rank = 0)::int AS only_trust,
             (SELECT count(*) FROM deps)::int AS deployments,
             (SELECT COALESCE(json_agg(x ORDER BY x.environment), '[]'::json) FROM (
                SELECT environment, count(*)::int AS deployments, (count(*) FILTER (WHERE rank = 0))::int AS "onlyTrust"
                  FROM deps GROUP BY environment) x) AS environments,
             (SELECT COALESCE(json_agg(p ORDER BY p.rank, p.id), '[]'::json) FROM (
                SELECT page.rank, page.id, a.digest, page.signed_at AS "signedAt", page.other AS "otherTrustedSignatures",
                       ARRAY(SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = page.id ORDER BY nm.first_seen_at, nm.name LIMIT 10) AS names,
                       (SELECT COALESCE(json_agg(json_build_object('environment', e.name, 'workload', d.workload, 'namespace', d.namespace,
                                                                   'cluster', d.cluster, 'since', d.started_at)
                                                 ORDER BY e.name, d.workload, d.namespace), '[]'::json)
                          FROM deployments d JOIN environments e ON e.id = d.environment_id
                         WHERE d.artifact_id = page.id AND d.ended_at IS NULL) AS deployments
                  FROM page JOIN artifacts a ON a.id = page.id) p) AS page`,
      [...plan.params, cursor?.rank ?? null, cursor?.id ?? null, limit + 1],
    );
  const [row] = options.sql ? await run(options.sql) : await readOnly((client) => run(sqlFromPg(client)));
  const rows = row?.page ?? [];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const withSignedAt = plan.subject.kind === "key" || plan.subject.kind === "identity";
  return {
    subject: plan.subject,
    artifacts: page.map((a) => ({
      digest: a.digest,
      names: a.names,
      ...(withSignedAt && a.signedAt ? { signedAt: a.signedAt } : {}),
      otherTrustedSignatures: a.otherTrustedSignatures,
      onlyTrust: a.otherTrustedSignatures === 0,
      deployments: a.deployments.map((d) => ({ ...d, since: iso(d.since) })),
    })),
    environments: row?.environments ?? [],
    totals: { artifacts: row?.artifacts ?? 0, deployments: row?.deployments ?? 0, onlyTrust: row?.only_trust ?? 0 },
    nextCursor: rows.length > limit && last ? encodeCursor(last.rank, last.id) : null,
  };
}

export const BLAST_RADIUS_CSV_COLUMNS = [
  "digest",
  "names",
  "signed_at",
  "other_trusted_signatures",
  "only_trust",
  "environment",
  "cluster",
  "namespace",
  "workload",
  "since",
] as const;
const CSV_FETCH = 1000;

/**
 * The whole blast radius as CSV, one row per artefact x current deployment (an artefact running
 * nowhere has one row with empty deployment cells), streamed from a server-side cursor so memory
 * stays flat however many artefacts the subject reaches. The subject is resolved (and a 404 thrown)
 * before the stream starts.
 */
export async function exportBlastRadiusCsv(options: {
  query: TBlastRadiusQuery;
}): Promise<{ subject: BlastRadiusSubject; filename: string; stream: ReadableStream<Uint8Array> }> {
  // The subject first, on any pooled connection (an embedded database has only one: never hold two).
  const plan = await planFor(poolSql(), options.query);
  let released = false;
  const client = await readOnly(
    async (c) => {
      await c.query(
        `DECLARE blast_radius NO SCROLL CURSOR FOR
         ${rankedSql(plan)}
         SELECT a.digest,
                ARRAY(SELECT nm.name FROM artifact_names nm WHERE nm.artifact_id = ranked.id ORDER BY nm.first_seen_at, nm.name LIMIT 10) AS names,
                ranked.signed_at, ranked.other, e.name AS environment, d.cluster, d.namespace, d.workload, d.started_at
           FROM ranked
           JOIN artifacts a ON a.id = ranked.id
           LEFT JOIN deployments d ON d.artifact_id = ranked.id AND d.ended_at IS NULL
           LEFT JOIN environments e ON e.id = d.environment_id
          ORDER BY ranked.rank, ranked.id, e.name, d.workload, d.namespace`,
        plan.params,
      );
      return c;
    },
    { keep: true },
  );
  const release = async (commit: boolean) => {
    if (released) return;
    released = true;
    await client.query(commit ? "COMMIT" : "ROLLBACK").catch(() => {});
    client.release();
  };
  const withSignedAt = plan.subject.kind === "key" || plan.subject.kind === "identity";
  const encoder = new TextEncoder();
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let text = headerSent ? "" : csvRow([...BLAST_RADIUS_CSV_COLUMNS]);
        headerSent = true;
        const { rows } = await client.query<{
          digest: string;
          names: string[];
          signed_at: string | null;
          other: number;
          environment: string | null;
          cluster: string | null;
          namespace: string | null;
          workload: string | null;
          started_at: Date | null;
        }>(`FETCH ${CSV_FETCH} FROM blast_radius`);
        for (const r of rows) {
          text += csvRow([
            r.digest,
            r.names.join(" "),
            withSignedAt ? r.signed_at : null,
            r.other,
            r.other === 0,
            r.environment,
            r.cluster,
            r.namespace,
            r.workload,
            r.started_at ? iso(r.started_at) : null,
          ]);
        }
        if (text) controller.enqueue(encoder.encode(text));
        if (rows.length < CSV_FETCH) {
          await release(true);
          controller.close();
        }
      } catch (error) {
        await release(false);
        controller.error(error);
      }
    },
    async cancel() {
      await release(false);
    },
  });
  const safeId = plan.subject.id.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 80);
  return { subject: plan.subject, filename: `blast-radius-${plan.subject.kind}-${safeId}.csv`, stream };
}

import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import type { Sql } from "@/lib/db/sql";
import { parseDigest, shortDigest } from "@/lib/domain/digest";
import {
  artifactStatus,
  deploymentStatus,
  type LineageDirection,
  type LineageEdge,
  type LineageEdgeKind,
  type LineageGraph,
  type LineageNode,
  type LineageNodeKind,
  trustEntryStatus,
  verdictStatus,
  worstStatus,
} from "@/lib/domain/lineage";
import { poolSql } from "./pool-sql";

// The lineage of one artefact (DESIGN.md "Reads"), walked level by level with one set-based query
// per level: upstream (builds that produced it, their sources and input artefacts, an index's
// platform manifests) and downstream (tags, deployments, builds that took it as input and what they
// produced, the index that contains it), then signatures, attestations and keys as leaves of every
// artefact. A node found on upstream paths is only walked further upstream, and the reverse, so
// siblings (other images built on the same base image) never flood the graph. Never loads more than
// `maxNodes` nodes: the answer says `truncated` instead.

export const LINEAGE_DEFAULT_DEPTH = 2;
export const LINEAGE_MAX_DEPTH = 5;
export const LINEAGE_MAX_NODES = 2000;
/** Per artefact: at most this many deployments (running first, then the latest), signatures and attestations. */
const PER_ARTIFACT_LIMIT = 50;
const TAG_HISTORY_LIMIT = 20;

export const ZLineageQuery = z.object({
  depth: z
    .string()
    .regex(/^[1-5]$/, `must be a whole number from 1 to ${LINEAGE_MAX_DEPTH}`)
    .transform(Number)
    .optional(),
});
export type TLineageQuery = z.infer<typeof ZLineageQuery>;

/** A digest from a URL segment: `sha256:<hex>` (also percent-encoded), or 422 naming `path`. */
export function digestParamOrThrow(value: string | undefined, path = "$.params.digest"): string {
  let raw = value ?? "";
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // not percent-encoded: checked as it is
  }
  const parsed = parseDigest(raw);
  if (!parsed.ok) throw new AppError("unprocessable", "The digest is not valid", { errors: [{ path, message: parsed.reason }] });
  return parsed.digest;
}

type Internal = { key: string; kind: LineageNodeKind; rowId: string; depth: number; direction: LineageDirection };

/** Nodes keyed `<kind>:<row uuid>` while walking; public ids (digest, tag reference) are given at the end. */
class Graph {
  readonly nodes = new Map<string, Internal>();
  readonly edges = new Map<string, LineageEdge>();
  truncated = false;
  constructor(private readonly maxNodes: number) {}

  get room(): number {
    return Math.max(0, this.maxNodes - this.nodes.size);
  }

  /** Adds a node (false when the cap is reached); a node already there keeps its first depth and direction. */
  add(kind: LineageNodeKind, rowId: string, depth: number, direction: LineageDirection): { added: boolean; present: boolean } {
    const key = `${kind}:${rowId}`;
    if (this.nodes.has(key)) return { added: false, present: true };
    if (this.nodes.size >= this.maxNodes) {
      this.truncated = true;
      return { added: false, present: false };
    }
    this.nodes.set(key, { key, kind, rowId, depth, direction });
    return { added: true, present: true };
  }

  edge(from: string, to: string, kind: LineageEdgeKind, extra: Partial<LineageEdge> = {}): void {
    if (!this.nodes.has(from) || !this.nodes.has(to)) return;
    const k = `${from}>${to}>${kind}`;
    if (!this.edges.has(k)) this.edges.set(k, { from, to, kind, ...extra });
  }

  ids(kind: LineageNodeKind, filter: (n: Internal) => boolean = () => true): string[] {
    return [...this.nodes.values()].filter((n) => n.kind === kind && filter(n)).map((n) => n.rowId);
  }
}

// One level of the walk. $1 artefacts walked upstream, $2 artefacts walked downstream, $3 builds
// walked upstream, $4 builds walked downstream, $5 row cap per branch. `nid` is the node reached.
// Closing (after the last level), only links to nodes already in the graph are asked for: $6 its
// artefacts, $7 its builds, $8 its sources; so two nodes of the same last level are still joined.
function levelSql(closing: boolean): string {
  const only = (column: string, kind: "artifact" | "build" | "source") =>
    closing ? ` AND ${column} = ANY($${{ artifact: 6, build: 7, source: 8 }[kind]}::uuid[])` : "";
  return `
(SELECT 'output' AS edge, 'build' AS nkind, ba.build_id AS nid, 'upstream' AS dir, ba.build_id AS f, ba.artifact_id AS t
   FROM build_artifacts ba WHERE ba.artifact_id = ANY($1::uuid[]) AND ba.role = 'output'${only("ba.build_id", "build")} LIMIT $5)
UNION ALL
(SELECT 'manifest', 'artifact', e.to_id, 'upstream', e.from_id, e.to_id
   FROM artifact_edges e WHERE e.from_id = ANY($1::uuid[])${only("e.to_id", "artifact")} LIMIT $5)
UNION ALL
(SELECT 'input', 'build', ba.build_id, 'downstream', ba.artifact_id, ba.build_id
   FROM build_artifacts ba WHERE ba.artifact_id = ANY($2::uuid[]) AND ba.role = 'input'${only("ba.build_id", "build")} LIMIT $5)
UNION ALL
(SELECT 'manifest', 'artifact', e.from_id, 'downstream', e.from_id, e.to_id
   FROM artifact_edges e WHERE e.to_id = ANY($2::uuid[])${only("e.from_id", "artifact")} LIMIT $5)
UNION ALL
(SELECT 'source', 'source', bs.source_id, 'upstream', bs.source_id, bs.build_id
   FROM build_sources bs WHERE bs.build_id = ANY($3::uuid[])${only("bs.source_id", "source")} LIMIT $5)
UNION ALL
(SELECT 'input', 'artifact', ba.artifact_id, 'upstream', ba.artifact_id, ba.build_id
   FROM build_artifacts ba WHERE ba.build_id = ANY($3::uuid[]) AND ba.role = 'input'${only("ba.artifact_id", "artifact")} LIMIT $5)
UNION ALL
(SELECT 'output', 'artifact', ba.artifact_id, 'downstream', ba.build_id, ba.artifact_id
   FROM build_artifacts ba WHERE ba.build_id = ANY($4::uuid[]) AND ba.role = 'output'${only("ba.artifact_id", "artifact")} LIMIT $5)`;
}
const LEVEL_SQL = levelSql(false);
const CLOSING_SQL = levelSql(true);

type LevelRow = {
  edge: "output" | "manifest" | "input" | "source";
  nkind: "build" | "artifact" | "source";
  nid: string;
  dir: string;
  f: string;
  t: string;
};
const EDGE_ENDS: Record<LevelRow["edge"], [LineageNodeKind, LineageNodeKind]> = {
  output: ["build", "artifact"],
  manifest: ["artifact", "artifact"],
  input: ["artifact", "build"],
  source: ["source", "build"],
};

type SignerEvidence = { key_fingerprint: string | null; trusted_as: string | null; identity: string | null; issuer: string | null };
type TrustRow = {
  kind: "keys" | "identities" | "x509-roots";
  id: string;
  name: string;
  fingerprint: string | null;
  subject: string | null;
  issuer: string | null;
  revoked_at: Date | null;
  valid_from: Date | null;
  valid_until: Date | null;
};

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

function tail(text: string, max: number): string {
  return text.length > max ? `…${text.slice(text.length - max + 1)}` : text;
}

function predicateLabel(predicateType: string): string {
  const m = /^https:\/\/slsa\.dev\/provenance\/(v[\d.]+)$/.exec(predicateType);
  if (m) return `SLSA provenance ${m[1]}`;
  const last = predicateType.replace(/\/+$/, "").split("/").pop();
  return last || predicateType;
}

/**
 * The lineage graph of `digest` to `depth` hops (1..5, default 2). 422 for a malformed digest or
 * depth, 404 for a digest Vitrine has never seen.
 */
export async function getLineage(options: {
  digest: string;
  depth?: number;
  now: Date;
  maxNodes?: number;
  sql?: Sql;
}): Promise<LineageGraph> {
  const digest = digestParamOrThrow(options.digest);
  const depth = options.depth ?? LINEAGE_DEFAULT_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > LINEAGE_MAX_DEPTH) {
    throw new AppError("unprocessable", "The depth is not valid", {
      errors: [{ path: "$.query.depth", message: `must be a whole number from 1 to ${LINEAGE_MAX_DEPTH}` }],
    });
  }
  const sql = options.sql ?? poolSql();
  const [root] = await sql.query<{ id: string }>(`SELECT id FROM artifacts WHERE digest = $1`, [digest]);
  if (!root) throw new AppError("not_found", `No artefact ${digest} is known`);

  const g = new Graph(options.maxNodes ?? LINEAGE_MAX_NODES);
  g.add("artifact", root.id, 0, "root");

  // 1. Builds, sources and artefacts, level by level.
  let frontier = { upA: [root.id], downA: [root.id], upB: [] as string[], downB: [] as string[] };
  for (let level = 1; level <= depth; level++) {
    if (!frontier.upA.length && !frontier.downA.length && !frontier.upB.length && !frontier.downB.length) break;
    if (g.room === 0) {
      g.truncated = true;
      break;
    }
    const rows = await sql.query<LevelRow>(LEVEL_SQL, [frontier.upA, frontier.downA, frontier.upB, frontier.downB, g.room + 1]);
    const next = { upA: [] as string[], downA: [] as string[], upB: [] as string[], downB: [] as string[] };
    for (const r of rows) {
      const direction = r.dir === "upstream" ? "upstream" : "downstream";
      const { added, present } = g.add(r.nkind, r.nid, level, direction);
      if (added && r.nkind !== "source") {
        const list =
          r.nkind === "artifact" ? (direction === "upstream" ? next.upA : next.downA) : direction === "upstream" ? next.upB : next.downB;
        list.push(r.nid);
      }
      if (present) {
        const [fromKind, toKind] = EDGE_ENDS[r.edge];
        g.edge(`${fromKind}:${r.f}`, `${toKind}:${r.t}`, r.edge);
      }
    }
    frontier = next;
  }
  // 2. Everything else in one round of queries run side by side (on as many pooled connections):
  // links among the last level's nodes, tags and deployments of the root and downstream artefacts
  // (one hop further), every artefact's signatures and attestations, the details of every node, and
  // the trust entries the signatures and attestations name.
  const maxNodes = options.maxNodes ?? LINEAGE_MAX_NODES;
  const closing = frontier.upA.length || frontier.downA.length || frontier.upB.length || frontier.downB.length;
  const tagged = g.ids("artifact", (n) => (n.direction === "root" || n.direction === "downstream") && n.depth < depth);
  const artifactIds = g.ids("artifact");
  const [closingRows, tagRows, deploymentRows, signatureRows, attestationRows, artifactRows, buildRows, sourceRows, trustRows] =
    await Promise.all([
      closing
        ? sql.query<LevelRow>(CLOSING_SQL, [
            frontier.upA,
            frontier.downA,
            frontier.upB,
            frontier.downB,
            maxNodes * 4,
            artifactIds,
            g.ids("build"),
            g.ids("source"),
          ])
        : [],
      tagged.length
        ? sql.query<{
            artifact_id: string;
            tag_id: string;
            current: boolean;
            valid_from: Date;
            valid_to: Date | null;
            reference: string;
            current_digest: string | null;
            moved: boolean;
            history: Array<{ digest: string; validFrom: string; validTo: string | null }> | null;
          }>(
            `WITH t AS (
               SELECT h.artifact_id, h.tag_id, bool_or(h.valid_to IS NULL) AS current, max(h.valid_from) AS valid_from,
                      (array_agg(h.valid_to ORDER BY h.valid_from DESC))[1] AS valid_to
                 FROM tag_history h WHERE h.artifact_id = ANY($1::uuid[])
                GROUP BY h.artifact_id, h.tag_id
                ORDER BY bool_or(h.valid_to IS NULL) DESC, max(h.valid_from) DESC LIMIT $2)
             SELECT t.*, tg.reference,
                    (SELECT h.digest FROM tag_history h WHERE h.tag_id = t.tag_id AND h.valid_to IS NULL ORDER BY h.valid_from DESC LIMIT 1)
                      AS current_digest,
                    EXISTS (SELECT 1 FROM tag_history h WHERE h.tag_id = t.tag_id AND h.digest <>
                              (SELECT f.digest FROM tag_history f WHERE f.tag_id = t.tag_id ORDER BY f.valid_from LIMIT 1)) AS moved,
                    -- Newest first, one index probe per step: a tag like latest can have thousands of intervals.
                    (SELECT json_agg(json_build_object('digest', x.digest, 'validFrom', x.valid_from, 'validTo', x.valid_to)
                                     ORDER BY x.valid_from DESC)
                       FROM (WITH RECURSIVE r AS (
                               (SELECT h.digest, h.valid_from, h.valid_to, 1 AS n FROM tag_history h WHERE h.tag_id = t.tag_id
                                 ORDER BY h.valid_from DESC LIMIT 1)
                               UNION ALL
                               SELECT p.digest, p.valid_from, p.valid_to, r.n + 1 FROM r CROSS JOIN LATERAL (
                                 SELECT h.digest, h.valid_from, h.valid_to FROM tag_history h
                                  WHERE h.tag_id = t.tag_id AND h.valid_from < r.valid_from ORDER BY h.valid_from DESC LIMIT 1) p
                               WHERE r.n < ${TAG_HISTORY_LIMIT})
                             SELECT * FROM r) x) AS history
               FROM t JOIN tags tg ON tg.id = t.tag_id
              ORDER BY t.current DESC, t.valid_from DESC`,
            [tagged, g.room + 1],
          )
        : [],
      tagged.length
        ? sql.query<{
            id: string;
            artifact_id: string;
            environment: string;
            cluster: string | null;
            namespace: string | null;
            workload: string;
            started_at: Date;
            ended_at: Date | null;
            pinned: boolean;
            policy_pass: boolean | null;
          }>(
            `SELECT d.id, a.id AS artifact_id, e.name AS environment, d.cluster, d.namespace, d.workload, d.started_at, d.ended_at,
                    d.pinned, d.policy_pass
               FROM unnest($1::uuid[]) AS a(id)
               CROSS JOIN LATERAL (
                 SELECT d.* FROM deployments d WHERE d.artifact_id = a.id
                  ORDER BY (d.ended_at IS NULL) DESC, d.started_at DESC LIMIT ${PER_ARTIFACT_LIMIT + 1}) d
               JOIN environments e ON e.id = d.environment_id`,
            [tagged],
          )
        : [],
      sql.query<
        { id: string; artifact_id: string; format: string; verdict: string | null; verdict_reason: string | null } & SignerEvidence
      >(
        `SELECT s.* FROM unnest($1::uuid[]) AS a(id)
         CROSS JOIN LATERAL (
           SELECT s.id, s.artifact_id, s.format, s.verdict, s.verdict_reason,
                  s.evidence->>'keyFingerprint' AS key_fingerprint, s.evidence->>'trustedAs' AS trusted_as,
                  s.evidence->>'identity' AS identity, s.evidence->>'issuer' AS issuer
             FROM signatures s WHERE s.artifact_id = a.id ORDER BY s.created_at DESC LIMIT ${PER_ARTIFACT_LIMIT + 1}) s`,
        [artifactIds],
      ),
      sql.query<
        {
          id: string;
          artifact_id: string;
          predicate_type: string;
          verdict: string | null;
          verdict_reason: string | null;
          build_id: string | null;
        } & SignerEvidence
      >(
        `SELECT x.* FROM unnest($1::uuid[]) AS a(id)
         CROSS JOIN LATERAL (
           SELECT t.id, s.artifact_id, t.predicate_type, t.verdict, t.verdict_reason, t.build_id,
                  t.evidence->>'keyFingerprint' AS key_fingerprint, t.evidence->>'trustedAs' AS trusted_as,
                  t.evidence->>'identity' AS identity, t.evidence->>'issuer' AS issuer
             FROM attestation_subjects s JOIN attestations t ON t.id = s.attestation_id
            WHERE s.artifact_id = a.id ORDER BY t.created_at DESC LIMIT ${PER_ARTIFACT_LIMIT + 1}) x`,
        [artifactIds],
      ),
      sql.query<{
        id: string;
        digest: string;
        kind: string;
        names: string[];
        sig_verdicts: Array<string | null>;
        att_verdicts: Array<string | null>;
      }>(
        `SELECT a.id, a.digest, a.kind::text AS kind,
                ARRAY(SELECT n.name FROM artifact_names n WHERE n.artifact_id = a.id ORDER BY n.first_seen_at, n.name LIMIT 5) AS names,
                ARRAY(SELECT DISTINCT s.verdict FROM signatures s WHERE s.artifact_id = a.id) AS sig_verdicts,
                ARRAY(SELECT DISTINCT t.verdict FROM attestation_subjects x JOIN attestations t ON t.id = x.attestation_id
                       WHERE x.artifact_id = a.id) AS att_verdicts
           FROM artifacts a WHERE a.id = ANY($1::uuid[])`,
        [artifactIds],
      ),
      sql.query<{
        id: string;
        builder_id: string;
        invocation_id: string;
        build_type: string | null;
        outcome: string;
        finished_at: Date | null;
        verdicts: Array<string | null>;
      }>(
        `SELECT b.id, b.builder_id, b.invocation_id, b.build_type, b.outcome, b.finished_at,
                ARRAY(SELECT DISTINCT t.verdict FROM attestations t WHERE t.build_id = b.id) AS verdicts
           FROM builds b WHERE b.id = ANY($1::uuid[])`,
        [g.ids("build")],
      ),
      sql.query<{ id: string; repository: string; commit: string }>(
        `SELECT id, repository, commit FROM sources WHERE id = ANY($1::uuid[])`,
        [g.ids("source")],
      ),
      // The trust entries named by the evidence of these artefacts' signatures and attestations (bounded by them).
      sql.query<TrustRow>(
        `WITH ev AS MATERIALIZED (
           SELECT s.evidence FROM signatures s WHERE s.artifact_id = ANY($1::uuid[]) AND s.evidence IS NOT NULL
           UNION ALL
           SELECT t.evidence FROM attestation_subjects x JOIN attestations t ON t.id = x.attestation_id
            WHERE x.artifact_id = ANY($1::uuid[]) AND t.evidence IS NOT NULL),
         names AS (SELECT DISTINCT evidence->>'trustedAs' AS v FROM ev WHERE evidence ? 'trustedAs'),
         fingerprints AS (SELECT DISTINCT evidence->>'keyFingerprint' AS v FROM ev WHERE evidence ? 'keyFingerprint'),
         identities AS (SELECT DISTINCT evidence->>'identity' AS v FROM ev WHERE evidence ? 'identity')
         SELECT 'keys' AS kind, id, name, fingerprint, NULL AS subject, NULL AS issuer, revoked_at, valid_from, valid_until
           FROM trusted_keys WHERE name IN (SELECT v FROM names) OR fingerprint IN (SELECT v FROM fingerprints)
         UNION ALL
         SELECT 'identities', id, name, NULL, subject, issuer, revoked_at, valid_from, valid_until
           FROM trusted_identities WHERE name IN (SELECT v FROM names) OR (NOT subject_is_regex AND subject IN (SELECT v FROM identities))
         UNION ALL
         SELECT 'x509-roots', id, name, fingerprint, subject, NULL, revoked_at, valid_from, valid_until
           FROM trusted_x509_roots WHERE name IN (SELECT v FROM names)`,
        [artifactIds],
      ),
    ]);

  for (const r of closingRows) {
    const [fromKind, toKind] = EDGE_ENDS[r.edge];
    g.edge(`${fromKind}:${r.f}`, `${toKind}:${r.t}`, r.edge);
  }
  const depthOf = (kind: LineageNodeKind, rowId: string) => g.nodes.get(`${kind}:${rowId}`)?.depth ?? 0;
  const tagDetails = new Map<string, (typeof tagRows)[number]>();
  for (const t of tagRows) {
    if (!g.add("tag", t.tag_id, depthOf("artifact", t.artifact_id) + 1, "downstream").present) continue;
    tagDetails.set(t.tag_id, t);
    g.edge(`artifact:${t.artifact_id}`, `tag:${t.tag_id}`, t.current ? "tagged" : "was-tagged", {
      validFrom: iso(t.valid_from) as string,
      validTo: t.current ? null : iso(t.valid_to),
    });
  }
  const deploymentsByArtifact = new Map<string, number>();
  const deployments = new Map<string, (typeof deploymentRows)[number]>();
  for (const d of deploymentRows) {
    const seen = (deploymentsByArtifact.get(d.artifact_id) ?? 0) + 1;
    deploymentsByArtifact.set(d.artifact_id, seen);
    if (seen > PER_ARTIFACT_LIMIT) {
      g.truncated = true;
      continue;
    }
    if (!g.add("deployment", d.id, depthOf("artifact", d.artifact_id) + 1, "downstream").present) continue;
    deployments.set(d.id, d);
    g.edge(`artifact:${d.artifact_id}`, `deployment:${d.id}`, "deployed");
  }

  // 3. Leaves: every artefact's signatures and attestations.
  const leafCount = new Map<string, number>();
  const overPerArtifactLimit = (kind: string, artifactId: string) => {
    const k = `${kind}:${artifactId}`;
    const n = (leafCount.get(k) ?? 0) + 1;
    leafCount.set(k, n);
    if (n > PER_ARTIFACT_LIMIT) g.truncated = true;
    return n > PER_ARTIFACT_LIMIT;
  };
  const signers = new Map<string, SignerEvidence>();
  const signatures = new Map<string, (typeof signatureRows)[number]>();
  for (const s of signatureRows) {
    if (overPerArtifactLimit("signature", s.artifact_id)) continue;
    if (!g.add("signature", s.id, depthOf("artifact", s.artifact_id) + 1, "leaf").present) continue;
    signatures.set(s.id, s);
    signers.set(`signature:${s.id}`, s);
    g.edge(`artifact:${s.artifact_id}`, `signature:${s.id}`, "signature");
  }
  const attestations = new Map<string, (typeof attestationRows)[number]>();
  for (const a of attestationRows) {
    if (overPerArtifactLimit("attestation", a.artifact_id)) continue;
    if (!g.add("attestation", a.id, depthOf("artifact", a.artifact_id) + 1, "leaf").present) continue;
    attestations.set(a.id, a);
    signers.set(`attestation:${a.id}`, a);
    g.edge(`artifact:${a.artifact_id}`, `attestation:${a.id}`, "attestation");
    if (a.build_id) g.edge(`attestation:${a.id}`, `build:${a.build_id}`, "provenance");
  }

  // Keys: the trust entry a signature counts for (trustedAs), else the trusted key with its
  // fingerprint, else the exact trusted identity; a signer the store does not know is `untrusted`.
  const keyNodes = new Map<string, LineageNode>();
  const resolveSigner = (e: SignerEvidence): LineageNode | null => {
    const byName = (kind: TrustRow["kind"]) => trustRows.find((t) => t.kind === kind && t.name === e.trusted_as);
    const entry =
      (e.trusted_as
        ? e.identity
          ? (byName("identities") ?? byName("keys") ?? byName("x509-roots"))
          : (byName("keys") ?? byName("x509-roots") ?? byName("identities"))
        : undefined) ??
      (e.key_fingerprint ? trustRows.find((t) => t.kind === "keys" && t.fingerprint === e.key_fingerprint) : undefined) ??
      (e.identity
        ? trustRows.find((t) => t.kind === "identities" && t.subject === e.identity && (!e.issuer || t.issuer === e.issuer))
        : undefined);
    const base = { kind: "key" as const, depth: 0, direction: "leaf" as const };
    if (entry) {
      return {
        ...base,
        id: `key:${entry.kind}:${entry.id}`,
        label: entry.name,
        status: trustEntryStatus({ revokedAt: entry.revoked_at, validFrom: entry.valid_from, validUntil: entry.valid_until }, options.now),
        trustKind: entry.kind,
        trustId: entry.id,
        fingerprint: entry.fingerprint ?? e.key_fingerprint,
        identity: entry.kind === "identities" ? entry.subject : null,
      };
    }
    if (e.key_fingerprint) {
      return {
        ...base,
        id: `key:fingerprint:${e.key_fingerprint}`,
        label: `key ${shortDigest(e.key_fingerprint)}`,
        status: "untrusted",
        trustKind: null,
        trustId: null,
        fingerprint: e.key_fingerprint,
        identity: null,
      };
    }
    if (e.identity) {
      return {
        ...base,
        id: `key:identity:${e.identity}`,
        label: tail(e.identity, 60),
        status: "untrusted",
        trustKind: null,
        trustId: null,
        fingerprint: null,
        identity: e.identity,
      };
    }
    return null;
  };
  const keyEdges: Array<{ from: string; to: string }> = [];
  for (const [from, e] of signers) {
    const key = resolveSigner(e);
    if (!key) continue;
    const leafDepth = (g.nodes.get(from)?.depth ?? 0) + 1;
    const known = keyNodes.get(key.id);
    if (known) known.depth = Math.min(known.depth, leafDepth);
    else if (keyNodes.size + g.nodes.size < maxNodes) keyNodes.set(key.id, { ...key, depth: leafDepth });
    else {
      g.truncated = true;
      continue;
    }
    keyEdges.push({ from, to: key.id });
  }

  // 5. Public ids and the answer.
  const publicId = new Map<string, string>();
  const nodes: LineageNode[] = [];
  const at = (kind: LineageNodeKind, rowId: string) => g.nodes.get(`${kind}:${rowId}`);
  const base = (n: Internal) => ({ kind: n.kind, depth: n.depth, direction: n.direction });
  for (const a of artifactRows) {
    const n = at("artifact", a.id);
    if (!n) continue;
    const id = `artifact:${a.digest}`;
    publicId.set(n.key, id);
    nodes.push({
      ...base(n),
      id,
      label: a.names[0] ? `${a.names[0]}@${shortDigest(a.digest)}` : shortDigest(a.digest),
      status: artifactStatus({ signatures: a.sig_verdicts, attestations: a.att_verdicts }),
      href: `/artifacts/${a.digest}`,
      digest: a.digest,
      artifactKind: a.kind,
      names: a.names,
    });
  }
  for (const b of buildRows) {
    const n = at("build", b.id);
    if (!n) continue;
    nodes.push({
      ...base(n),
      id: n.key,
      label: tail(b.invocation_id, 48),
      status: worstStatus(b.verdicts),
      builderId: b.builder_id,
      invocationId: b.invocation_id,
      buildType: b.build_type,
      outcome: b.outcome,
      finishedAt: iso(b.finished_at),
    });
  }
  for (const s of sourceRows) {
    const n = at("source", s.id);
    if (!n) continue;
    const repo = s.repository.replace(/^[a-z+]+:\/\//, "");
    nodes.push({
      ...base(n),
      id: n.key,
      label: s.commit ? `${repo}@${s.commit.slice(0, 12)}` : repo,
      status: null,
      repository: s.repository,
      commit: s.commit,
    });
  }
  for (const t of tagDetails.values()) {
    const n = at("tag", t.tag_id);
    if (!n) continue;
    const id = `tag:${t.reference}`;
    publicId.set(n.key, id);
    nodes.push({
      ...base(n),
      id,
      label: t.reference,
      status: t.moved ? "moved" : null,
      reference: t.reference,
      currentDigest: t.current_digest,
      history: (t.history ?? []).map((h) => ({ digest: h.digest, validFrom: iso(h.validFrom) as string, validTo: iso(h.validTo) })),
    });
  }
  for (const d of deployments.values()) {
    const n = at("deployment", d.id);
    if (!n) continue;
    nodes.push({
      ...base(n),
      id: n.key,
      label: `${d.environment}: ${d.namespace ? `${d.namespace}/` : ""}${d.workload}`,
      status: deploymentStatus(d.policy_pass),
      environment: d.environment,
      cluster: d.cluster,
      namespace: d.namespace,
      workload: d.workload,
      startedAt: iso(d.started_at) as string,
      endedAt: iso(d.ended_at),
      pinned: d.pinned,
    });
  }
  for (const s of signatures.values()) {
    const n = at("signature", s.id);
    if (!n) continue;
    const signer = s.trusted_as ?? s.identity ?? (s.key_fingerprint ? shortDigest(s.key_fingerprint) : null);
    nodes.push({
      ...base(n),
      id: n.key,
      label: signer ? `${s.format} · ${tail(signer, 48)}` : s.format,
      status: verdictStatus(s.verdict),
      format: s.format,
      reason: s.verdict_reason,
    });
  }
  for (const a of attestations.values()) {
    const n = at("attestation", a.id);
    if (!n) continue;
    nodes.push({
      ...base(n),
      id: n.key,
      label: predicateLabel(a.predicate_type),
      status: verdictStatus(a.verdict),
      predicateType: a.predicate_type,
      reason: a.verdict_reason,
    });
  }
  nodes.push(...keyNodes.values());
  const rename = (key: string) => publicId.get(key) ?? key;
  const edges = [...g.edges.values()].map((e) => ({ ...e, from: rename(e.from), to: rename(e.to) }));
  for (const e of keyEdges) edges.push({ from: rename(e.from), to: e.to, kind: "signed-by" });
  // A row removed between two queries leaves no node: its edges go too.
  const present = new Set(nodes.map((n) => n.id));
  const kept = edges.filter((e) => present.has(e.from) && present.has(e.to));
  nodes.sort((x, y) => x.depth - y.depth || x.kind.localeCompare(y.kind) || x.label.localeCompare(y.label));
  return { root: `artifact:${digest}`, depth, nodes, edges: kept, truncated: g.truncated };
}

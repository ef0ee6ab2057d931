import "server-only";
import { type Sql, withTransaction } from "@/lib/db/sql";
import {
  type AdmissionDenialFact,
  type AlertCandidate,
  type AlertRule,
  type ArtifactFact,
  admissionDenied,
  artifactRules,
  type ClaimFact,
  type DeploymentFact,
  type DisagreementFact,
  dedupeKey,
  deploymentRules,
  digestDrift,
  type Severity,
  severityFor,
  severityRank,
  type TagMove,
  tagMutated,
  unsignedPublished,
  verificationFailed,
  verifierDisagreement,
} from "@/lib/domain/alert-rules";
import type { PolicyFailure, TrustPolicy } from "@/lib/domain/policy";
import { loadPolicyLookup } from "@/lib/server/evaluation/evaluate-deployments";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { enqueueJobs } from "@/lib/server/jobs/queue";
import { appendLedgerEntriesSql, type LedgerAppend } from "@/lib/server/ledger/append-ledger-entry";

// The rule engine: loads the facts for a set of artefacts (or all, a page at a time), runs every
// rule of lib/domain/alert-rules.ts, and reconciles the answer with the alerts table: a new
// condition opens an alert, one that persists updates it, a resolved alert whose condition
// returns reopens, and a condition that is gone is marked cleared (the alert stays for triage).

const PAGE = 1000;
/** Serialises reconciliations across instances, so one (rule, subject, environment) is one alert. */
const ALERTS_LOCK = 72_707_303;
/** Rules that describe a state that can end; the others record events (a tag move, a denial). */
const CONDITION_RULES: AlertRule[] = [
  "unsigned-deployed",
  "mutable-reference-deployed",
  "missing-provenance",
  "revoked-key-in-use",
  "digest-drift",
  "invalid-signature",
  "untrusted-signer",
  "verifier-disagreement",
  "unsigned-published",
];
const RECENT_ADMISSIONS_MS = 15 * 60_000;
export const DEFAULT_UNSIGNED_GRACE_MINUTES = 30;

type Settings = { overrides: Record<string, Record<string, Severity>>; graceMinutes: number };

async function loadSettings(sql: Sql): Promise<Settings> {
  const rows = await sql.query<{ key: string; value: unknown }>(
    `SELECT key, value FROM settings WHERE key IN ('alerts.severity', 'alerts.unsignedGraceMinutes')`,
  );
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  const grace = Number(byKey.get("alerts.unsignedGraceMinutes"));
  return {
    overrides: (byKey.get("alerts.severity") as Settings["overrides"] | undefined) ?? {},
    graceMinutes: Number.isFinite(grace) && grace >= 0 ? grace : DEFAULT_UNSIGNED_GRACE_MINUTES,
  };
}

// ---------------------------------------------------------------------------------------------
// Facts

async function artifactFacts(sql: Sql, ids: string[]): Promise<Map<string, ArtifactFact>> {
  const [artifacts, signatures, attestations] = await Promise.all([
    sql.query<{ id: string; digest: string; name: string | null }>(
      `SELECT a.id, a.digest,
              (SELECT n.name FROM artifact_names n WHERE n.artifact_id = a.id ORDER BY n.first_seen_at, n.name LIMIT 1) AS name
         FROM artifacts a WHERE a.id = ANY($1::uuid[])`,
      [ids],
    ),
    sql.query<{
      id: string;
      artifact_id: string;
      verdict: string | null;
      document_id: string;
      trusted_as: string | null;
      fp: string | null;
    }>(
      `SELECT id, artifact_id, verdict, document_id, evidence->>'trustedAs' AS trusted_as, evidence->>'keyFingerprint' AS fp
         FROM signatures WHERE artifact_id = ANY($1::uuid[])`,
      [ids],
    ),
    sql.query<{ id: string; artifact_id: string; verdict: string | null; document_id: string; predicate_type: string }>(
      `SELECT t.id, s.artifact_id, t.verdict, t.document_id, t.predicate_type
         FROM attestation_subjects s JOIN attestations t ON t.id = s.attestation_id WHERE s.artifact_id = ANY($1::uuid[])`,
      [ids],
    ),
  ]);
  const out = new Map<string, ArtifactFact>();
  for (const a of artifacts) out.set(a.id, { id: a.id, digest: a.digest, name: a.name, signatures: [], attestations: [] });
  for (const s of signatures) {
    out.get(s.artifact_id)?.signatures.push({
      id: s.id,
      verdict: s.verdict,
      documentId: s.document_id,
      trustedAs: s.trusted_as,
      keyFingerprint: s.fp,
    });
  }
  for (const t of attestations) {
    out.get(t.artifact_id)?.attestations.push({ id: t.id, verdict: t.verdict, documentId: t.document_id, predicateType: t.predicate_type });
  }
  return out;
}

type DeploymentRow = {
  id: string;
  environment: string;
  workload: string;
  namespace: string | null;
  cluster: string | null;
  reference: string | null;
  pinned: boolean;
  tag_reference: string | null;
  document_id: string | null;
  artifact_id: string | null;
  policy_pass: boolean | null;
  policy_failures: PolicyFailure[] | null;
};

async function candidatesFor(
  sql: Sql,
  scope: { ids: string[]; includeUnresolved: boolean },
  ctx: { now: Date; policyFor: (e: string) => TrustPolicy; settings: Settings },
): Promise<AlertCandidate[]> {
  const { ids } = scope;
  const facts = await artifactFacts(sql, ids);
  const out: AlertCandidate[] = [];

  // Artefact evidence.
  for (const a of facts.values()) out.push(...artifactRules(a));

  // What runs (and, for a full evaluation, deployments whose tag resolved to nothing).
  const deployments = await sql.query<DeploymentRow>(
    `SELECT d.id, e.name AS environment, d.workload, d.namespace, d.cluster, d.reference, d.pinned, d.tag_reference, d.document_id,
            d.artifact_id, d.policy_pass, d.policy_failures
       FROM deployments d JOIN environments e ON e.id = d.environment_id
      WHERE d.ended_at IS NULL AND (d.artifact_id = ANY($1::uuid[]) ${scope.includeUnresolved ? "OR d.artifact_id IS NULL" : ""})`,
    [ids],
  );
  const tagRefs = [...new Set(deployments.map((d) => d.tag_reference).filter((t): t is string => t !== null))];
  const signedByTag = new Map<string, string[]>();
  if (tagRefs.length) {
    const rows = await sql.query<{ reference: string; digest: string }>(
      `SELECT DISTINCT t.reference, h.digest FROM tags t JOIN tag_history h ON h.tag_id = t.id
        WHERE t.reference = ANY($1::text[])
          AND EXISTS (SELECT 1 FROM signatures s WHERE s.artifact_id = h.artifact_id AND s.verdict = 'verified')`,
      [tagRefs],
    );
    for (const r of rows) signedByTag.set(r.reference, [...(signedByTag.get(r.reference) ?? []), r.digest]);
  }
  for (const row of deployments) {
    const d: DeploymentFact = {
      id: row.id,
      environment: row.environment,
      workload: row.workload,
      namespace: row.namespace,
      cluster: row.cluster,
      reference: row.reference,
      pinned: row.pinned,
      tagReference: row.tag_reference,
      documentId: row.document_id,
      artifact: row.artifact_id ? (facts.get(row.artifact_id) ?? null) : null,
      policyPass: row.policy_pass,
      policyFailures: row.policy_failures ?? [],
    };
    // Only deployments already judged against their policy (the evaluation runs first).
    if (row.policy_pass === null) continue;
    out.push(...deploymentRules(d, ctx.policyFor(d.environment)));
    const drift = digestDrift(d, row.tag_reference ? (signedByTag.get(row.tag_reference) ?? []) : []);
    if (drift) out.push(drift);
  }

  // Tag moves onto these artefacts.
  const moves = await sql.query<{
    reference: string;
    from_digest: string;
    to_digest: string;
    at: Date;
    artifact_id: string;
    document_id: string | null;
  }>(
    `SELECT t.reference, prev.digest AS from_digest, h.digest AS to_digest, h.valid_from AS at, h.artifact_id, h.document_id
       FROM tag_history h
       JOIN tags t ON t.id = h.tag_id
       JOIN LATERAL (SELECT p.digest, p.artifact_id FROM tag_history p
                      WHERE p.tag_id = h.tag_id AND p.valid_from < h.valid_from ORDER BY p.valid_from DESC LIMIT 1) prev ON true
      WHERE h.artifact_id = ANY($1::uuid[]) AND prev.artifact_id <> h.artifact_id`,
    [ids],
  );
  if (moves.length) {
    const envRows = await sql.query<{ tag_reference: string; environment: string }>(
      `SELECT DISTINCT d.tag_reference, e.name AS environment FROM deployments d JOIN environments e ON e.id = d.environment_id
        WHERE d.tag_reference = ANY($1::text[])`,
      [[...new Set(moves.map((m) => m.reference))]],
    );
    for (const m of moves) {
      const move: TagMove = {
        reference: m.reference,
        from: m.from_digest,
        to: m.to_digest,
        at: new Date(m.at),
        toArtifactId: m.artifact_id,
        documentId: m.document_id,
      };
      const environments = envRows
        .filter((r) => r.tag_reference === m.reference)
        .map((r) => ({ name: r.environment, policy: ctx.policyFor(r.environment) }));
      out.push(...tagMutated(move, environments));
    }
  }

  // What external verifiers said.
  const claims = await sql.query<{
    id: string;
    verifier: string;
    result: string;
    policy: string | null;
    rule: string | null;
    message: string | null;
    environment: string | null;
    document_id: string;
    artifact_id: string;
  }>(
    `SELECT id, verifier, result, policy, rule, message, environment, document_id, artifact_id
       FROM verification_claims WHERE artifact_id = ANY($1::uuid[]) AND result = 'fail'`,
    [ids],
  );
  for (const c of claims) {
    const a = facts.get(c.artifact_id);
    if (!a) continue;
    const fact: ClaimFact = {
      id: c.id,
      verifier: c.verifier,
      result: c.result,
      policy: c.policy,
      rule: c.rule,
      message: c.message,
      environment: c.environment,
      documentId: c.document_id,
      artifact: { id: a.id, digest: a.digest, name: a.name },
    };
    const candidate = verificationFailed(fact);
    if (candidate) out.push(candidate);
  }
  const disagreements = await sql.query<{
    claim_id: string;
    verifier: string;
    claim_result: string;
    vitrine_status: string;
    reason: string;
    environment: string | null;
    document_id: string;
    artifact_id: string;
  }>(
    `SELECT v.claim_id, v.verifier, v.claim_result, v.vitrine_status, v.reason, c.environment, c.document_id, v.artifact_id
       FROM verifier_disagreements v JOIN verification_claims c ON c.id = v.claim_id
      WHERE v.artifact_id = ANY($1::uuid[]) AND v.resolved_at IS NULL`,
    [ids],
  );
  for (const d of disagreements) {
    const a = facts.get(d.artifact_id);
    if (!a) continue;
    const fact: DisagreementFact = {
      claimId: d.claim_id,
      verifier: d.verifier,
      claimResult: d.claim_result,
      vitrineStatus: d.vitrine_status,
      reason: d.reason,
      environment: d.environment,
      documentId: d.document_id,
      artifact: { id: a.id, digest: a.digest, name: a.name },
    };
    out.push(verifierDisagreement(fact));
  }

  // Published without a signature, once the grace period has passed (the sweep finds those whose
  // grace period just ran out; any evaluation of an artefact checks it too).
  {
    const published = await sql.query<{ id: string; first_seen_at: Date; document_id: string | null }>(
      `SELECT a.id, a.first_seen_at,
              (SELECT h.document_id FROM tag_history h WHERE h.artifact_id = a.id ORDER BY h.valid_from LIMIT 1) AS document_id
         FROM artifacts a
        WHERE a.id = ANY($1::uuid[]) AND a.first_seen_at <= $2::timestamptz
          AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.artifact_id = a.id)
          AND (EXISTS (SELECT 1 FROM tag_history h WHERE h.artifact_id = a.id) OR EXISTS (SELECT 1 FROM artifact_names n WHERE n.artifact_id = a.id))`,
      [ids, new Date(ctx.now.getTime() - ctx.settings.graceMinutes * 60_000).toISOString()],
    );
    for (const p of published) {
      const a = facts.get(p.id);
      if (!a) continue;
      const c = unsignedPublished(
        { ...a, publishedAt: new Date(p.first_seen_at), documentId: p.document_id },
        { now: ctx.now, graceMinutes: ctx.settings.graceMinutes },
      );
      if (c) out.push(c);
    }
  }
  return out;
}

async function recentDenials(sql: Sql, now: Date): Promise<AlertCandidate[]> {
  const rows = await sql.query<{
    id: string;
    environment: string;
    namespace: string;
    workload_kind: string;
    workload_name: string | null;
    message: string | null;
    document_id: string;
    artifact_id: string | null;
    decided_at: Date;
  }>(
    `SELECT d.id, d.environment, d.namespace, d.workload_kind, d.workload_name, d.message, d.document_id, d.decided_at,
            (SELECT (i->>'artifactId')::uuid FROM jsonb_array_elements(d.images) i WHERE i->>'artifactId' IS NOT NULL LIMIT 1) AS artifact_id
       FROM admission_decisions d
      WHERE d.allowed = false AND d.dry_run = false AND d.decided_at >= $1::timestamptz
      ORDER BY d.decided_at`,
    [new Date(now.getTime() - RECENT_ADMISSIONS_MS).toISOString()],
  );
  return rows.map((r) => {
    const fact: AdmissionDenialFact = {
      id: r.id,
      environment: r.environment,
      namespace: r.namespace,
      workloadKind: r.workload_kind,
      workloadName: r.workload_name,
      message: r.message,
      documentId: r.document_id,
      artifactId: r.artifact_id,
      decidedAt: new Date(r.decided_at),
    };
    return admissionDenied(fact);
  });
}

// ---------------------------------------------------------------------------------------------
// Reconciliation

type Existing = {
  id: string;
  dedupe_key: string;
  rule: string;
  status: string;
  severity: string;
  condition_active: boolean;
  fire_count: number;
  evidence: unknown;
  summary: string;
};

export type AlertChanges = { opened: number; reopened: number; refired: number; cleared: number; updated: number };

async function reconcile(
  sql: Sql,
  candidates: AlertCandidate[],
  scope: { artifactIds: string[]; clearRules: AlertRule[] },
  ctx: { now: Date; settings: Settings },
): Promise<AlertChanges> {
  const changes: AlertChanges = { opened: 0, reopened: 0, refired: 0, cleared: 0, updated: 0 };
  const byKey = new Map<string, AlertCandidate>();
  for (const c of candidates) byKey.set(dedupeKey(c), c);
  await sql.query("SELECT pg_advisory_xact_lock($1::bigint)", [ALERTS_LOCK]);
  const existing = await sql.query<Existing>(
    `SELECT id, dedupe_key, rule, status, severity, condition_active, fire_count, evidence, summary FROM alerts
      WHERE dedupe_key = ANY($1::text[])
         OR (artifact_id = ANY($2::uuid[]) AND rule = ANY($3::text[]) AND condition_active)`,
    [[...byKey.keys()], scope.artifactIds, scope.clearRules],
  );
  const have = new Map(existing.map((e) => [e.dedupe_key, e]));
  const now = ctx.now.toISOString();
  const ledger: LedgerAppend[] = [];
  const notify: Array<{ id: string; stateKey: string }> = [];
  const event = async (alertId: string, kind: string, note: string | null, data: unknown) => {
    await sql.query(
      `INSERT INTO alert_events (id, alert_id, kind, actor, note, data, created_at) VALUES ($1::uuid, $2::uuid, $3, 'system:rules', $4, $5::jsonb, $6::timestamptz)`,
      [uuidv7(), alertId, kind, note, JSON.stringify(data ?? null), now],
    );
  };

  for (const [key, c] of byKey) {
    const severity = severityFor(c.rule, c.environment, ctx.settings.overrides);
    const e = have.get(key);
    if (!e) {
      const id = uuidv7();
      await sql.query(
        `INSERT INTO alerts (id, dedupe_key, rule, severity, status, environment, subject_kind, subject_id, subject_label, artifact_id,
                             summary, evidence, condition_active, fire_count, first_fired_at, last_fired_at, created_at, updated_at)
         VALUES ($1::uuid, $2, $3, $4, 'open', $5, $6, $7, $8, $9::uuid, $10, $11::jsonb, true, 1, $12::timestamptz, $12::timestamptz,
                 $12::timestamptz, $12::timestamptz)`,
        [
          id,
          key,
          c.rule,
          severity,
          c.environment,
          c.subject.kind,
          c.subject.id,
          c.subject.label,
          c.artifactId,
          c.summary,
          JSON.stringify(c.evidence),
          now,
        ],
      );
      await event(id, "fired", c.summary, { severity, evidence: c.evidence });
      ledger.push({
        kind: "alert.opened",
        actor: "system:rules",
        subject: `alert:${id}`,
        payload: { rule: c.rule, severity, environment: c.environment, subject: c.subject, summary: c.summary },
        now: ctx.now,
      });
      notify.push({ id, stateKey: "open:1" });
      changes.opened++;
      continue;
    }
    const sameFacts = JSON.stringify(e.evidence) === JSON.stringify(c.evidence) && e.summary === c.summary;
    if (e.status === "resolved") {
      const fire = e.fire_count + 1;
      await sql.query(
        `UPDATE alerts SET status = 'open', severity = $2, summary = $3, evidence = $4::jsonb, condition_active = true, fire_count = $5,
                           last_fired_at = $6::timestamptz, resolved_at = NULL, acknowledged_at = NULL, escalated_at = NULL, updated_at = $6::timestamptz
          WHERE id = $1::uuid`,
        [e.id, severity, c.summary, JSON.stringify(c.evidence), fire, now],
      );
      await event(e.id, "reopened", c.summary, { severity, evidence: c.evidence });
      ledger.push({
        kind: "alert.reopened",
        actor: "system:rules",
        subject: `alert:${e.id}`,
        payload: { rule: c.rule, severity, summary: c.summary },
        now: ctx.now,
      });
      notify.push({ id: e.id, stateKey: `reopened:${fire}` });
      changes.reopened++;
    } else if (!e.condition_active) {
      const fire = e.fire_count + 1;
      await sql.query(
        `UPDATE alerts SET severity = $2, summary = $3, evidence = $4::jsonb, condition_active = true, fire_count = $5,
                           last_fired_at = $6::timestamptz, updated_at = $6::timestamptz WHERE id = $1::uuid`,
        [e.id, severity, c.summary, JSON.stringify(c.evidence), fire, now],
      );
      await event(e.id, "refired", c.summary, { severity });
      changes.refired++;
    } else if (!sameFacts || e.severity !== severity) {
      await sql.query(
        `UPDATE alerts SET severity = $2, summary = $3, evidence = $4::jsonb, last_fired_at = $5::timestamptz, updated_at = $5::timestamptz
          WHERE id = $1::uuid`,
        [e.id, severity, c.summary, JSON.stringify(c.evidence), now],
      );
      if (severityRank(severity) < severityRank(e.severity)) {
        await event(e.id, "severity-raised", `${e.severity} → ${severity}`, { from: e.severity, to: severity });
        notify.push({ id: e.id, stateKey: `severity:${severity}:${e.fire_count}` });
      }
      changes.updated++;
    }
  }

  // Conditions in scope that no longer hold.
  for (const e of existing) {
    if (byKey.has(e.dedupe_key) || !e.condition_active || !scope.clearRules.includes(e.rule as AlertRule)) continue;
    await sql.query(`UPDATE alerts SET condition_active = false, updated_at = $2::timestamptz WHERE id = $1::uuid`, [e.id, now]);
    await event(e.id, "condition-cleared", "The condition that fired this alert no longer holds", null);
    changes.cleared++;
  }

  await enqueueJobs(
    sql,
    notify.map((n) => ({
      kind: "alerts.notify" as const,
      payload: { alertId: n.id, stateKey: n.stateKey },
      dedupeKey: `notify:${n.id}:${n.stateKey}`,
    })),
  );
  // Last: the ledger's lock is held from here to the commit, and every ingest waits for it.
  if (ledger.length) await appendLedgerEntriesSql(sql, ledger);
  return changes;
}

function add(a: AlertChanges, b: AlertChanges): AlertChanges {
  return {
    opened: a.opened + b.opened,
    reopened: a.reopened + b.reopened,
    refired: a.refired + b.refired,
    cleared: a.cleared + b.cleared,
    updated: a.updated + b.updated,
  };
}

/**
 * Evaluates every rule for the given artefacts (after an ingest), or for all artefacts a page at a
 * time (after a trust or policy change). The periodic sweep evaluates the artefacts whose grace
 * period for a signature just ran out. Recent admission denials are always included.
 */
export async function evaluateAlerts(
  sql: Sql,
  options: { artifactIds?: string[]; now: Date; sweep?: boolean; includeUnresolved?: boolean },
): Promise<AlertChanges> {
  const settings = await loadSettings(sql);
  const policyFor = await loadPolicyLookup();
  const ctx = { now: options.now, policyFor, settings };
  let total: AlertChanges = { opened: 0, reopened: 0, refired: 0, cleared: 0, updated: 0 };
  const denials = await recentDenials(sql, options.now);

  const run = async (ids: string[], first: boolean) => {
    const includeUnresolved = first && (options.includeUnresolved ?? !options.artifactIds);
    const candidates = await candidatesFor(sql, { ids, includeUnresolved }, ctx);
    if (first) candidates.push(...denials);
    const changes = await withTransaction((tx) =>
      reconcile(tx, candidates, { artifactIds: ids, clearRules: CONDITION_RULES }, { now: options.now, settings }),
    );
    total = add(total, changes);
  };

  let ids = options.artifactIds;
  if (options.sweep) {
    const graceEnd = new Date(options.now.getTime() - settings.graceMinutes * 60_000);
    const rows = await sql.query<{ id: string }>(
      `SELECT a.id FROM artifacts a
        WHERE a.first_seen_at <= $1::timestamptz AND a.first_seen_at > $2::timestamptz
          AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.artifact_id = a.id)
          AND NOT EXISTS (SELECT 1 FROM alerts x WHERE x.artifact_id = a.id AND x.rule = 'unsigned-published')
        ORDER BY a.first_seen_at LIMIT 5000`,
      [graceEnd.toISOString(), new Date(graceEnd.getTime() - 86_400_000).toISOString()],
    );
    ids = rows.map((r) => r.id);
  }
  if (ids) {
    for (let i = 0; i < Math.max(ids.length, 1); i += PAGE) await run(ids.slice(i, i + PAGE), i === 0);
    return total;
  }
  let after = "00000000-0000-0000-0000-000000000000";
  let first = true;
  for (;;) {
    const page = await sql.query<{ id: string }>(`SELECT id FROM artifacts WHERE id > $1::uuid ORDER BY id LIMIT ${PAGE}`, [after]);
    if (page.length === 0 && !first) break;
    await run(
      page.map((p) => p.id),
      first,
    );
    first = false;
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return total;
}

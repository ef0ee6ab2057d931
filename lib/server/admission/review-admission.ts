import "server-only";
import { createHash } from "node:crypto";
import { AppError } from "@/lib/api/errors";
import { parseJsonBody } from "@/lib/api/read-body";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { pool, type Sql, withTransaction } from "@/lib/db/sql";
import {
  admissionMessage,
  admissionWarnings,
  decideImage,
  type ImageDecision,
  type ImageResolution,
  tagReferenceOf,
} from "@/lib/domain/admission";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { defaultPolicy, type TrustPolicy, ZTrustPolicy } from "@/lib/domain/policy";
import { type AdmissionReviewRequest, parseAdmissionReview, workloadLabel } from "@/lib/ingest/admission-review";
import { isJsonMediaType, mediaTypeOf } from "@/lib/ingest/cloudevents";
import { UNSTORABLE_MESSAGE, unstorableTextPath } from "@/lib/ingest/text";
import { log } from "@/lib/log";
import { loadArtifactFacts } from "@/lib/server/evaluation/artifact-facts";
import { sha256Hex } from "@/lib/server/ingest/store-documents";
import { uuidv7 } from "@/lib/server/ingest/uuid";
import { enqueueJob } from "@/lib/server/jobs/queue";
import { appendLedgerEntriesSql } from "@/lib/server/ledger/append-ledger-entry";
import { NAMESPACES_SETTING } from "./schemas";

export type AdmissionReviewResponse = {
  apiVersion: "admission.k8s.io/v1";
  kind: "AdmissionReview";
  response: { uid: string; allowed: boolean; status?: { code: 403; message: string }; warnings?: string[] };
};

export type AdmissionOutcome = {
  answer: AdmissionReviewResponse;
  decisionId: string;
  documentId: string;
  /** true when the uid was decided before: the stored decision is answered, nothing new is recorded. */
  replayed: boolean;
};

/** How long the artefacts' re-evaluation waits, gathering the other pods of the same rollout. */
const EVALUATION_DELAY_MS = 5_000;

type Decision = {
  review: AdmissionReviewRequest;
  environment: string;
  images: ImageDecision[];
  allowed: boolean;
  message: string | null;
  durationMs: number;
};

// Reads run on any pooled connection; only the short write transaction takes the ledger lock.
const pooled: Sql = { query: async <T>(text: string, params: unknown[] = []) => (await pool().query(text, params)).rows as T[] };

function responseOf(uid: string, allowed: boolean, message: string | null, warnings: string[]): AdmissionReviewResponse {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: {
      uid,
      allowed,
      ...(allowed ? {} : { status: { code: 403 as const, message: message ?? "Vitrine denied the request" } }),
      ...(warnings.length ? { warnings } : {}),
    },
  };
}

/** The namespace's environment (a mapping in Settings, else the namespace's own name) and its trust policy, in one query. */
async function loadEnvironmentPolicy(sql: Sql, namespace: string): Promise<{ environment: string; policy: TrustPolicy }> {
  const [row] = await sql.query<{ environment: string; document: unknown }>(
    `SELECT e.name AS environment, p.document
       FROM (SELECT COALESCE((SELECT value ->> $1::text FROM settings WHERE key = $2), $1::text) AS name) e
       LEFT JOIN trust_policies p ON p.environment = e.name`,
    [namespace, NAMESPACES_SETTING],
  );
  const environment = row?.environment ?? namespace;
  if (row?.document == null) return { environment, policy: defaultPolicy(environment) };
  const parsed = ZTrustPolicy.safeParse(row.document);
  if (parsed.success) return { environment, policy: parsed.data };
  // Stored policies are validated on the way in; should one not read, the built-in default (strict) decides.
  log.error("stored trust policy does not parse; admission uses the built-in default", { environment });
  return { environment, policy: defaultPolicy(environment) };
}

/**
 * Each image's artefact with its policy facts: by digest, or what its tag points at now. Looked up beside the
 * policy rather than after it, so tags are resolved even where the policy refuses them (decideImage ignores those).
 */
async function resolveImages(sql: Sql, review: AdmissionReviewRequest): Promise<Map<string, ImageResolution>> {
  const digests: string[] = [];
  const tags: string[] = [];
  for (const { ref } of review.images) {
    if (!ref) continue;
    if (ref.digest) digests.push(ref.digest);
    else tags.push(tagReferenceOf(ref));
  }
  const out = new Map<string, ImageResolution>();
  if (digests.length === 0 && tags.length === 0) return out;
  const rows = await sql.query<{ via: "digest" | "tag"; key: string; digest: string; artifact_id: string }>(
    `SELECT 'digest' AS via, a.digest AS key, a.digest, a.id AS artifact_id FROM artifacts a WHERE a.digest = ANY($1::text[])
     UNION ALL
     (SELECT DISTINCT ON (t.reference) 'tag', t.reference, h.digest, h.artifact_id
        FROM tags t JOIN tag_history h ON h.tag_id = t.id AND h.valid_to IS NULL
       WHERE t.reference = ANY($2::text[])
       ORDER BY t.reference, h.valid_from DESC)`,
    [digests, tags],
  );
  const facts = await loadArtifactFacts(
    sql,
    rows.map((r) => r.artifact_id),
  );
  const byDigest = new Map(rows.filter((r) => r.via === "digest").map((r) => [r.key, r]));
  const byTag = new Map(rows.filter((r) => r.via === "tag").map((r) => [r.key, r]));
  for (const { image, ref } of review.images) {
    if (!ref) continue;
    const row = ref.digest ? byDigest.get(ref.digest) : byTag.get(tagReferenceOf(ref));
    if (row) out.set(image, { digest: row.digest, artifactId: row.artifact_id, facts: facts.get(row.artifact_id) ?? null });
    else if (ref.digest) out.set(image, { digest: ref.digest, artifactId: null, facts: null });
  }
  return out;
}

type StoredDecision = {
  id: string;
  document_id: string;
  sha256: string;
  allowed: boolean;
  message: string | null;
  images: ImageDecision[];
};

type RecordOptions = { actor: Actor; decision: Decision; body: Uint8Array; sha256: string; contentType: string; now: Date };

/**
 * The decision this uid got before, answered again; a different review under the same uid is a conflict. null when
 * there is none after all (a concurrent identical review rolled back): the caller tries again.
 */
async function replay(sql: Sql, options: RecordOptions): Promise<AdmissionOutcome | null> {
  const { uid } = options.decision.review;
  const [stored] = await sql.query<StoredDecision>(
    `SELECT d.id, d.document_id, doc.sha256, d.allowed, d.message, d.images
       FROM admission_decisions d JOIN documents doc ON doc.id = d.document_id WHERE d.request_uid = $1`,
    [uid],
  );
  if (!stored) return null;
  if (stored.sha256 !== options.sha256) {
    throw new AppError("conflict", `The AdmissionReview uid ${uid} was already decided for a different request`, {
      errors: [{ path: "$.request.uid", message: "was already used by a different AdmissionReview" }],
    });
  }
  return {
    answer: responseOf(uid, stored.allowed, stored.message, admissionWarnings(stored.images)),
    decisionId: stored.id,
    documentId: stored.document_id,
    replayed: true,
  };
}

/**
 * Keeps a decision in one transaction: the review (content-addressed), the decision row (unique per uid: a second
 * review with a decided uid inserts nothing and is answered from the first), the evaluation job, and the ledger
 * entries. Only the ledger append takes the ledger lock, at the end, so concurrent decisions overlap until then.
 */
async function record(sql: Sql, options: RecordOptions): Promise<AdmissionOutcome | null> {
  const { decision, now } = options;
  const { review } = decision;
  const decisionId = uuidv7(now.getTime());
  const [row] = await sql.query<{ document_id: string | null; decided: boolean }>(
    `WITH doc AS (
       INSERT INTO documents (id, sha256, format, route, content_type, size_bytes, token_id, received_at)
       VALUES ($1::uuid, $2, 'admission-review', 'admission', $3, $5, $6::uuid, $7::timestamptz)
       ON CONFLICT DO NOTHING RETURNING id),
     body AS (INSERT INTO document_bodies (document_id, received_at, body) SELECT id, $7::timestamptz, $4::bytea FROM doc),
     doc_id AS (SELECT id FROM doc UNION ALL SELECT id FROM documents WHERE sha256 = $2 LIMIT 1),
     decision AS (
       INSERT INTO admission_decisions (id, document_id, request_uid, environment, namespace, workload_kind, workload_name,
                                        operation, dry_run, allowed, images, message, requested_by, decided_at, duration_ms)
       SELECT $8::uuid, doc_id.id, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18, $19, $7::timestamptz, $20 FROM doc_id
       ON CONFLICT (request_uid) DO NOTHING RETURNING document_id)
     SELECT (SELECT id FROM doc_id) AS document_id, EXISTS (SELECT 1 FROM decision) AS decided`,
    [
      uuidv7(now.getTime()),
      options.sha256,
      options.contentType,
      Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength),
      options.body.byteLength,
      options.actor.kind === "token" ? options.actor.id : null,
      now.toISOString(),
      decisionId,
      review.uid,
      decision.environment,
      review.namespace,
      review.kind,
      review.name ?? review.generateName,
      review.operation,
      review.dryRun,
      decision.allowed,
      JSON.stringify(decision.images),
      decision.message,
      review.username,
      decision.durationMs,
    ],
  );
  if (!row?.decided || !row.document_id) return replay(sql, options);
  const documentId = row.document_id;
  const artifactIds = [...new Set(decision.images.map((i) => i.artifactId).filter((id): id is string => id !== null))];
  const digests = [...new Set(decision.images.map((i) => i.digest).filter((d): d is string => d !== null))];
  if (artifactIds.length) {
    // Run a few seconds later, so the waiting job for the same artefacts absorbs the rest of a rollout's pods.
    const key = createHash("sha256")
      .update([...artifactIds].sort().join(","))
      .digest("hex")
      .slice(0, 32);
    await enqueueJob(sql, {
      kind: "artifacts.changed",
      payload: { artifactIds },
      dedupeKey: `artifacts.changed:${key}`,
      runAt: new Date(now.getTime() + EVALUATION_DELAY_MS),
    });
  }
  if (!decision.allowed) {
    // admission-denied at once (the rule reads recent denials), also for images Vitrine has never seen: without this
    // a denial that names no known artefact waited for the minute's alert sweep.
    await enqueueJob(sql, {
      kind: "artifacts.changed",
      payload: { artifactIds: [] },
      dedupeKey: "artifacts.changed:admission-denied",
      runAt: now,
    });
  }
  const actor = actorRef(options.actor);
  await appendLedgerEntriesSql(sql, [
    {
      kind: "document.accepted",
      actor,
      subject: digests[0] ? `artifact:${digests[0]}` : null,
      documentId,
      payload: {
        sha256: `sha256:${options.sha256}`,
        route: "admission",
        format: "admission-review",
        type: "AdmissionReview",
        uid: review.uid,
        artifacts: digests.slice(0, 100),
      },
      now,
    },
    {
      kind: decision.allowed ? "admission.allowed" : "admission.denied",
      actor,
      subject: `environment:${decision.environment}`,
      documentId,
      payload: {
        decisionId,
        uid: review.uid,
        environment: decision.environment,
        namespace: review.namespace,
        workload: workloadLabel(review),
        operation: review.operation,
        dryRun: review.dryRun,
        allowed: decision.allowed,
        images: decision.images.map((i) => ({ reference: i.reference, digest: i.digest, pass: i.pass, failures: i.failures })),
      } as unknown as JsonValue,
      now,
    },
  ]);
  return {
    answer: responseOf(review.uid, decision.allowed, decision.message, admissionWarnings(decision.images)),
    decisionId,
    documentId,
    replayed: false,
  };
}

/** A unique violation: an identical review committed by a concurrent request in the meantime. */
function isConcurrentDuplicate(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}

/**
 * POST /api/v1/admission/review: decides a Kubernetes AdmissionReview under the trust policy of the namespace's
 * environment, and keeps the decision (the review verbatim as a document, a decision row, ledger entries, and a
 * re-evaluation of the artefacts) in one transaction. A review whose uid was decided before is answered as then.
 */
export async function reviewAdmission(options: {
  actor: Actor;
  body: Uint8Array;
  contentType: string;
  now: Date;
}): Promise<AdmissionOutcome> {
  const started = performance.now();
  if (!isJsonMediaType(options.contentType)) {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be application/json (an AdmissionReview), got "${options.contentType.slice(0, 100) || "none"}"`,
    );
  }
  const document = parseJsonBody(options.body);
  const unstorable = unstorableTextPath(document);
  if (unstorable) {
    throw new AppError("unprocessable", `The AdmissionReview ${UNSTORABLE_MESSAGE}`, {
      errors: [{ path: unstorable, message: UNSTORABLE_MESSAGE }],
    });
  }
  const parsed = parseAdmissionReview(document);
  if (!parsed.ok) throw new AppError("unprocessable", parsed.detail, { errors: parsed.errors });
  const review = parsed.review;

  const [{ environment, policy }, resolutions] = await Promise.all([
    loadEnvironmentPolicy(pooled, review.namespace),
    resolveImages(pooled, review),
  ]);
  const images = review.images.map((image) => decideImage({ image, policy, resolution: resolutions.get(image.image) ?? null }));
  const allowed = images.every((i) => i.pass);
  const decision: Decision = {
    review,
    environment,
    images,
    allowed,
    message: admissionMessage({ workload: workloadLabel(review), namespace: review.namespace, environment, images }),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  };
  const keep: RecordOptions = {
    actor: options.actor,
    decision,
    body: options.body,
    sha256: sha256Hex(options.body),
    contentType: mediaTypeOf(options.contentType),
    now: options.now,
  };
  // Two identical reviews at the same instant: the one that waited sees the other's rows when it tries again.
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await withTransaction((sql) => record(sql, keep));
      if (outcome) return outcome;
    } catch (error) {
      if (attempt >= 3 || !isConcurrentDuplicate(error)) throw error;
    }
    if (attempt >= 3) throw new AppError("conflict", "The AdmissionReview could not be recorded; send it again");
  }
}

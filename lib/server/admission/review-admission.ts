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
import { appendLedgerEntriesSql, lockLedgerSql } from "@/lib/server/ledger/append-ledger-entry";
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

// Decisions wait for the ledger lock in memory, not on a pooled connection (see store-documents.ts).
const globalForTurn = globalThis as unknown as { vitrineAdmissionTurn?: Promise<unknown> };
function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  const previous = globalForTurn.vitrineAdmissionTurn ?? Promise.resolve();
  const run = previous.then(fn, fn);
  globalForTurn.vitrineAdmissionTurn = run.catch(() => undefined);
  return run;
}

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

/** Each image's artefact: by digest, or (where the policy allows tags) what its tag points at now, with policy facts. */
async function resolveImages(sql: Sql, review: AdmissionReviewRequest, policy: TrustPolicy): Promise<Map<string, ImageResolution>> {
  const digests: string[] = [];
  const tags: string[] = [];
  for (const { ref } of review.images) {
    if (!ref) continue;
    if (ref.digest) digests.push(ref.digest);
    else if (!policy.requireDigestPinning) tags.push(tagReferenceOf(ref));
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

async function record(
  sql: Sql,
  options: { actor: Actor; decision: Decision; body: Uint8Array; sha256: string; contentType: string; now: Date },
): Promise<AdmissionOutcome> {
  const { decision, now } = options;
  const { review } = decision;
  // Taken first: the uid check, the rows and the ledger chain see one order.
  await lockLedgerSql(sql);
  const [stored] = await sql.query<StoredDecision>(
    `SELECT d.id, d.document_id, doc.sha256, d.allowed, d.message, d.images
       FROM admission_decisions d JOIN documents doc ON doc.id = d.document_id WHERE d.request_uid = $1`,
    [review.uid],
  );
  if (stored) {
    if (stored.sha256 !== options.sha256) {
      throw new AppError("conflict", `The AdmissionReview uid ${review.uid} was already decided for a different request`, {
        errors: [{ path: "$.request.uid", message: "was already used by a different AdmissionReview" }],
      });
    }
    return {
      answer: responseOf(review.uid, stored.allowed, stored.message, admissionWarnings(stored.images)),
      decisionId: stored.id,
      documentId: stored.document_id,
      replayed: true,
    };
  }
  const tokenId = options.actor.kind === "token" ? options.actor.id : null;
  const [inserted] = await sql.query<{ id: string }>(
    `INSERT INTO documents (id, sha256, format, route, content_type, body, size_bytes, token_id, received_at)
     VALUES ($1::uuid, $2, 'admission-review', 'admission', $3, $4, $5, $6::uuid, $7::timestamptz)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      uuidv7(now.getTime()),
      options.sha256,
      options.contentType,
      Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength),
      options.body.byteLength,
      tokenId,
      now.toISOString(),
    ],
  );
  // Content-addressed: the same bytes already stored are the same document.
  const documentId =
    inserted?.id ?? (await sql.query<{ id: string }>("SELECT id FROM documents WHERE sha256 = $1", [options.sha256]))[0]?.id;
  if (!documentId) throw new AppError("conflict", "The AdmissionReview could not be stored; send it again");
  const decisionId = uuidv7(now.getTime());
  const artifactIds = [...new Set(decision.images.map((i) => i.artifactId).filter((id): id is string => id !== null))];
  const digests = [...new Set(decision.images.map((i) => i.digest).filter((d): d is string => d !== null))];
  await sql.query(
    `INSERT INTO admission_decisions (id, document_id, request_uid, environment, namespace, workload_kind, workload_name, operation,
                                      dry_run, allowed, images, message, requested_by, decided_at, duration_ms)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14::timestamptz, $15)`,
    [
      decisionId,
      documentId,
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
      now.toISOString(),
      decision.durationMs,
    ],
  );
  const actor = actorRef(options.actor);
  await appendLedgerEntriesSql(
    sql,
    [
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
    ],
    { locked: true },
  );
  if (artifactIds.length) {
    // A waiting job for the same artefacts absorbs this one (a rollout sends many identical pods).
    const key = createHash("sha256")
      .update([...artifactIds].sort().join(","))
      .digest("hex")
      .slice(0, 32);
    await enqueueJob(sql, { kind: "artifacts.changed", payload: { artifactIds }, dedupeKey: `artifacts.changed:${key}` });
  }
  return {
    answer: responseOf(review.uid, decision.allowed, decision.message, admissionWarnings(decision.images)),
    decisionId,
    documentId,
    replayed: false,
  };
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

  const { environment, policy } = await loadEnvironmentPolicy(pooled, review.namespace);
  const resolutions = await resolveImages(pooled, review, policy);
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
  const sha256 = sha256Hex(options.body);
  return inTurn(() =>
    withTransaction((sql) =>
      record(sql, {
        actor: options.actor,
        decision,
        body: options.body,
        sha256,
        contentType: mediaTypeOf(options.contentType),
        now: options.now,
      }),
    ),
  );
}

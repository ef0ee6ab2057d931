import "server-only";
import { AppError } from "@/lib/api/errors";
import { parseJsonBody } from "@/lib/api/read-body";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import type { AdaptedDocument } from "@/lib/domain/events";
import { adaptAttestationRequest } from "@/lib/ingest/attestations";
import { adaptCdevent } from "@/lib/ingest/cdevents";
import { adaptVerificationClaim, isVerificationMediaType } from "@/lib/ingest/claims";
import {
  cdeventBindingProblems,
  cdeventFromCloudEvent,
  hasCloudEventHeaders,
  isCloudEventsMediaType,
  isJsonMediaType,
  mediaTypeOf,
  parseCloudEventsRequest,
} from "@/lib/ingest/cloudevents";
import { arrayItemBytes } from "@/lib/ingest/json-spans";
import { adaptRegistryEnvelope, isRegistryMediaType } from "@/lib/ingest/registry";
import { adaptSignatureRequest } from "@/lib/ingest/signatures";
import { UNSTORABLE_MESSAGE, unstorableTextPath } from "@/lib/ingest/text";
import { log } from "@/lib/log";
import { verifyAttestations } from "@/lib/server/verification/verify-attestation";
import { verifySignatures } from "@/lib/server/verification/verify-signature";
import { type BatchAnswer, type IncomingItem, MAX_BATCH_ITEMS, storeDocuments } from "./store-documents";

export type IngestRequest = {
  actor: Actor;
  headers: Headers;
  body: Uint8Array;
  idempotencyKey: string | null;
  now: Date;
};

/** `single`: the request carried one document, answered as one result rather than a batch. */
export type IngestOutcome = { single: boolean; answer: BatchAnswer };

function tooMany(count: number): AppError {
  return new AppError("unprocessable", `A batch holds at most ${MAX_BATCH_ITEMS} documents; this one has ${count}`, {
    errors: [{ path: "$", message: `at most ${MAX_BATCH_ITEMS} items` }],
  });
}

function rejected(detail: string, errors: Array<{ path: string; message: string }>): AdaptedDocument {
  return { ok: false, detail, errors };
}

/** Adapts a parsed document unless it holds text Postgres cannot store (named by its JSON path). */
function adaptStorable(doc: unknown, adapt: (doc: unknown) => AdaptedDocument): AdaptedDocument {
  const path = unstorableTextPath(doc);
  return path ? rejected(`The document ${UNSTORABLE_MESSAGE}`, [{ path, message: UNSTORABLE_MESSAGE }]) : adapt(doc);
}

function lowerCaseHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}

/** POST /api/v1/events: CDEvents JSON, CloudEvents (binary, structured, batch), registry notifications. */
export async function ingestEventsRequest(req: IngestRequest): Promise<IngestOutcome> {
  const contentType = req.headers.get("content-type") ?? "";
  const type = mediaTypeOf(contentType);
  const headers = lowerCaseHeaders(req.headers);
  const store = (items: IncomingItem[]) =>
    storeDocuments({ actor: req.actor, route: "events", items, idempotencyKey: req.idempotencyKey, now: req.now });

  if (isRegistryMediaType(contentType)) {
    const envelope = parseJsonBody(req.body) as { events?: unknown };
    const events = Array.isArray(envelope?.events) ? envelope.events : [];
    if (events.length > MAX_BATCH_ITEMS) throw tooMany(events.length);
    const results = adaptRegistryEnvelope(envelope, { now: req.now });
    // No events to answer one by one (not an envelope, no events array, an empty one): the request is refused whole.
    const unusable = events.length === 0 ? results[0]?.adapted : undefined;
    if (unusable && !unusable.ok) throw new AppError("unprocessable", unusable.detail, { errors: unusable.errors });
    const eventBytes = arrayItemBytes(req.body, { key: "events" });
    const items = results.map(({ index, adapted }) => ({
      index,
      // Each registry event is stored as its own document: its bytes within the envelope, as sent.
      bytes: eventBytes?.[index] && adapted.ok ? eventBytes[index] : req.body,
      contentType: type,
      format: "registry",
      adapted,
    }));
    return { single: false, answer: await store(items) };
  }

  if (isCloudEventsMediaType(contentType) || hasCloudEventHeaders(headers)) {
    const parsed = parseCloudEventsRequest({ headers, contentType, body: req.body });
    if (!parsed.ok) throw new AppError("unprocessable", parsed.detail, { errors: parsed.errors });
    if (parsed.events.length > MAX_BATCH_ITEMS) throw tooMany(parsed.events.length);
    const batchItems = parsed.mode === "batch" ? arrayItemBytes(req.body) : null;
    const items: IncomingItem[] = parsed.events.map((item) => {
      const bytes = batchItems?.[item.index] ?? req.body;
      if (!item.ok)
        return { index: item.index, bytes, contentType: type, format: "cloudevents", adapted: rejected(item.detail, item.errors) };
      const cdevent = cdeventFromCloudEvent(item.event);
      const binding = cdeventBindingProblems(item.event, cdevent);
      const adapted =
        binding.length > 0
          ? rejected("The CloudEvent's attributes disagree with the CDEvent it carries", binding)
          : adaptStorable(cdevent, adaptCdevent);
      return {
        index: item.index,
        bytes,
        contentType: parsed.mode === "binary" ? `${type};cloudevents=binary` : type,
        format: "cloudevents",
        adapted,
      };
    });
    return { single: parsed.mode !== "batch", answer: await store(items) };
  }

  if (!isJsonMediaType(contentType)) {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type "${contentType.slice(0, 100) || "none"}" is not accepted here: send application/json (CDEvents), application/cloudevents+json, application/cloudevents-batch+json, or a registry notification envelope (application/vnd.docker.distribution.events.v1+json or v2+json)`,
    );
  }
  const parsed = parseJsonBody(req.body);
  const single = !Array.isArray(parsed);
  const list: unknown[] = single ? [parsed] : (parsed as unknown[]);
  if (list.length > MAX_BATCH_ITEMS) throw tooMany(list.length);
  const itemBytes = single ? null : arrayItemBytes(req.body);
  const items = list.map((doc, index) => ({
    index,
    bytes: itemBytes?.[index] ?? req.body,
    contentType: type,
    format: "cdevents",
    adapted: adaptStorable(doc, adaptCdevent),
  }));
  return { single, answer: await store(items) };
}

function requireJson(contentType: string): void {
  if (!isJsonMediaType(contentType)) {
    throw new AppError("unsupported_media_type", `Content-Type must be application/json, got "${contentType.slice(0, 100) || "none"}"`);
  }
}

async function ingestJsonDocuments(
  req: IngestRequest,
  route: "signatures" | "attestations",
  adapt: (doc: unknown) => Promise<AdaptedDocument> | AdaptedDocument,
): Promise<IngestOutcome> {
  const contentType = req.headers.get("content-type") ?? "";
  requireJson(contentType);
  const parsed = parseJsonBody(req.body);
  const single = !Array.isArray(parsed);
  const list: unknown[] = single ? [parsed] : (parsed as unknown[]);
  if (list.length > MAX_BATCH_ITEMS) throw tooMany(list.length);
  const itemBytes = single ? null : arrayItemBytes(req.body);
  const items: IncomingItem[] = [];
  for (const [index, doc] of list.entries()) {
    const path = unstorableTextPath(doc);
    const adapted = path ? rejected(`The document ${UNSTORABLE_MESSAGE}`, [{ path, message: UNSTORABLE_MESSAGE }]) : await adapt(doc);
    const format =
      typeof (doc as { format?: unknown })?.format === "string" ? String((doc as { format: string }).format).slice(0, 40) : route;
    items.push({
      index,
      bytes: itemBytes?.[index] ?? req.body,
      contentType: mediaTypeOf(contentType),
      format,
      adapted,
    });
  }
  return { single, answer: await storeDocuments({ actor: req.actor, route, items, idempotencyKey: req.idempotencyKey, now: req.now }) };
}

/**
 * POST /api/v1/signatures: Sigstore bundles, cosign simple signing, OpenPGP, Notary Project JWS.
 * Once stored, each new signature is verified against the trust store (Vitrine's own verdict).
 */
export async function ingestSignaturesRequest(req: IngestRequest): Promise<IngestOutcome> {
  const outcome = await ingestJsonDocuments(req, "signatures", (doc) => adaptSignatureRequest(doc, { now: req.now }));
  const accepted = outcome.answer.results.filter((r) => r.status === "accepted" && r.id).map((r) => r.id as string);
  if (accepted.length) {
    try {
      const ids = (await db().signature.findMany({ where: { documentId: { in: accepted } }, select: { id: true } })).map((s) => s.id);
      await verifySignatures({ ids, now: req.now });
    } catch (error) {
      // The evidence is stored; a verdict can be computed again later (and is, on every trust change).
      log.error("verification after ingestion failed", { error });
    }
  }
  return outcome;
}

/**
 * POST /api/v1/attestations: in-toto Statements in DSSE, in a Sigstore bundle, or bare. Once
 * stored, each new attestation gets Vitrine's own verdict (a bare Statement never verifies).
 */
export async function ingestAttestationsRequest(req: IngestRequest): Promise<IngestOutcome> {
  const outcome = await ingestJsonDocuments(req, "attestations", (doc) => adaptAttestationRequest(doc, { now: req.now }));
  const accepted = outcome.answer.results.filter((r) => r.status === "accepted" && r.id).map((r) => r.id as string);
  if (accepted.length) {
    try {
      const ids = (await db().attestation.findMany({ where: { documentId: { in: accepted } }, select: { id: true } })).map((a) => a.id);
      await verifyAttestations({ ids, now: req.now });
    } catch (error) {
      // The evidence is stored; the queued evaluation of its artefacts judges it again.
      log.error("attestation verification after ingestion failed", { error });
    }
  }
  return outcome;
}

/** POST /api/v1/verifications: cosign verify output, notation inspect, PolicyReports (JSON/YAML), admission decisions. */
export async function ingestVerificationsRequest(req: IngestRequest): Promise<IngestOutcome> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!isVerificationMediaType(contentType)) {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be application/json or application/yaml, got "${contentType.slice(0, 100) || "none"}"`,
    );
  }
  const results = adaptVerificationClaim({ contentType, body: req.body }, { now: req.now });
  if (results.length > MAX_BATCH_ITEMS) throw tooMany(results.length);
  const single = results.length === 1;
  const items: IncomingItem[] = results.map((r) => ({
    index: r.index,
    // One document: the body verbatim; several (a YAML stream, a List): each as its own JSON text.
    bytes: single || r.document === undefined ? req.body : Buffer.from(JSON.stringify(r.document)),
    contentType: mediaTypeOf(contentType),
    format: r.adapted.ok ? r.adapted.documentType.split("/")[0]!.slice(0, 40) : "verification",
    adapted: r.adapted,
  }));
  return {
    single,
    answer: await storeDocuments({ actor: req.actor, route: "verifications", items, idempotencyKey: req.idempotencyKey, now: req.now }),
  };
}

/** The HTTP answer: one document -> 201 accepted / 200 duplicate / 422 problem; a batch -> 200 with per-item results. */
export function ingestResponse(outcome: IngestOutcome): Response {
  if (!outcome.single) return Response.json(outcome.answer, { status: 200 });
  const result = outcome.answer.results[0];
  if (!result) throw new AppError("unprocessable", "The request holds no document");
  if (result.status === "rejected")
    throw new AppError("unprocessable", result.problem?.detail ?? "Invalid document", {
      errors: result.problem?.errors ?? [],
      recorded: true,
    });
  return Response.json(result, { status: result.status === "accepted" ? 201 : 200 });
}

export function readIdempotencyKey(headers: Headers): string | null {
  const key = headers.get("idempotency-key");
  if (key !== null && !/^[\x21-\x7e]{1,200}$/.test(key))
    throw new AppError("bad_request", "Idempotency-Key must be 1-200 visible ASCII characters");
  return key;
}

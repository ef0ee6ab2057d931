import "server-only";
import { parseDocument } from "yaml";
import { AppError, jsonPath } from "@/lib/api/errors";
import { parseJsonBody } from "@/lib/api/read-body";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db, type Prisma } from "@/lib/db/client";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { type TrustPolicy, ZTrustPolicy } from "@/lib/domain/policy";
import { checkPlainJsonValue, mediaTypeOf } from "@/lib/ingest/cloudevents";
import { requestTrustReevaluation } from "@/lib/server/jobs/requests";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";

/** Reads a policy document sent as JSON or YAML (safe YAML: core schema, no custom tags, few aliases). */
export function parsePolicyBody(options: { body: Uint8Array; contentType: string }): unknown {
  const type = mediaTypeOf(options.contentType);
  if (type === "application/json" || type.endsWith("+json")) return parseJsonBody(options.body);
  if (!/^(application|text)\/(x-)?yaml$/.test(type)) {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be application/json or application/yaml, got "${options.contentType.slice(0, 100) || "none"}"`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(options.body);
  } catch {
    throw new AppError("bad_request", "The policy is not valid UTF-8");
  }
  const doc = parseDocument(text, { schema: "core", uniqueKeys: true, customTags: [], prettyErrors: false });
  if (doc.errors.length > 0) throw new AppError("bad_request", `The policy is not valid YAML: ${doc.errors[0]!.message.slice(0, 200)}`);
  // Unknown or explicit tags (e.g. !!binary) only warn in the core schema: a policy has no use for them.
  if (doc.warnings.length > 0)
    throw new AppError("bad_request", `The policy YAML is not plain data: ${doc.warnings[0]!.message.slice(0, 200)}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new AppError("bad_request", `The policy YAML cannot be read: ${(error as Error).message.slice(0, 200)}`);
  }
  // Explicit tags (!!binary, !!timestamp, ...) turn into non-JSON values: a policy is plain data.
  const problem = checkPlainJsonValue(value);
  if (problem) throw new AppError("bad_request", `The policy YAML is not plain data: ${problem}`);
  return value;
}

/** Creates or replaces the policy of an environment; the change is a ledger entry. */
export async function putPolicy(options: {
  actor: Actor;
  environment: string;
  document: unknown;
  source: string;
  now: Date;
}): Promise<TrustPolicy> {
  const raw =
    options.document && typeof options.document === "object" && !Array.isArray(options.document)
      ? (options.document as Record<string, unknown>)
      : null;
  if (!raw) throw new AppError("unprocessable", "A policy must be an object", { errors: [{ path: "$", message: "must be an object" }] });
  if (raw.environment !== undefined && raw.environment !== options.environment) {
    throw new AppError(
      "unprocessable",
      `The document is for environment "${String(raw.environment).slice(0, 100)}", not "${options.environment}"`,
      {
        errors: [{ path: "$.environment", message: `must be ${options.environment} (the environment in the URL)` }],
      },
    );
  }
  const parsed = ZTrustPolicy.safeParse({ ...raw, environment: options.environment });
  if (!parsed.success) {
    throw new AppError("unprocessable", "The policy has invalid fields", {
      errors: parsed.error.issues.slice(0, 50).map((i) => ({ path: jsonPath(i.path), message: i.message })),
    });
  }
  const policy = parsed.data;
  await db().$transaction(async (tx) => {
    const previous = await tx.trustPolicy.findUnique({ where: { environment: policy.environment } });
    await tx.trustPolicy.upsert({
      where: { environment: policy.environment },
      create: {
        environment: policy.environment,
        document: policy as Prisma.InputJsonValue,
        source: options.source,
        updatedAt: options.now,
        updatedBy: actorRef(options.actor),
      },
      update: {
        document: policy as Prisma.InputJsonValue,
        source: options.source,
        updatedAt: options.now,
        updatedBy: actorRef(options.actor),
      },
    });
    await appendLedgerEntry(tx, {
      kind: previous ? "policy.updated" : "policy.created",
      actor: actorRef(options.actor),
      subject: `environment:${policy.environment}`,
      payload: { policy: policy as unknown as JsonValue, previous: (previous?.document ?? null) as JsonValue },
      now: options.now,
    });
    await requestTrustReevaluation(tx, previous ? "policy.updated" : "policy.created");
  });
  return policy;
}

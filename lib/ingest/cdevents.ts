// CDEvents (https://cdevents.dev) v0.5 adapter: a JSON document -> normalised domain events.
// Pure: no database, no clock.
import { z } from "zod";
import type { DomainEvent } from "@/lib/domain/events";
import { referenceFromPurl } from "@/lib/domain/purl";

export type FieldProblem = { path: string; message: string };
export type AdapterResult =
  | { ok: true; eventId: string; eventSource: string; eventType: string; events: DomainEvent[]; notes: string[] }
  | { ok: false; detail: string; errors: FieldProblem[] };

const ZContext = z.object({
  specversion: z.string().regex(/^0\.5\.\d+$/, "must be a CDEvents 0.5.x spec version"),
  id: z.string().min(1).max(256),
  source: z.string().min(1).max(2048),
  type: z
    .string()
    .regex(/^dev\.cdevents\.[a-z]+\.[a-z]+\.\d+\.\d+\.\d+(-[\w.]+)?$/, "must be dev.cdevents.<subject>.<predicate>.<version>"),
  timestamp: z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp" }),
});

const ZArtifactPublished = z.object({
  context: ZContext,
  subject: z.object({
    id: z.string().min(1).max(4096),
    source: z.string().max(2048).optional(),
    content: z
      .object({ user: z.string().max(256).optional() })
      .passthrough()
      .optional(),
  }),
});

function path(p: ReadonlyArray<PropertyKey>): string {
  return `$${p.map((s) => (typeof s === "number" ? `[${s}]` : `.${String(s)}`)).join("")}`;
}

export const SUPPORTED_CDEVENT_TYPES = ["artifact.published"] as const;

export function adaptCdevent(doc: unknown): AdapterResult {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ok: false, detail: "A CDEvent must be a JSON object", errors: [{ path: "$", message: "must be an object" }] };
  }
  const ctx = (doc as { context?: { specversion?: unknown; type?: unknown } }).context;
  if (typeof ctx?.specversion === "string" && /^0\.[0-4]\./.test(ctx.specversion)) {
    return {
      ok: false,
      detail: `CDEvents ${ctx.specversion} is not supported: Vitrine accepts CDEvents 0.5.x (context.specversion "0.5.1")`,
      errors: [{ path: "$.context.specversion", message: "must be 0.5.x" }],
    };
  }
  const typeMatch = typeof ctx?.type === "string" ? /^dev\.cdevents\.([a-z]+)\.([a-z]+)\./.exec(ctx.type) : null;
  const kind = typeMatch ? `${typeMatch[1]}.${typeMatch[2]}` : null;
  if (kind !== null && !(SUPPORTED_CDEVENT_TYPES as readonly string[]).includes(kind)) {
    return {
      ok: false,
      detail: `CDEvents type ${kind} is not ingested by this version of Vitrine (supported: ${SUPPORTED_CDEVENT_TYPES.join(", ")})`,
      errors: [{ path: "$.context.type", message: "unsupported event type" }],
    };
  }
  const parsed = ZArtifactPublished.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      detail: "The CDEvent has invalid fields",
      errors: parsed.error.issues.slice(0, 50).map((i) => ({ path: path(i.path), message: i.message })),
    };
  }
  const { context, subject } = parsed.data;
  const ref = referenceFromPurl(subject.id);
  if (!ref.ok) {
    return {
      ok: false,
      detail: `subject.id is not a usable package URL: ${ref.reason}`,
      errors: [{ path: "$.subject.id", message: ref.reason }],
    };
  }
  const notes: string[] = [];
  if (!ref.ref.pinned) notes.push("the purl carries no digest: kept as evidence, no artefact recorded");
  return {
    ok: true,
    eventId: context.id,
    eventSource: context.source,
    eventType: context.type,
    notes,
    events: [
      {
        type: "artifact.published",
        occurredAt: new Date(context.timestamp),
        digest: ref.ref.digest,
        repository: ref.ref.repository,
        purl: subject.id,
        tag: ref.ref.tag,
      },
    ],
  };
}

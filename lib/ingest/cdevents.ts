// CDEvents (https://cdevents.dev) v0.5 adapter: a JSON document -> normalised domain events.
// Every event is validated against the official v0.5.1 JSON Schemas (bundled in
// cdevents/schemas-0.5.1.json). Pure: no database, no clock.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsImport from "ajv-formats";
import type { AdaptedDocument, ArtifactRef, DomainEvent, SourceRef } from "@/lib/domain/events";
import { referenceFromPurl } from "@/lib/domain/purl";
import bundle from "./cdevents/schemas-0.5.1.json";
import { parseRfc3339 } from "./cloudevents";

type FieldProblem = { path: string; message: string };

type Schema = { $id: string; properties?: { context?: { properties?: { type?: { enum?: string[] } } } } };

// ajv-formats is CommonJS; its default export arrives wrapped under some bundlers.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv2020) => void;

let validators: Map<string, ValidateFunction> | undefined;

function getValidators(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const link of bundle.links as Schema[]) ajv.addSchema(link);
  const map = new Map<string, ValidateFunction>();
  for (const schema of bundle.events as Schema[]) {
    const type = schema.properties?.context?.properties?.type?.enum?.[0];
    if (type) map.set(type, ajv.compile(schema));
  }
  validators = map;
  return map;
}

/** Every event type (with version) this adapter accepts, e.g. dev.cdevents.artifact.published.0.3.0. */
export function supportedCdeventTypes(): string[] {
  return [...getValidators().keys()].sort();
}

function pointerToPath(pointer: string): string {
  if (!pointer) return "$";
  return `$${pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
    .join("")}`;
}

function ajvProblems(errors: ErrorObject[] | null | undefined): FieldProblem[] {
  return (errors ?? []).slice(0, 50).map((e) => {
    let path = pointerToPath(e.instancePath);
    const params = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
    if (e.keyword === "required" && params.missingProperty) path = `${path}.${params.missingProperty}`;
    if (e.keyword === "additionalProperties" && params.additionalProperty) {
      return { path: `${path}.${params.additionalProperty}`, message: "is not allowed here" };
    }
    const message =
      e.keyword === "enum" && params.allowedValues
        ? `must be one of ${params.allowedValues.map(String).join(", ")}`
        : (e.message ?? "is invalid");
    return { path, message };
  });
}

const reject = (detail: string, errors: FieldProblem[]): AdaptedDocument => ({ ok: false, detail, errors });

type Cdevent = {
  context: { specversion: string; id: string; source: string; type: string; timestamp: string };
  subject: { id: string; source?: string; content?: Record<string, unknown> };
};

function artifactFromPurl(purl: string, path: string): { ok: true; ref: ArtifactRef } | { ok: false; problem: FieldProblem } {
  const parsed = referenceFromPurl(purl);
  if (!parsed.ok) return { ok: false, problem: { path, message: parsed.reason } };
  const { ref } = parsed;
  return { ok: true, ref: { digest: ref.digest, repository: ref.repository, tag: ref.tag, raw: purl } };
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

function outcome(v: unknown): "success" | "failure" | "error" | "cancel" | "unknown" {
  return v === "success" || v === "failure" || v === "error" || v === "cancel" ? v : "unknown";
}

/** Adapts one CDEvent. Types without supply-chain meaning are accepted as evidence only. */
export function adaptCdevent(doc: unknown): AdaptedDocument {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return reject("A CDEvent must be a JSON object", [{ path: "$", message: "must be an object" }]);
  }
  const ctx = (doc as { context?: unknown }).context as Record<string, unknown> | undefined;
  if (typeof ctx !== "object" || ctx === null || Array.isArray(ctx)) {
    return reject("A CDEvent needs a context object", [{ path: "$.context", message: "must be an object" }]);
  }
  const specversion = ctx.specversion;
  if (typeof specversion !== "string")
    return reject("context.specversion is missing", [{ path: "$.context.specversion", message: "is required" }]);
  if (!/^0\.5\.\d+$/.test(specversion)) {
    return reject(
      `CDEvents ${specversion.slice(0, 20)} is not supported: Vitrine accepts CDEvents 0.5.x (context.specversion "0.5.1"); upgrade the sender's CDEvents SDK`,
      [{ path: "$.context.specversion", message: "must be 0.5.x" }],
    );
  }
  const type = ctx.type;
  if (typeof type !== "string") return reject("context.type is missing", [{ path: "$.context.type", message: "is required" }]);
  const validate = getValidators().get(type);
  if (!validate) {
    const known = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\./.exec(type);
    const same = known ? supportedCdeventTypes().filter((t) => t.startsWith(`dev.cdevents.${known[1]}.${known[2]}.`)) : [];
    return reject(
      same.length
        ? `CDEvents type ${type.slice(0, 100)} has a version CDEvents 0.5.1 does not define (expected ${same.join(", ")})`
        : `Unknown CDEvents type ${type.slice(0, 100)}`,
      [{ path: "$.context.type", message: same.length ? `must be ${same.join(" or ")}` : "is not a CDEvents 0.5.1 type" }],
    );
  }
  if (!validate(doc)) return reject(`The ${type} event does not match the CDEvents 0.5.1 schema`, ajvProblems(validate.errors));

  const event = doc as Cdevent;
  const { context, subject } = event;
  const at = parseRfc3339(context.timestamp);
  if (!at) {
    return reject("context.timestamp is not a valid time", [
      { path: "$.context.timestamp", message: "must be an RFC 3339 date-time between 1970 and 9999 (UTC)" },
    ]);
  }
  const content = subject.content ?? {};
  const kind = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\./.exec(type);
  const name = kind ? `${kind[1]}.${kind[2]}` : type;
  const ok = (events: DomainEvent[], notes: string[] = []): AdaptedDocument => ({
    ok: true,
    eventId: context.id,
    eventSource: context.source,
    documentType: type,
    events,
    notes,
  });
  const evidenceOnly = (why: string) => ok([], [why]);

  switch (name) {
    case "artifact.packaged":
    case "artifact.published":
    case "artifact.deleted": {
      const ref = artifactFromPurl(subject.id, "$.subject.id");
      if (!ref.ok) return reject(`subject.id is not a usable package URL: ${ref.problem.message}`, [ref.problem]);
      if (!ref.ref.digest) return evidenceOnly("the purl names no digest: kept as evidence, no artefact recorded");
      const change = content.change as { id?: unknown; source?: unknown } | undefined;
      const commit = str(change?.id);
      const source: SourceRef | null =
        commit && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) && str(change?.source)
          ? { repository: String(change?.source), commit }
          : null;
      return ok([
        {
          type:
            name === "artifact.packaged" ? "artifact.packaged" : name === "artifact.published" ? "artifact.published" : "artifact.deleted",
          occurredAt: at,
          artifact: ref.ref,
          kind: ref.ref.raw.startsWith("pkg:oci/") ? "oci_image" : "package",
          source,
        },
        ...(ref.ref.tag && ref.ref.repository && name === "artifact.published"
          ? [{ type: "tag.pushed" as const, occurredAt: at, repository: ref.ref.repository, tag: ref.ref.tag, digest: ref.ref.digest }]
          : []),
      ]);
    }
    case "build.finished":
    case "build.started": {
      const artifactId = str(content.artifactId);
      const outputs: ArtifactRef[] = [];
      if (artifactId) {
        const ref = artifactFromPurl(artifactId, "$.subject.content.artifactId");
        if (!ref.ok) return reject(`subject.content.artifactId is not a usable package URL: ${ref.problem.message}`, [ref.problem]);
        if (ref.ref.digest) outputs.push(ref.ref);
      }
      return ok([
        {
          type: "build.finished",
          occurredAt: at,
          builderId: subject.source ?? context.source,
          invocationId: subject.id,
          buildType: "https://cdevents.dev/build",
          startedAt: name === "build.started" ? at : null,
          finishedAt: name === "build.finished" ? at : null,
          outcome: name === "build.finished" ? "success" : "unknown",
          sources: [],
          inputs: [],
          outputs,
        },
      ]);
    }
    case "pipelinerun.finished":
      return ok([
        {
          type: "build.finished",
          occurredAt: at,
          builderId: str(content.uri) ?? subject.source ?? context.source,
          invocationId: subject.id,
          buildType: str(content.pipelineName) ? `pipeline:${content.pipelineName}` : "https://cdevents.dev/pipelinerun",
          startedAt: null,
          finishedAt: at,
          outcome: outcome(content.outcome),
          sources: [],
          inputs: [],
          outputs: [],
        },
      ]);
    case "change.merged": {
      const repo = content.repository as { id?: unknown; source?: unknown } | undefined;
      const repository = [str(repo?.source), str(repo?.id)].filter(Boolean).join("/") || subject.source || context.source;
      return ok([{ type: "source.committed", occurredAt: at, source: { repository, commit: null, ref: subject.id } }]);
    }
    case "service.deployed":
    case "service.upgraded":
    case "service.rolledback":
    case "service.removed": {
      const env = content.environment as { id?: unknown; source?: unknown } | undefined;
      const environment = str(env?.id);
      if (!environment)
        return reject("subject.content.environment.id is required", [{ path: "$.subject.content.environment.id", message: "is required" }]);
      let artifact: ArtifactRef | null = null;
      const artifactId = str(content.artifactId);
      if (artifactId) {
        const ref = artifactFromPurl(artifactId, "$.subject.content.artifactId");
        if (!ref.ok) return reject(`subject.content.artifactId is not a usable package URL: ${ref.problem.message}`, [ref.problem]);
        artifact = ref.ref;
      }
      const eventType =
        name === "service.deployed"
          ? "deployment.started"
          : name === "service.upgraded"
            ? "deployment.upgraded"
            : name === "service.rolledback"
              ? "deployment.rolledback"
              : "deployment.removed";
      return ok(
        [{ type: eventType, occurredAt: at, environment, cluster: null, namespace: null, workload: subject.id, artifact }],
        artifact && !artifact.digest ? ["the deployment names a tag, not a digest: recorded as not pinned"] : [],
      );
    }
    case "environment.created":
    case "environment.modified":
    case "environment.deleted":
      return ok([
        {
          type:
            name === "environment.created"
              ? "environment.created"
              : name === "environment.modified"
                ? "environment.modified"
                : "environment.deleted",
          occurredAt: at,
          name: str(content.name) ?? subject.id,
          uri: str(content.uri),
        },
      ]);
    case "artifact.signed":
      return evidenceOnly("artifact.signed carries no verifiable signature material: send the signature to POST /api/v1/signatures");
    default:
      return evidenceOnly(`${name} has no supply-chain meaning for Vitrine: kept as evidence`);
  }
}

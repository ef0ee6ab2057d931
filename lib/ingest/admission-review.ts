// Kubernetes AdmissionReview requests (admission.k8s.io/v1) for POST /api/v1/admission/review: which images a
// Pod, or the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob, would run, and
// where. Pure. A malformed review is refused with the JSON path of every bad field; an image whose reference does
// not parse is kept with its reason, so the gate denies it (a refused review would fall to the failurePolicy).
import { z } from "zod";
import { type FieldProblem, issuesToProblems, joinPath } from "./cloudevents";
import { type ImageReference, parseImageReference } from "./image-reference";

/** Where each supported kind keeps its pod spec, and the API group it belongs to. */
export const WORKLOAD_KINDS = {
  Pod: { group: "", podSpec: ["spec"] },
  Deployment: { group: "apps", podSpec: ["spec", "template", "spec"] },
  StatefulSet: { group: "apps", podSpec: ["spec", "template", "spec"] },
  DaemonSet: { group: "apps", podSpec: ["spec", "template", "spec"] },
  ReplicaSet: { group: "apps", podSpec: ["spec", "template", "spec"] },
  Job: { group: "batch", podSpec: ["spec", "template", "spec"] },
  CronJob: { group: "batch", podSpec: ["spec", "jobTemplate", "spec", "template", "spec"] },
} as const satisfies Record<string, { group: string; podSpec: readonly string[] }>;
export type WorkloadKind = keyof typeof WORKLOAD_KINDS;
const KIND_NAMES = Object.keys(WORKLOAD_KINDS) as WorkloadKind[];

export const CONTAINER_FIELDS = ["containers", "initContainers", "ephemeralContainers"] as const;
export type ContainerField = (typeof CONTAINER_FIELDS)[number];

/** A Kubernetes namespace name: an RFC 1123 DNS label. */
export const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const ZNamespaceName = z
  .string()
  .max(63, "at most 63 characters")
  .regex(NAMESPACE_PATTERN, "must be a Kubernetes namespace name (lowercase letters, digits and -, starting and ending alphanumeric)");

export type AdmissionContainer = { name: string; field: ContainerField; path: string };

/** One distinct image of the request, with every container that runs it. */
export type AdmissionImage = {
  /** The image exactly as the pod spec names it. */
  image: string;
  containers: AdmissionContainer[];
  /** null when the reference does not parse; `problem` says why. */
  ref: ImageReference | null;
  problem: string | null;
};

export type AdmissionReviewRequest = {
  uid: string;
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  dryRun: boolean;
  namespace: string;
  /** The object's kind: one of WORKLOAD_KINDS for CREATE and UPDATE; whatever was sent for DELETE and CONNECT. */
  kind: string;
  name: string | null;
  generateName: string | null;
  subResource: string | null;
  /** userInfo.username: who asked the API server. */
  username: string | null;
  /** Empty for DELETE and CONNECT: nothing new would run. */
  images: AdmissionImage[];
};

export type AdmissionReviewParse = { ok: true; review: AdmissionReviewRequest } | { ok: false; detail: string; errors: FieldProblem[] };

const ZEnvelope = z.looseObject({
  apiVersion: z.literal("admission.k8s.io/v1", { error: "must be admission.k8s.io/v1" }),
  kind: z.literal("AdmissionReview", { error: "must be AdmissionReview" }),
  request: z.looseObject(
    {
      uid: z
        .string()
        .min(1)
        .max(128, "at most 128 characters")
        .regex(/^[A-Za-z0-9][\w.:-]*$/, "must be the request's uid (letters, digits, - _ . :)"),
      kind: z.looseObject({
        group: z.string().max(253),
        version: z.string().max(63),
        kind: z.string().min(1).max(63),
      }),
      operation: z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]),
      namespace: ZNamespaceName.optional(),
      name: z.string().max(253).optional(),
      subResource: z.string().max(253).optional(),
      dryRun: z.boolean().optional(),
      object: z.unknown().optional(),
      userInfo: z.looseObject({ username: z.string().max(1000).optional() }).optional(),
    },
    { error: "must be the admission request (an object)" },
  ),
});

const ZContainer = z.looseObject({
  name: z.string().min(1).max(253),
  image: z.string({ error: "must name the container's image" }).min(1, "must name the container's image").max(1024),
});

const ZPodSpec = z.looseObject({
  containers: z.array(ZContainer, { error: "must list the pod's containers" }).min(1, "a pod runs at least one container").max(500),
  initContainers: z.array(ZContainer).max(500).nullish(),
  ephemeralContainers: z.array(ZContainer).max(500).nullish(),
});

const ZMetadata = z
  .looseObject({
    name: z.string().max(253).optional(),
    generateName: z.string().max(253).optional(),
    namespace: z.string().max(63).optional(),
  })
  .optional();

/** The object schema of a kind: metadata, and the pod spec nested where the kind keeps it. */
function objectSchema(kind: WorkloadKind): z.ZodType {
  const [top, ...rest] = WORKLOAD_KINDS[kind].podSpec;
  let inner: z.ZodType = ZPodSpec;
  for (const key of [...rest].reverse()) inner = z.looseObject({ [key]: inner });
  return z.looseObject({ [top]: inner, kind: z.string().optional(), metadata: ZMetadata });
}
const OBJECT_SCHEMAS = new Map(KIND_NAMES.map((k) => [k, objectSchema(k)]));

type Container = z.infer<typeof ZContainer>;
type PodSpec = z.infer<typeof ZPodSpec>;

function podSpecOf(object: unknown, kind: WorkloadKind): PodSpec {
  let at = object as Record<string, unknown>;
  for (const key of WORKLOAD_KINDS[kind].podSpec) at = at[key] as Record<string, unknown>;
  return at as PodSpec;
}

function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (KIND_NAMES as string[]).includes(kind);
}

const fail = (detail: string, errors: FieldProblem[]): AdmissionReviewParse => ({ ok: false, detail, errors });

export function parseAdmissionReview(document: unknown): AdmissionReviewParse {
  const envelope = ZEnvelope.safeParse(document);
  if (!envelope.success) return fail("The AdmissionReview has invalid fields", issuesToProblems("$", envelope.error.issues));
  const request = envelope.data.request;
  const kind = request.kind.kind;
  const inspects = request.operation === "CREATE" || request.operation === "UPDATE";
  const base = "$.request.object";
  let metadata: { name?: string; generateName?: string; namespace?: string } = {};
  const images = new Map<string, AdmissionImage>();

  if (inspects) {
    if (!isWorkloadKind(kind)) {
      return fail(`Vitrine reviews ${KIND_NAMES.join(", ")}; this request is for a ${kind.slice(0, 63)}`, [
        { path: "$.request.kind.kind", message: `must be one of ${KIND_NAMES.join(", ")}` },
      ]);
    }
    const group = WORKLOAD_KINDS[kind].group;
    if (request.kind.group !== group) {
      return fail(`A ${kind} belongs to the API group "${group}"`, [
        { path: "$.request.kind.group", message: `must be "${group}" for ${kind}` },
      ]);
    }
    if (request.object === null || typeof request.object !== "object" || Array.isArray(request.object)) {
      return fail(`A ${request.operation} review must carry the ${kind} as request.object`, [
        { path: base, message: `must be the ${kind} being admitted` },
      ]);
    }
    const parsed = OBJECT_SCHEMAS.get(kind)!.safeParse(request.object);
    if (!parsed.success) return fail(`The ${kind} in the AdmissionReview has invalid fields`, issuesToProblems(base, parsed.error.issues));
    const object = parsed.data as { kind?: string; metadata?: typeof metadata };
    if (object.kind !== undefined && object.kind !== kind) {
      return fail("request.object is not the kind the request names", [
        { path: `${base}.kind`, message: `must be ${kind}, as request.kind says` },
      ]);
    }
    metadata = object.metadata ?? {};
    const spec = podSpecOf(request.object, kind);
    const specPath = WORKLOAD_KINDS[kind].podSpec.reduce<string>(joinPath, base);
    for (const field of CONTAINER_FIELDS) {
      const list: Container[] = spec[field] ?? [];
      list.forEach((container, index) => {
        const entry = { name: container.name, field, path: `${specPath}.${field}[${index}].image` };
        const seen = images.get(container.image);
        if (seen) {
          seen.containers.push(entry);
          return;
        }
        const ref = parseImageReference(container.image);
        images.set(container.image, {
          image: container.image,
          containers: [entry],
          ref: ref.ok ? ref.ref : null,
          problem: ref.ok ? null : ref.reason,
        });
      });
    }
  } else if (request.object && typeof request.object === "object") {
    const meta = (request.object as { metadata?: unknown }).metadata;
    if (meta && typeof meta === "object") metadata = meta as typeof metadata;
  }

  const namespace = request.namespace ?? (typeof metadata.namespace === "string" ? metadata.namespace : undefined);
  if (namespace === undefined) {
    return fail("The AdmissionReview names no namespace", [{ path: "$.request.namespace", message: "must name the namespace" }]);
  }
  const checked = ZNamespaceName.safeParse(namespace);
  if (!checked.success) return fail("The namespace is not valid", issuesToProblems(`${base}.metadata.namespace`, checked.error.issues));

  const text = (v: unknown) => (typeof v === "string" && v.length > 0 ? v.slice(0, 253) : null);
  return {
    ok: true,
    review: {
      uid: request.uid,
      operation: request.operation,
      dryRun: request.dryRun ?? false,
      namespace,
      kind,
      name: text(request.name) ?? text(metadata.name),
      generateName: text(metadata.generateName),
      subResource: request.subResource ?? null,
      username: request.userInfo?.username ?? null,
      images: [...images.values()],
    },
  };
}

/** How a workload is written in messages and lists: "Deployment/web", "Pod/web-7d9f-*" (generateName). */
export function workloadLabel(review: Pick<AdmissionReviewRequest, "kind" | "name" | "generateName">): string {
  return `${review.kind}/${review.name ?? (review.generateName ? `${review.generateName}*` : "(unnamed)")}`;
}

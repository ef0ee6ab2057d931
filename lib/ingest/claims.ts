// What external verifiers said (POST /api/v1/verifications) -> VerificationClaimed events, kept apart from Vitrine's
// own verdicts. One body may carry several documents (a YAML stream, a List, a JSON array of documents): the answer
// is one result per document, so one bad document is refused and the others kept. Formats, detected by shape:
//
// - `cosign verify --output json`: a JSON array of { critical: { identity: { docker-reference }, image:
//   { docker-manifest-digest }, type }, optional }. cosign prints only signatures it verified, so each item is a
//   "pass" claim; identity = optional.Subject, issuer = optional.Issuer (else the Fulcio issuer OIDs).
// - `notation inspect --output json`: { mediaType, signatures: [...] }. inspect lists signatures WITHOUT verifying
//   them, so each signature becomes a "skip" claim naming the signer (certificates[0].issuedTo/issuedBy): evidence
//   that a signature exists, never a pass. Vitrine verifies Notary Project signatures itself.
// - Policy reports: wgpolicyk8s.io/v1alpha2|v1beta1 PolicyReport/ClusterPolicyReport, openreports.io/v1alpha1
//   Report/ClusterReport, reports.kyverno.io/v1 EphemeralReport/ClusterEphemeralReport (results under spec), alone,
//   in a YAML stream or in a `kind: List`. One claim per result. A report without results (a partial report, e.g. a
//   chainsaw assert) is kept as evidence with no claims. Results name the workload, not the image: the image is taken
//   from result.properties (image, imageRef, imageReference, images) or else from the first token of the message that
//   parses as a registry-qualified or digest-pinned image reference (Kyverno writes "verified image signatures for
//   <image>" and "failed to verify image <image>: ..."). Claims without an image have artifact and reference null.
//   eventId is metadata.uid + "/" + metadata.resourceVersion when both are present: Kubernetes updates reports in place,
//   so the uid alone would make every later version a duplicate.
// - A plain admission decision, defined by Vitrine:
//     { "apiVersion": "vitrine.dev/v1", "kind": "AdmissionDecision",
//       "verifier": "<who decided, e.g. sigstore-policy-controller>", "allowed": true | false,
//       "image": "<image reference, ideally digest-pinned>",
//       "policy"?: string, "message"?: string, "namespace"?: string, "environment"?: string,
//       "time"?: "<RFC 3339; default: when received>", "id"?: "<stable id, e.g. the AdmissionReview uid>" }
//   -> one claim, pass when allowed, fail when denied. With `id`, the decision is de-duplicated on it.
//
// Content types: application/json (and +json), application/yaml, application/x-yaml, text/yaml, text/x-yaml.
// YAML is read safely: YAML 1.2 core schema, no custom tags (an explicit tag refuses the document), unique keys, at
// most 50 alias expansions (billion laughs), at most 64 levels of nesting. Pure: `now` stands in for missing times.
import { LineCounter, parseAllDocuments } from "yaml";
import { z } from "zod";
import { parseDigest } from "@/lib/domain/digest";
import type { AdaptedDocument, ArtifactRef, DomainEvent, VerificationClaimed } from "@/lib/domain/events";
import {
  checkPlainJsonValue,
  decodeUtf8,
  type FieldProblem,
  isJsonMediaType,
  issuesToProblems,
  joinPath,
  mediaTypeOf,
  parseJsonText,
  parseRfc3339,
} from "./cloudevents";
import { artifactRefFromImage, type ImageReference, parseImageReference } from "./image-reference";

export type ClaimResult = {
  /** Position among the documents found in the body (YAML documents and List/array items, in order; empty YAML documents are skipped). */
  index: number;
  adapted: AdaptedDocument;
  /** The document as parsed (plain JSON value) when it could be read; undefined otherwise. */
  document?: unknown;
};

export const VERIFICATION_MEDIA_TYPES = ["application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"] as const;
export const MAX_CLAIM_DOCUMENTS = 1000;
const MAX_ALIAS_COUNT = 50;
const EXPECTED =
  "cosign verify --output json (an array of signatures), notation inspect --output json, a PolicyReport/ClusterPolicyReport " +
  '(wgpolicyk8s.io, openreports.io, reports.kyverno.io) or { "apiVersion": "vitrine.dev/v1", "kind": "AdmissionDecision" }';

function isYamlMediaType(contentType: string): boolean {
  const type = mediaTypeOf(contentType);
  return (
    type === "application/yaml" || type === "application/x-yaml" || type === "text/yaml" || type === "text/x-yaml" || type.endsWith("+yaml")
  );
}

/** True for the content types adaptVerificationClaim reads. */
export function isVerificationMediaType(contentType: string): boolean {
  return isJsonMediaType(contentType) || isYamlMediaType(contentType);
}

type Rejected = { ok: false; detail: string; errors: FieldProblem[] };
type Located = { value: unknown; base: string };
type ReadDocument = ({ ok: true } & Located) | Rejected;

function rejected(detail: string, errors: FieldProblem[]): Rejected {
  return { ok: false, detail, errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the body
// ---------------------------------------------------------------------------------------------------------------

function readYaml(text: string): ReadDocument[] | Rejected {
  const lineCounter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      version: "1.2",
      schema: "core",
      uniqueKeys: true,
      strict: true,
      prettyErrors: false,
      merge: false,
    });
  } catch (error) {
    return rejected(`The YAML could not be read: ${error instanceof Error ? error.message.slice(0, 200) : "unknown error"}`, [
      { path: "$", message: "must be valid YAML" },
    ]);
  }
  if (docs.length > MAX_CLAIM_DOCUMENTS) {
    return rejected(`The YAML stream holds ${docs.length} documents; at most ${MAX_CLAIM_DOCUMENTS} are accepted`, [
      { path: "$", message: `at most ${MAX_CLAIM_DOCUMENTS} documents` },
    ]);
  }
  const out: ReadDocument[] = [];
  docs.forEach((doc, position) => {
    const where = docs.length > 1 ? ` (document ${position + 1} of the YAML stream)` : "";
    const trouble = [...doc.errors, ...doc.warnings][0];
    if (trouble) {
      const at = lineCounter.linePos(trouble.pos[0]);
      const message = trouble.code === "TAG_RESOLVE_FAILED" ? "custom YAML tags are not accepted" : trouble.message.slice(0, 200);
      out.push(rejected(`The YAML is not valid${where}: line ${at.line}, column ${at.col}: ${message}`, [{ path: "$", message }]));
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const bomb = error instanceof ReferenceError && /alias/i.test(error.message);
      const message = bomb
        ? `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT}); refused as a resource-exhaustion attempt`
        : `the YAML could not be converted: ${error instanceof Error ? error.message.slice(0, 200) : "unknown error"}`;
      out.push(rejected(`The YAML is refused${where}: ${message}`, [{ path: "$", message }]));
      return;
    }
    if (value === null || value === undefined) return; // an empty document ("---" alone)
    const problem = checkPlainJsonValue(value);
    if (problem !== null) {
      const message = /plain objects/.test(problem) ? `${problem} (explicit YAML tags such as !!binary are not accepted)` : problem;
      out.push(rejected(`The YAML document is refused${where}: ${message}`, [{ path: "$", message }]));
      return;
    }
    out.push({ ok: true, value, base: "$" });
  });
  if (out.length === 0) return rejected("The YAML holds no documents", [{ path: "$", message: "must hold a document" }]);
  return out;
}

function readBody(input: { contentType: string; body: Uint8Array }): ReadDocument[] | Rejected {
  const json = isJsonMediaType(input.contentType);
  if (!json && !isYamlMediaType(input.contentType)) {
    return rejected(
      `Content-Type ${mediaTypeOf(input.contentType).slice(0, 80) || "(none)"} is not accepted here: send ${VERIFICATION_MEDIA_TYPES.join(", ")}`,
      [{ path: "header content-type", message: "must be JSON or YAML" }],
    );
  }
  if (input.body.byteLength === 0) return rejected("The body is empty", [{ path: "$", message: "must hold a document" }]);
  const decoded = decodeUtf8(input.body);
  if (!decoded.ok) return decoded;
  if (!json) return readYaml(decoded.text);
  const parsed = parseJsonText(decoded.text);
  if (!parsed.ok) return parsed;
  const problem = checkPlainJsonValue(parsed.value);
  if (problem !== null) return rejected(`The JSON document is refused: ${problem}`, [{ path: "$", message: problem }]);
  return [{ ok: true, value: parsed.value, base: "$" }];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A kind: List, or a JSON array of Kubernetes-style documents, stands for its items; a cosign array stays whole. */
function expand(doc: Located): ReadDocument[] {
  const { value, base } = doc;
  if (Array.isArray(value) && value.length > 0 && !value.every((item) => isObject(item) && "critical" in item)) {
    if (value.every((item) => isObject(item) && typeof item.kind === "string")) {
      return value.map((item, i) => ({ ok: true, value: item, base: joinPath(base, i) }));
    }
  }
  if (isObject(value) && value.kind === "List" && Array.isArray(value.items) && value.items.length > 0) {
    const items = value.items;
    return items.map((item, i) => ({ ok: true, value: item, base: joinPath(joinPath(base, "items"), i) }));
  }
  return [{ ok: true, value, base }];
}

// ---------------------------------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------------------------------

function claim(
  fields: Partial<VerificationClaimed> & Pick<VerificationClaimed, "occurredAt" | "verifier" | "result">,
): VerificationClaimed {
  return {
    type: "verification.claimed",
    artifact: null,
    reference: null,
    policy: null,
    rule: null,
    message: null,
    environment: null,
    namespace: null,
    ...fields,
  };
}

function text(value: unknown, max = 2048): string | null {
  return typeof value === "string" && value.length > 0 ? value.slice(0, max) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// cosign verify --output json
// ---------------------------------------------------------------------------------------------------------------

/** The critical.type spellings: cosign's own, the Sigstore URI form (cosign v3) and the containers/image ("atomic") one. */
export const COSIGN_CRITICAL_TYPES = [
  "cosign container image signature",
  "https://sigstore.dev/cosign/sign/v1",
  "atomic container signature",
] as const;

const ZCosignItem = z.looseObject({
  critical: z.looseObject({
    identity: z.looseObject({ "docker-reference": z.string().min(1).max(1024) }),
    image: z.looseObject({ "docker-manifest-digest": z.string().min(1).max(200) }),
    type: z.string().max(200),
  }),
  optional: z.record(z.string(), z.unknown()).nullish(),
});

const FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
const FULCIO_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";

function adaptCosign(items: unknown[], base: string, now: Date): AdaptedDocument {
  const events: DomainEvent[] = [];
  const problems: FieldProblem[] = [];
  items.forEach((item, i) => {
    const at = joinPath(base, i);
    const parsed = ZCosignItem.safeParse(item);
    if (!parsed.success) {
      problems.push(...issuesToProblems(at, parsed.error.issues));
      return;
    }
    const { critical, optional } = parsed.data;
    if (!(COSIGN_CRITICAL_TYPES as readonly string[]).includes(critical.type)) {
      problems.push({ path: `${at}.critical.type`, message: `must be one of: ${COSIGN_CRITICAL_TYPES.join(", ")}` });
    }
    const digest = parseDigest(critical.image["docker-manifest-digest"]);
    if (!digest.ok) problems.push({ path: `${at}.critical.image["docker-manifest-digest"]`, message: digest.reason });
    const dockerReference = critical.identity["docker-reference"];
    const ref = parseImageReference(dockerReference);
    if (!ref.ok) problems.push({ path: `${at}.critical.identity["docker-reference"]`, message: ref.reason });
    else if (digest.ok && ref.ref.digest !== null && ref.ref.digest !== digest.digest) {
      problems.push({
        path: `${at}.critical.identity["docker-reference"]`,
        message: "names a different digest than docker-manifest-digest",
      });
    }
    if (!digest.ok || !ref.ok) return;
    const artifact: ArtifactRef = { digest: digest.digest, repository: ref.ref.name, tag: ref.ref.tag, raw: dockerReference };
    events.push(
      claim({
        occurredAt: now,
        verifier: "cosign",
        result: "pass",
        artifact,
        reference: dockerReference,
        message: "cosign verify reported this signature as verified",
        identity: text(optional?.Subject),
        issuer: text(optional?.Issuer) ?? text(optional?.[FULCIO_ISSUER_V2]) ?? text(optional?.[FULCIO_ISSUER_V1]),
      }),
    );
  });
  if (problems.length > 0) return { ok: false, detail: "The cosign verify output has invalid entries", errors: problems.slice(0, 50) };
  return { ok: true, eventId: null, eventSource: null, documentType: "cosign/verify", events, notes: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// notation inspect --output json
// ---------------------------------------------------------------------------------------------------------------

const ZNotationInspect = z.looseObject({
  mediaType: z.string().max(255).nullish(),
  signatures: z
    .array(
      z.looseObject({
        mediaType: z.string().max(255).nullish(),
        digest: z.string().max(200).nullish(),
        signatureAlgorithm: z.string().max(100).nullish(),
        signedAttributes: z
          .looseObject({
            signingScheme: z.string().max(200).nullish(),
            signingTime: z.string().max(64).nullish(),
            expiry: z.string().max(64).nullish(),
          })
          .nullish(),
        certificates: z
          .array(
            z.looseObject({
              SHA256Fingerprint: z.string().max(200).nullish(),
              issuedTo: z.string().max(2048).nullish(),
              issuedBy: z.string().max(2048).nullish(),
              expiry: z.string().max(64).nullish(),
            }),
          )
          .max(100)
          .nullish(),
        signedArtifact: z.looseObject({
          mediaType: z.string().max(255).nullish(),
          digest: z.string().min(1).max(200),
          size: z.number().int().nonnegative().nullish(),
        }),
      }),
    )
    .max(1000),
});

function adaptNotation(value: unknown, base: string, now: Date): AdaptedDocument {
  const parsed = ZNotationInspect.safeParse(value);
  if (!parsed.success)
    return { ok: false, detail: "The notation inspect output has invalid fields", errors: issuesToProblems(base, parsed.error.issues) };
  const events: DomainEvent[] = [];
  const problems: FieldProblem[] = [];
  parsed.data.signatures.forEach((signature, i) => {
    const at = `${base}.signatures[${i}]`;
    if (signature.digest) {
      const own = parseDigest(signature.digest);
      if (!own.ok) problems.push({ path: `${at}.digest`, message: own.reason });
    }
    const digest = parseDigest(signature.signedArtifact.digest);
    if (!digest.ok) {
      problems.push({ path: `${at}.signedArtifact.digest`, message: digest.reason });
      return;
    }
    const leaf = signature.certificates?.[0];
    const details = [
      signature.signedAttributes?.signingScheme ? `signing scheme ${signature.signedAttributes.signingScheme}` : null,
      signature.signedAttributes?.signingTime ? `signed ${signature.signedAttributes.signingTime}` : null,
      leaf?.SHA256Fingerprint ? `certificate sha256 ${leaf.SHA256Fingerprint}` : null,
    ].filter((d): d is string => d !== null);
    events.push(
      claim({
        occurredAt: now,
        verifier: "notation",
        result: "skip",
        artifact: { digest: digest.digest, repository: null, tag: null, raw: digest.digest },
        message: `notation inspect lists signatures without verifying them${details.length ? ` (${details.join(", ")})` : ""}`,
        identity: text(leaf?.issuedTo),
        issuer: text(leaf?.issuedBy),
      }),
    );
  });
  if (problems.length > 0) return { ok: false, detail: "The notation inspect output has invalid digests", errors: problems.slice(0, 50) };
  const notes = ["notation inspect does not verify: its signatures are recorded as skipped claims; Vitrine verifies them itself"];
  if (events.length === 0) notes.push("no signatures listed: kept as evidence");
  return { ok: true, eventId: null, eventSource: null, documentType: "notation/inspect", events, notes };
}

// ---------------------------------------------------------------------------------------------------------------
// Policy reports (Kyverno and other wgpolicyk8s.io / openreports.io producers)
// ---------------------------------------------------------------------------------------------------------------

const REPORT_KINDS: Record<string, readonly string[]> = {
  "wgpolicyk8s.io/v1alpha2": ["PolicyReport", "ClusterPolicyReport"],
  "wgpolicyk8s.io/v1beta1": ["PolicyReport", "ClusterPolicyReport"],
  "openreports.io/v1alpha1": ["Report", "ClusterReport"],
  "reports.kyverno.io/v1": ["EphemeralReport", "ClusterEphemeralReport"],
};
const ALL_REPORT_KINDS = new Set(Object.values(REPORT_KINDS).flat());

const ZText = (max: number) => z.string().max(max).nullish();

const ZReportResult = z.looseObject({
  policy: z.string().min(1, "must name the policy").max(512),
  rule: ZText(512),
  result: z.enum(["pass", "fail", "warn", "error", "skip"], { error: "must be pass, fail, warn, error or skip" }),
  message: ZText(65536),
  source: ZText(256),
  timestamp: z
    .looseObject({ seconds: z.number().int().nonnegative().max(1e11), nanos: z.number().int().min(0).max(999_999_999).nullish() })
    .nullish(),
  properties: z.record(z.string(), z.unknown()).nullish(),
  resources: z.array(z.looseObject({ namespace: ZText(253) })).nullish(),
});

const ZReport = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z
    .looseObject({
      name: ZText(253),
      namespace: ZText(253),
      uid: ZText(128),
      resourceVersion: ZText(128),
      creationTimestamp: ZText(64),
    })
    .nullish(),
  scope: z.looseObject({ namespace: ZText(253) }).nullish(),
  results: z.array(z.unknown()).max(10_000).nullish(),
  spec: z.looseObject({ results: z.array(z.unknown()).max(10_000).nullish() }).nullish(),
});

const IMAGE_PROPERTY_KEYS = ["image", "imageRef", "imageReference", "images"];

/** An image reference as a policy result names it; only registry-qualified or digest-pinned tokens count in prose. */
function imageInResult(properties: Record<string, unknown> | null | undefined, message: string | null | undefined): ImageReference | null {
  for (const key of IMAGE_PROPERTY_KEYS) {
    const value = properties?.[key];
    if (typeof value !== "string") continue;
    for (const token of value.split(/[\s,]+/)) {
      const parsed = token ? parseImageReference(token) : null;
      if (parsed?.ok) return parsed.ref;
    }
  }
  if (!message) return null;
  for (const word of message.slice(0, 4096).split(/\s+/)) {
    const token = word.replace(/^["'(<[]+/, "").replace(/[:;,.)'">\]]+$/, "");
    const slash = token.indexOf("/");
    const first = slash > 0 ? token.slice(0, slash) : "";
    const qualified = first.includes(".") || first.includes(":") || first === "localhost";
    if (!qualified && !/@sha(256|512):/.test(token)) continue;
    const parsed = parseImageReference(token);
    if (parsed.ok) return parsed.ref;
  }
  return null;
}

function timeOfResult(timestamp: { seconds: number; nanos?: number | null } | null | undefined, fallback: Date): Date {
  if (!timestamp) return fallback;
  return new Date(timestamp.seconds * 1000 + Math.floor((timestamp.nanos ?? 0) / 1_000_000));
}

function adaptReport(value: Record<string, unknown>, base: string, now: Date): AdaptedDocument {
  const parsed = ZReport.safeParse(value);
  if (!parsed.success)
    return { ok: false, detail: "The policy report has invalid fields", errors: issuesToProblems(base, parsed.error.issues) };
  const report = parsed.data;
  const kinds = REPORT_KINDS[report.apiVersion];
  if (!kinds?.includes(report.kind)) {
    return {
      ok: false,
      detail: `${report.kind} ${report.apiVersion.slice(0, 60)} is not a supported policy report (${Object.entries(REPORT_KINDS)
        .map(([api, k]) => `${api} ${k.join("/")}`)
        .join(", ")})`,
      errors: [{ path: `${base}.apiVersion`, message: "unsupported apiVersion for this kind" }],
    };
  }
  const group = report.apiVersion.split("/")[0] as string;
  const documentType = `${group}/${report.kind}`;
  const uid = report.metadata?.uid;
  const resourceVersion = report.metadata?.resourceVersion;
  const eventId = uid && resourceVersion ? `${uid}/${resourceVersion}` : null;
  const eventSource = eventId ? `kubernetes:${documentType}` : null;
  const inSpec = report.results === undefined || report.results === null;
  const rawResults = inSpec ? report.spec?.results : report.results;
  const resultsBase = inSpec && report.spec?.results ? `${base}.spec.results` : `${base}.results`;
  if (!rawResults || rawResults.length === 0) {
    return {
      ok: true,
      eventId,
      eventSource,
      documentType,
      events: [],
      notes: ["the report has no results (a partial report?): kept as evidence, no claims recorded"],
    };
  }
  const created = parseRfc3339(report.metadata?.creationTimestamp ?? undefined) ?? now;
  const reportNamespace = report.metadata?.namespace || report.scope?.namespace || null;
  const events: DomainEvent[] = [];
  const problems: FieldProblem[] = [];
  let withoutImage = 0;
  rawResults.forEach((raw, i) => {
    const at = `${resultsBase}[${i}]`;
    const result = ZReportResult.safeParse(raw);
    if (!result.success) {
      problems.push(...issuesToProblems(at, result.error.issues));
      return;
    }
    const r = result.data;
    const image = imageInResult(r.properties, r.message);
    if (image === null) withoutImage++;
    const source = r.source ?? null;
    events.push(
      claim({
        occurredAt: timeOfResult(r.timestamp, created),
        verifier: source === null || /kyverno/i.test(source) ? "kyverno" : source,
        result: r.result,
        artifact: image ? artifactRefFromImage(image) : null,
        reference: image?.raw ?? null,
        policy: r.policy,
        rule: r.rule || null,
        message: r.message || null,
        namespace: reportNamespace ?? r.resources?.find((res) => res.namespace)?.namespace ?? null,
      }),
    );
  });
  if (problems.length > 0) return { ok: false, detail: "The policy report has invalid results", errors: problems.slice(0, 50) };
  const notes: string[] = [];
  if (withoutImage > 0) notes.push(`${withoutImage} of ${events.length} results name no image: those claims carry no artefact`);
  return { ok: true, eventId, eventSource, documentType, events, notes };
}

// ---------------------------------------------------------------------------------------------------------------
// Admission decision (vitrine.dev/v1)
// ---------------------------------------------------------------------------------------------------------------

const ZAdmissionDecision = z.looseObject({
  apiVersion: z.literal("vitrine.dev/v1", { error: 'must be "vitrine.dev/v1"' }),
  kind: z.literal("AdmissionDecision"),
  id: z.string().min(1).max(256).nullish(),
  verifier: z.string().min(1, "must name the verifier").max(100),
  allowed: z.boolean({ error: "must be true or false" }),
  image: z.string().min(1, "must name the image").max(1024),
  policy: ZText(512),
  message: ZText(4096),
  namespace: ZText(253),
  environment: ZText(100),
  time: ZText(64),
});

function adaptAdmission(value: unknown, base: string, now: Date): AdaptedDocument {
  const parsed = ZAdmissionDecision.safeParse(value);
  if (!parsed.success)
    return { ok: false, detail: "The admission decision has invalid fields", errors: issuesToProblems(base, parsed.error.issues) };
  const d = parsed.data;
  const problems: FieldProblem[] = [];
  const image = parseImageReference(d.image);
  if (!image.ok) problems.push({ path: `${base}.image`, message: image.reason });
  let occurredAt = now;
  if (d.time) {
    const time = parseRfc3339(d.time);
    if (time === null) problems.push({ path: `${base}.time`, message: "must be an RFC 3339 timestamp" });
    else occurredAt = time;
  }
  if (problems.length > 0 || !image.ok) return { ok: false, detail: "The admission decision has invalid fields", errors: problems };
  const notes = image.ref.digest === null ? ["the image is not digest-pinned: a mutable reference"] : [];
  return {
    ok: true,
    eventId: d.id ?? null,
    eventSource: d.id ? `admission:${d.verifier}` : null,
    documentType: "vitrine.dev/AdmissionDecision",
    events: [
      claim({
        occurredAt,
        verifier: d.verifier,
        result: d.allowed ? "pass" : "fail",
        artifact: artifactRefFromImage(image.ref),
        reference: d.image,
        policy: d.policy || null,
        message: d.message || null,
        namespace: d.namespace || null,
        environment: d.environment || null,
      }),
    ],
    notes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------------------

function adaptDocument(value: unknown, base: string, now: Date): AdaptedDocument {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return { ok: false, detail: `An empty array: expected ${EXPECTED}`, errors: [{ path: base, message: "must not be empty" }] };
    }
    if (value.every((item) => isObject(item) && "critical" in item)) return adaptCosign(value, base, now);
    return { ok: false, detail: `Unrecognised array: expected ${EXPECTED}`, errors: [{ path: base, message: "unrecognised document" }] };
  }
  if (isObject(value)) {
    if (value.kind === "AdmissionDecision") return adaptAdmission(value, base, now);
    if (typeof value.kind === "string" && ALL_REPORT_KINDS.has(value.kind)) return adaptReport(value, base, now);
    if (value.kind === "List" && Array.isArray(value.items) && value.items.length === 0) {
      return { ok: true, eventId: null, eventSource: null, documentType: "List", events: [], notes: ["an empty List: nothing to record"] };
    }
    if (Array.isArray(value.signatures) && value.kind === undefined) return adaptNotation(value, base, now);
    const what = typeof value.kind === "string" ? `kind ${value.kind.slice(0, 60)}` : "an object without a known shape";
    return {
      ok: false,
      detail: `Unrecognised document (${what}): expected ${EXPECTED}`,
      errors: [{ path: base, message: "unrecognised document" }],
    };
  }
  return {
    ok: false,
    detail: `Unrecognised document: expected ${EXPECTED}`,
    errors: [{ path: base, message: "must be an object or an array" }],
  };
}

/**
 * Adapts a verifier's output. Always answers at least one result; a body that cannot be read at all (wrong
 * content type, not UTF-8, not JSON/YAML, too many documents) is a single rejected result with index 0.
 */
export function adaptVerificationClaim(input: { contentType: string; body: Uint8Array }, options: { now: Date }): ClaimResult[] {
  const read = readBody(input);
  if (!Array.isArray(read)) return [{ index: 0, adapted: read }];
  const documents = read.flatMap((doc) => (doc.ok ? expand(doc) : [doc]));
  if (documents.length > MAX_CLAIM_DOCUMENTS) {
    return [
      {
        index: 0,
        adapted: {
          ok: false,
          detail: `The body holds ${documents.length} documents; at most ${MAX_CLAIM_DOCUMENTS} are accepted`,
          errors: [{ path: "$", message: `at most ${MAX_CLAIM_DOCUMENTS} documents` }],
        },
      },
    ];
  }
  return documents.map((doc, index) =>
    doc.ok ? { index, adapted: adaptDocument(doc.value, doc.base, options.now), document: doc.value } : { index, adapted: doc },
  );
}

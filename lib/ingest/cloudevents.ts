// CloudEvents 1.0 over HTTP (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md):
// binary mode (ce-* headers, body = data), structured mode (application/cloudevents+json) and batch mode
// (application/cloudevents-batch+json). Also the small parsing helpers the other adapters share (JSON with a depth
// limit, RFC 3339 timestamps, media types). Pure: no clock, no network; bad input is answered with problems, never thrown.

export type FieldProblem = { path: string; message: string };
export type Rejection = { ok: false; detail: string; errors: FieldProblem[] };

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers (used by registry.ts and claims.ts too)
// ---------------------------------------------------------------------------------------------------------------

/** Deepest nesting accepted in a JSON or YAML document: real documents stay far below; deeper ones are attacks. */
export const MAX_DOCUMENT_DEPTH = 64;

/** "application/json; charset=utf-8" -> "application/json" (lowercase, parameters dropped). */
export function mediaTypeOf(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** application/json, text/json and any structured-syntax +json type (RFC 6839). */
export function isJsonMediaType(contentType: string | null | undefined): boolean {
  const type = mediaTypeOf(contentType);
  return type === "application/json" || type === "text/json" || type.endsWith("+json");
}

/** Appends an object key or array index to a JSONPath-like "$.a[0].b" path. */
export function joinPath(base: string, segment: PropertyKey): string {
  if (typeof segment === "number") return `${base}[${segment}]`;
  const key = String(segment);
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** zod-style issues -> problems under a base path. */
export function issuesToProblems(
  base: string,
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldProblem[] {
  return issues.slice(0, 50).map((issue) => ({ path: issue.path.reduce<string>(joinPath, base), message: issue.message }));
}

/** The nesting depth of JSON text, counted without parsing (so a 10,000-deep document is refused cheaply). */
function exceedsJsonDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Walks a parsed value without recursion; a problem when it is deeper than `max` or holds a non-JSON value. */
export function checkPlainJsonValue(value: unknown, max = MAX_DOCUMENT_DEPTH): string | null {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop() as { value: unknown; depth: number };
    if (++visited > 5_000_000) return "the document has too many values";
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return "numbers must be finite";
      continue;
    }
    if (typeof v !== "object") return `unsupported value of type ${typeof v}`;
    if (depth >= max) return `the document is nested deeper than ${max} levels`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return "only plain objects, arrays, strings, numbers, booleans and null are accepted";
    for (const item of Object.values(v)) stack.push({ value: item, depth: depth + 1 });
  }
  return null;
}

export type TextDecode = { ok: true; text: string } | Rejection;

/** Strict UTF-8 (a BOM is dropped); invalid bytes are a problem, not replacement characters. */
export function decodeUtf8(bytes: Uint8Array, path = "$"): TextDecode {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return { ok: true, text };
  } catch {
    return { ok: false, detail: "The body is not valid UTF-8", errors: [{ path, message: "must be UTF-8 text" }] };
  }
}

export type JsonParse = { ok: true; value: unknown } | Rejection;

/** JSON.parse with a depth limit checked before parsing; never throws. */
export function parseJsonText(text: string, path = "$"): JsonParse {
  if (text.trim() === "") return { ok: false, detail: "The JSON document is empty", errors: [{ path, message: "must not be empty" }] };
  if (exceedsJsonDepth(text, MAX_DOCUMENT_DEPTH)) {
    return {
      ok: false,
      detail: `The JSON document is nested deeper than ${MAX_DOCUMENT_DEPTH} levels`,
      errors: [{ path, message: `nesting deeper than ${MAX_DOCUMENT_DEPTH} levels is refused` }],
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message.slice(0, 200) : "invalid JSON";
    return { ok: false, detail: `The document is not valid JSON: ${message}`, errors: [{ path, message: "must be valid JSON" }] };
  }
}

export function parseJsonBytes(bytes: Uint8Array, path = "$"): JsonParse {
  const decoded = decodeUtf8(bytes, path);
  return decoded.ok ? parseJsonText(decoded.text, path) : decoded;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,12})?([Zz]|[+-]\d{2}:\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** An RFC 3339 date-time (offset required, any fraction precision; nanoseconds are truncated to milliseconds). */
export function parseRfc3339(input: unknown): Date | null {
  if (typeof input !== "string") return null;
  const m = RFC3339.exec(input);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > maxDay || hour > 23 || minute > 59 || second > 60) return null;
  let offsetMinutes = 0;
  const zone = m[8] as string;
  if (zone !== "Z" && zone !== "z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  const millis = m[7] ? Number(m[7].slice(1, 4).padEnd(3, "0")) : 0;
  const date = new Date(0);
  // A leap second (:60) is kept as the last millisecond-exact second before it.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, Math.min(second, 59), millis);
  const time = date.getTime() - offsetMinutes * 60_000;
  if (!Number.isFinite(time)) return null;
  // Evidence times are stored as timestamptz: refuse what Postgres (or a sane pipeline) cannot mean.
  const utcYear = new Date(time).getUTCFullYear();
  return utcYear >= 1970 && utcYear <= 9999 ? new Date(time) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// CloudEvents
// ---------------------------------------------------------------------------------------------------------------

export type CloudEventExtensionValue = string | number | boolean;

export type CloudEvent = {
  specversion: "1.0";
  id: string;
  /** URI-reference identifying the producer context. */
  source: string;
  type: string;
  subject?: string;
  /** RFC 3339, as sent. */
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  /** The data as a JSON value when it is JSON; undefined when there is none or it is binary (see data_base64). */
  data: unknown;
  /** Binary (non-JSON) data, base64-encoded, exactly as the JSON event format carries it. */
  data_base64?: string;
  /** Extension attributes (lowercase alphanumeric names), e.g. traceparent, partitionkey. */
  extensions: Record<string, CloudEventExtensionValue>;
};

export type CloudEventItem =
  | { index: number; ok: true; event: CloudEvent }
  | { index: number; ok: false; detail: string; errors: FieldProblem[] };

export type CloudEventsRequest = { ok: true; mode: "binary" | "structured" | "batch"; events: CloudEventItem[] } | Rejection;

export const STRUCTURED_MEDIA_TYPE = "application/cloudevents+json";
export const BATCH_MEDIA_TYPE = "application/cloudevents-batch+json";
export const MAX_BATCH_EVENTS = 1000;

const CONTEXT_ATTRIBUTES = new Set(["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema"]);
const EXTENSION_NAME = /^[a-z0-9]{1,50}$/;
// CloudEvents strings exclude the C0 and C1 control ranges.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is being refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True for the content types that select structured or batch mode (the JSON event format). */
export function isCloudEventsMediaType(contentType: string): boolean {
  const type = mediaTypeOf(contentType);
  return type === STRUCTURED_MEDIA_TYPE || type === BATCH_MEDIA_TYPE;
}

/** True when the headers carry a binary-mode CloudEvent (ce-specversion present; names lower-cased). */
export function hasCloudEventHeaders(headers: Record<string, string>): boolean {
  return typeof headers["ce-specversion"] === "string";
}

function stringAttribute(
  value: unknown,
  name: string,
  path: string,
  problems: FieldProblem[],
  options: { required: boolean },
): string | undefined {
  if (value === undefined || value === null) {
    if (options.required) problems.push({ path, message: `the required attribute ${name} is missing` });
    return undefined;
  }
  if (typeof value !== "string") {
    problems.push({ path, message: `${name} must be a string` });
    return undefined;
  }
  if (value.length === 0) {
    problems.push({ path, message: `${name} must be a non-empty string` });
    return undefined;
  }
  if (value.length > 4096) {
    problems.push({ path, message: `${name} is longer than 4096 characters` });
    return undefined;
  }
  if (CONTROL.test(value)) {
    problems.push({ path, message: `${name} must not contain control characters` });
    return undefined;
  }
  return value;
}

type Attributes = Record<string, unknown>;

/** Validates the context attributes of one event; `pathOf` names where each attribute came from. */
function buildEvent(
  attributes: Attributes,
  data: { data: unknown; data_base64?: string },
  pathOf: (name: string) => string,
): { ok: true; event: CloudEvent } | Rejection {
  const problems: FieldProblem[] = [];
  const specversion = attributes.specversion;
  if (specversion === undefined || specversion === null) {
    problems.push({ path: pathOf("specversion"), message: "the required attribute specversion is missing" });
  } else if (specversion !== "1.0") {
    const shown = typeof specversion === "string" ? `"${specversion.slice(0, 20)}"` : typeof specversion;
    return {
      ok: false,
      detail: `CloudEvents specversion ${shown} is not supported: Vitrine accepts CloudEvents 1.0 (specversion "1.0")`,
      errors: [{ path: pathOf("specversion"), message: 'must be "1.0"' }],
    };
  }
  const id = stringAttribute(attributes.id, "id", pathOf("id"), problems, { required: true });
  const source = stringAttribute(attributes.source, "source", pathOf("source"), problems, { required: true });
  if (source !== undefined && /\s/.test(source))
    problems.push({ path: pathOf("source"), message: "source must be a URI-reference (no whitespace)" });
  const type = stringAttribute(attributes.type, "type", pathOf("type"), problems, { required: true });
  const subject = stringAttribute(attributes.subject, "subject", pathOf("subject"), problems, { required: false });
  const time = stringAttribute(attributes.time, "time", pathOf("time"), problems, { required: false });
  if (time !== undefined && parseRfc3339(time) === null)
    problems.push({ path: pathOf("time"), message: "time must be an RFC 3339 timestamp" });
  const datacontenttype = stringAttribute(attributes.datacontenttype, "datacontenttype", pathOf("datacontenttype"), problems, {
    required: false,
  });
  if (datacontenttype !== undefined && !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(datacontenttype)) {
    problems.push({ path: pathOf("datacontenttype"), message: "datacontenttype must be a media type (RFC 2046)" });
  }
  const dataschema = stringAttribute(attributes.dataschema, "dataschema", pathOf("dataschema"), problems, { required: false });
  if (dataschema !== undefined && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(dataschema)) {
    problems.push({ path: pathOf("dataschema"), message: "dataschema must be an absolute URI" });
  }
  const extensions: Record<string, CloudEventExtensionValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (CONTEXT_ATTRIBUTES.has(name) || value === null || value === undefined) continue;
    if (!EXTENSION_NAME.test(name)) {
      problems.push({ path: pathOf(name), message: "extension attribute names are lowercase letters and digits only" });
    } else if (typeof value === "string") {
      if (CONTROL.test(value)) problems.push({ path: pathOf(name), message: "must not contain control characters" });
      else extensions[name] = value;
    } else if (typeof value === "boolean" || (typeof value === "number" && Number.isSafeInteger(value))) {
      extensions[name] = value;
    } else {
      problems.push({ path: pathOf(name), message: "an extension attribute must be a string, an integer or a boolean" });
    }
  }
  if (problems.length > 0 || id === undefined || source === undefined || type === undefined) {
    return { ok: false, detail: "The CloudEvent has missing or invalid attributes", errors: problems.slice(0, 50) };
  }
  const event: CloudEvent = { specversion: "1.0", id, source, type, data: data.data, extensions };
  if (subject !== undefined) event.subject = subject;
  if (time !== undefined) event.time = time;
  if (datacontenttype !== undefined) event.datacontenttype = datacontenttype;
  if (dataschema !== undefined) event.dataschema = dataschema;
  if (data.data_base64 !== undefined) event.data_base64 = data.data_base64;
  return { ok: true, event };
}

/** Header value decoding (binding 3.1.3.2): unquote a double-quoted value, then one round of strict percent-decoding. */
function decodeHeaderValue(raw: string): string | null {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    value = value.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  try {
    // decodeURIComponent rejects malformed escapes and invalid UTF-8 (including overlong forms such as %C0%A0).
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

function parseBinary(headers: Record<string, string>, contentType: string, body: Uint8Array): CloudEventItem {
  const problems: FieldProblem[] = [];
  const attributes: Attributes = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!name.startsWith("ce-")) continue;
    const attribute = name.slice(3);
    if (attribute === "datacontenttype") {
      problems.push({
        path: `header ${name}`,
        message: "binary mode carries the data content type in Content-Type, not ce-datacontenttype",
      });
      continue;
    }
    const value = decodeHeaderValue(rawValue);
    if (value === null) problems.push({ path: `header ${name}`, message: "is not valid percent-encoded UTF-8" });
    else attributes[attribute] = value;
  }
  if (contentType.trim() !== "") attributes.datacontenttype = contentType.trim();
  let data: { data: unknown; data_base64?: string } = { data: undefined };
  if (body.byteLength > 0) {
    if (isJsonMediaType(contentType)) {
      const parsed = parseJsonBytes(body, "$");
      if (!parsed.ok) return { index: 0, ok: false, detail: `The CloudEvent data: ${parsed.detail}`, errors: parsed.errors };
      data = { data: parsed.value };
    } else {
      data = { data: undefined, data_base64: Buffer.from(body).toString("base64") };
    }
  }
  // Binary mode has no integer or boolean types on the wire: extension values stay strings.
  const built = buildEvent(attributes, data, (attribute) =>
    attribute === "datacontenttype" ? "header content-type" : `header ce-${attribute}`,
  );
  if (!built.ok) return { index: 0, ok: false, detail: built.detail, errors: [...problems, ...built.errors].slice(0, 50) };
  if (problems.length > 0) return { index: 0, ok: false, detail: "The CloudEvent has invalid headers", errors: problems };
  return { index: 0, ok: true, event: built.event };
}

/** One event in the JSON event format (structured mode or one batch item), at `base` ("$" or "$[3]"). */
function parseStructuredEvent(value: unknown, index: number, base: string): CloudEventItem {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      index,
      ok: false,
      detail: "A CloudEvent in the JSON format must be an object",
      errors: [{ path: base, message: "must be an object" }],
    };
  }
  const { data, data_base64, ...attributes } = value as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  let payload: { data: unknown; data_base64?: string } = { data };
  if (data_base64 !== undefined && data_base64 !== null) {
    if (data !== undefined && data !== null) {
      problems.push({ path: joinPath(base, "data_base64"), message: "data and data_base64 are mutually exclusive" });
    } else if (typeof data_base64 !== "string" || !BASE64.test(data_base64)) {
      problems.push({ path: joinPath(base, "data_base64"), message: "must be base64 (RFC 4648)" });
    } else {
      payload = { data: undefined, data_base64 };
    }
  }
  const built = buildEvent(attributes, payload, (name) => joinPath(base, name));
  if (!built.ok) return { index, ok: false, detail: built.detail, errors: [...built.errors, ...problems].slice(0, 50) };
  if (problems.length > 0) return { index, ok: false, detail: "The CloudEvent data is invalid", errors: problems };
  return { index, ok: true, event: built.event };
}

/**
 * Reads a CloudEvents HTTP request. Structured and batch mode are chosen by Content-Type; otherwise a request with a
 * ce-specversion header is binary mode. A request that is none of these, or whose body cannot be read, is rejected
 * as a whole; an event with bad attributes is rejected on its own (per-item results).
 */
export function parseCloudEventsRequest(input: {
  headers: Record<string, string>;
  contentType: string;
  body: Uint8Array;
}): CloudEventsRequest {
  const type = mediaTypeOf(input.contentType);
  if (type.startsWith("application/cloudevents-batch")) {
    if (type !== BATCH_MEDIA_TYPE) return unsupportedFormat(type);
    const parsed = parseJsonBytes(input.body);
    if (!parsed.ok) return parsed;
    if (!Array.isArray(parsed.value)) {
      return {
        ok: false,
        detail: "A CloudEvents batch must be a JSON array of events",
        errors: [{ path: "$", message: "must be an array" }],
      };
    }
    if (parsed.value.length > MAX_BATCH_EVENTS) {
      return {
        ok: false,
        detail: `The batch holds ${parsed.value.length} events; at most ${MAX_BATCH_EVENTS} are accepted per request`,
        errors: [{ path: "$", message: `at most ${MAX_BATCH_EVENTS} events` }],
      };
    }
    return { ok: true, mode: "batch", events: parsed.value.map((item, index) => parseStructuredEvent(item, index, `$[${index}]`)) };
  }
  if (type.startsWith("application/cloudevents")) {
    if (type !== STRUCTURED_MEDIA_TYPE) return unsupportedFormat(type);
    const parsed = parseJsonBytes(input.body);
    if (!parsed.ok) return parsed;
    return { ok: true, mode: "structured", events: [parseStructuredEvent(parsed.value, 0, "$")] };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
  if (!hasCloudEventHeaders(headers)) {
    return {
      ok: false,
      detail: `Not a CloudEvent: expected Content-Type ${STRUCTURED_MEDIA_TYPE} or ${BATCH_MEDIA_TYPE}, or binary mode with ce-specversion, ce-id, ce-source and ce-type headers`,
      errors: [{ path: "header ce-specversion", message: "missing" }],
    };
  }
  return { ok: true, mode: "binary", events: [parseBinary(headers, input.contentType, input.body)] };
}

function unsupportedFormat(type: string): Rejection {
  return {
    ok: false,
    detail: `CloudEvents event format ${type.slice(0, 80)} is not supported; use ${STRUCTURED_MEDIA_TYPE} or ${BATCH_MEDIA_TYPE}`,
    errors: [{ path: "header content-type", message: "unsupported CloudEvents event format" }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CDEvents over CloudEvents (https://github.com/cdevents/spec/blob/main/cloudevents-binding.md)
// ---------------------------------------------------------------------------------------------------------------

/** True for a CloudEvent whose type is a CDEvents type (dev.cdevents.<subject>.<predicate>.<version>). */
export function isCdeventCloudEvent(ce: Pick<CloudEvent, "type">): boolean {
  return ce.type.startsWith("dev.cdevents.");
}

/**
 * The CDEvent a CloudEvent carries: the binding puts the whole CDEvent JSON in `data` (binary mode with
 * Content-Type application/cdevents+json or application/json, or structured mode). Base64 data with a JSON content
 * type is decoded. Whatever comes out is handed to the CDEvents adapter, which judges it; undefined when there is none.
 */
export function cdeventFromCloudEvent(ce: CloudEvent): unknown {
  if (ce.data !== undefined) return ce.data;
  if (ce.data_base64 === undefined) return undefined;
  if (ce.datacontenttype !== undefined && !isJsonMediaType(ce.datacontenttype)) return undefined;
  const parsed = parseJsonBytes(Buffer.from(ce.data_base64, "base64"));
  return parsed.ok ? parsed.value : undefined;
}

/**
 * Where a CloudEvent and the CDEvent inside it disagree. The binding requires the CloudEvent id, source and type to be
 * the CDEvent context's; a mismatch means one of them was rewritten on the way, so the caller should refuse it.
 */
export function cdeventBindingProblems(ce: CloudEvent, cdevent: unknown): FieldProblem[] {
  if (typeof cdevent !== "object" || cdevent === null || Array.isArray(cdevent)) {
    return [{ path: "$.data", message: "a CDEvents CloudEvent carries the whole CDEvent (a JSON object) as its data" }];
  }
  const context = (cdevent as { context?: unknown }).context;
  if (typeof context !== "object" || context === null) return [{ path: "$.data.context", message: "the CDEvent has no context" }];
  const problems: FieldProblem[] = [];
  const ctx = context as Record<string, unknown>;
  for (const name of ["id", "source", "type"] as const) {
    if (ctx[name] !== ce[name]) {
      problems.push({
        path: `$.data.context.${name}`,
        message: `must equal the CloudEvent ${name} (${JSON.stringify(ce[name]).slice(0, 80)})`,
      });
    }
  }
  return problems;
}

// Shared parsing for signed documents: strict base64, JSON paths for problems, DSSE envelopes
// (https://github.com/secure-systems-lab/dsse) and in-toto Statements v0.1/v1. Pure: no I/O, no clock.
import { z } from "zod";
import { type Digest, parseDigest } from "@/lib/domain/digest";
import type { AttestationSubmitted } from "@/lib/domain/events";

export type FieldProblem = { path: string; message: string };
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldProblem[] };

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const STATEMENT_TYPES = ["https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1"] as const;
export type StatementType = AttestationSubmitted["statementType"];

const MAX_PROBLEMS = 50;

export function fail<T>(path: string, message: string): Parsed<T> {
  return { ok: false, errors: [{ path, message }] };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Appends a key or index to a JSON path: `.name`, `["io.cncf.key"]`, `[3]`. */
export function childPath(base: string, key: PropertyKey): string {
  if (typeof key === "number") return `${base}[${key}]`;
  const name = String(key);
  return /^[A-Za-z_$][\w$-]*$/.test(name) ? `${base}.${name}` : `${base}[${JSON.stringify(name)}]`;
}

export function jsonPath(base: string, segments: ReadonlyArray<PropertyKey>): string {
  return segments.reduce<string>((acc, key) => childPath(acc, key), base);
}

export function zodProblems(error: z.ZodError, base: string): FieldProblem[] {
  return error.issues.slice(0, MAX_PROBLEMS).map((issue) => ({ path: jsonPath(base, issue.path), message: issue.message }));
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, base: string): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: zodProblems(parsed.error, base) };
}

const STANDARD_B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE_B64 = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Strict base64 (standard or URL-safe alphabet, padding optional but correct). Non-canonical
 * trailing bits are refused, which catches most truncated strings instead of silently decoding them.
 */
export function decodeBase64(input: string): Buffer | null {
  const urlSafe = !STANDARD_B64.test(input);
  if (urlSafe && !URL_SAFE_B64.test(input)) return null;
  const body = input.replace(/=+$/, "");
  const padding = input.length - body.length;
  if (padding > 0 && input.length % 4 !== 0) return null;
  if (body.length % 4 === 1) return null;
  const bytes = Buffer.from(body, urlSafe ? "base64url" : "base64");
  const reencoded = bytes.toString(urlSafe ? "base64url" : "base64").replace(/=+$/, "");
  return reencoded === body ? bytes : null;
}

export const zBase64 = z
  .string()
  .min(1, "must not be empty")
  .refine((s) => decodeBase64(s) !== null, "must be valid base64 (truncated or not base64)");

/** Base64url without padding, as JWS uses it. */
export const zBase64Url = z
  .string()
  .refine((s) => /^[A-Za-z0-9_-]*$/.test(s) && decodeBase64(s) !== null, "must be base64url without padding (truncated or not base64url)");

/** Error text for a missing field vs. a field of the wrong type. */
export function expected(what: string) {
  return { error: (issue: { input: unknown }) => (issue.input === undefined ? "is required" : `must be ${what}`) };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Parses bytes as UTF-8 JSON; `path` names the decoded value, e.g. `$.envelope.payload(decoded)`. */
export function parseJsonBytes(bytes: Uint8Array, path: string, what = "JSON"): Parsed<unknown> {
  const text = decodeUtf8(bytes);
  if (text === null) return fail(path, `is not UTF-8 text, so not ${what}`);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 120) : "syntax error";
    return fail(path, `is not ${what}: ${reason}`);
  }
}

/** Parses an artefact digest field (`sha256:<64 hex>`), never normalising it. */
export function parseDigestField(value: unknown, path: string): Parsed<Digest> {
  if (typeof value !== "string") return fail(path, "must be a digest string algorithm:hex, e.g. sha256:<64 hex characters>");
  const parsed = parseDigest(value);
  return parsed.ok ? { ok: true, value: parsed.digest } : fail(path, parsed.reason);
}

// ---------------------------------------------------------------------------------------------
// DSSE

export const ZDsseEnvelope = z.object({
  payloadType: z.string().min(1, "must not be empty"),
  payload: zBase64,
  signatures: z
    .array(
      z.object({
        sig: zBase64,
        keyid: z.string().optional(),
      }),
    )
    .min(1, "needs at least one signature"),
});

export type DsseEnvelope = {
  payloadType: string;
  payload: Buffer;
  signatures: Array<{ keyid: string | null }>;
};

export function parseDsseEnvelope(value: unknown, path: string): Parsed<DsseEnvelope> {
  if (!isRecord(value)) return fail(path, "must be a DSSE envelope object { payloadType, payload, signatures }");
  const parsed = parseWith(ZDsseEnvelope, value, path);
  if (!parsed.ok) return parsed;
  const payload = decodeBase64(parsed.value.payload) as Buffer;
  return {
    ok: true,
    value: {
      payloadType: parsed.value.payloadType,
      payload,
      signatures: parsed.value.signatures.map((s) => ({ keyid: s.keyid ? s.keyid : null })),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// in-toto Statement

export type StatementSubject = { name: string | null; digest: Digest };

export type InTotoStatement = {
  statementType: StatementType;
  predicateType: string;
  subjects: StatementSubject[];
  predicate: unknown;
  /** The statement object exactly as parsed. */
  raw: Record<string, unknown>;
};

const ZStatement = z.object({
  _type: z.string(expected("a string")).refine((t) => (STATEMENT_TYPES as readonly string[]).includes(t), {
    message: `must be one of ${STATEMENT_TYPES.join(", ")}`,
  }),
  subject: z
    .array(
      z.object({
        name: z.string().optional(),
        digest: z.record(z.string(), z.string(), expected("an object of algorithm -> hex digest")),
      }),
      expected("an array of subjects"),
    )
    .min(1, "needs at least one subject"),
  predicateType: z.string(expected("a string")).min(1, "must not be empty"),
  predicate: z.unknown().optional(),
});

const SUBJECT_ALGORITHMS = ["sha256", "sha512"] as const;

/** Validates an in-toto Statement; `path` names it, e.g. `$.statement` or `$.envelope.payload(decoded)`. */
export function parseInTotoStatement(value: unknown, path: string): Parsed<InTotoStatement> {
  if (!isRecord(value)) return fail(path, "must be an in-toto Statement object");
  const parsed = parseWith(ZStatement, value, path);
  if (!parsed.ok) return parsed;
  const errors: FieldProblem[] = [];
  const subjects: StatementSubject[] = [];
  parsed.value.subject.forEach((subject, i) => {
    const digestPath = childPath(childPath(childPath(path, "subject"), i), "digest");
    const usable = SUBJECT_ALGORITHMS.filter((algorithm) => subject.digest[algorithm] !== undefined);
    if (usable.length === 0) {
      const found = Object.keys(subject.digest).slice(0, 5).join(", ") || "none";
      errors.push({ path: digestPath, message: `needs a sha256 or sha512 digest (found: ${found})` });
      return;
    }
    for (const algorithm of usable) {
      const digest = parseDigest(`${algorithm}:${subject.digest[algorithm]}`);
      if (!digest.ok) errors.push({ path: childPath(digestPath, algorithm), message: digest.reason });
      else subjects.push({ name: subject.name ?? null, digest: digest.digest });
    }
  });
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, MAX_PROBLEMS) };
  return {
    ok: true,
    value: {
      statementType: parsed.value._type as StatementType,
      predicateType: parsed.value.predicateType,
      subjects,
      predicate: parsed.value.predicate,
      raw: value,
    },
  };
}

/** Decodes a DSSE payload as an in-toto Statement, checking the payload type first. */
export function statementFromDsse(envelope: DsseEnvelope, envelopePath: string): Parsed<InTotoStatement> {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return fail(childPath(envelopePath, "payloadType"), `must be ${IN_TOTO_PAYLOAD_TYPE} for an attestation`);
  }
  const decodedPath = `${childPath(envelopePath, "payload")}(decoded)`;
  const json = parseJsonBytes(envelope.payload, decodedPath);
  if (!json.ok) return json;
  return parseInTotoStatement(json.value, decodedPath);
}

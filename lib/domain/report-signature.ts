// Signed report exports (docs/reports.md): the statement Vitrine signs for each export, the
// `Vitrine-Signature` value that carries it (response header, detached .sig file, JSON member,
// PDF Info entry), and byte-exact verification of CSV, JSON and PDF files. Pure: no database,
// no clock; public keys are passed in, so the CLI verifies offline with the same code.
import { createHash, createPublicKey, verify } from "node:crypto";
import { canonicalJson } from "./canonical-json";
import { checkpointMessage } from "./checkpoint";

export const REPORT_FORMATS = ["csv", "json", "pdf"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const STATEMENT_TYPE = "vitrine.report/v1";

/** A signed ledger checkpoint as a report embeds it. */
export type ReportCheckpoint = { sequence: string; headHash: string; createdAt: string; keyFingerprint: string; signature: string };

/** What Vitrine signs for an export: the bytes (by sha256), their scope, and the ledger checkpoint they cover. */
export type ReportStatement = {
  type: typeof STATEMENT_TYPE;
  reportId: string;
  format: ReportFormat;
  environment: string;
  from: string;
  to: string;
  exportedAt: string;
  /** Lowercase hex sha256 of the signed bytes (see `contentDigest`). */
  sha256: string;
  rows: number;
  keyFingerprint: string;
  checkpoint: ReportCheckpoint;
};

/** The parsed `Vitrine-Signature` value. `statement` is the exact signed bytes. */
export type SignatureEnvelope = { keyId: string; reportId: string; sha256: string; sig: string; statement: Buffer };

/** The bytes that are signed: the statement's canonical JSON (sorted keys, no whitespace, UTF-8). */
export function statementBytes(statement: ReportStatement): Buffer {
  return Buffer.from(canonicalJson(statement), "utf8");
}

/**
 * `keyid=<fingerprint>,report=<id>,sha256=<hex>,sig=<base64 Ed25519 signature>,statement=<base64url statement>`.
 * The signature is over the decoded statement bytes; keyid, report and sha256 repeat the statement's
 * fields so a person can read them (a verifier checks that they agree).
 */
export function formatSignature(envelope: SignatureEnvelope): string {
  return [
    `keyid=${envelope.keyId}`,
    `report=${envelope.reportId}`,
    `sha256=${envelope.sha256}`,
    `sig=${envelope.sig}`,
    `statement=${envelope.statement.toString("base64url")}`,
  ].join(",");
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const FIELD = /^[a-z0-9]+$/;
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

export function parseSignature(value: string): Parsed<SignatureEnvelope> {
  const fields = new Map<string, string>();
  for (const part of value.trim().split(",")) {
    const eq = part.indexOf("=");
    const key = eq > 0 ? part.slice(0, eq).trim() : "";
    if (!FIELD.test(key))
      return {
        ok: false,
        reason: "the signature is not a Vitrine-Signature value (keyid=...,report=...,sha256=...,sig=...,statement=...)",
      };
    if (fields.has(key)) return { ok: false, reason: `the signature names ${key} twice` };
    fields.set(key, part.slice(eq + 1).trim());
  }
  for (const key of ["keyid", "report", "sha256", "sig", "statement"]) {
    if (!fields.get(key)) return { ok: false, reason: `the signature has no ${key}` };
  }
  const sig = fields.get("sig")!;
  const statement = fields.get("statement")!;
  if (!B64.test(sig)) return { ok: false, reason: "sig is not base64" };
  if (!B64URL.test(statement)) return { ok: false, reason: "statement is not base64url" };
  return {
    ok: true,
    value: {
      keyId: fields.get("keyid")!,
      reportId: fields.get("report")!,
      sha256: fields.get("sha256")!,
      sig,
      statement: Buffer.from(statement, "base64url"),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Where the signature lives in each format, and which bytes the sha256 covers

/** The JSON member that carries the signature: `"signature": {...}`, written last. */
export type JsonSignature = { algorithm: "ed25519"; keyId: string; reportId: string; sha256: string; statement: string; value: string };

export function toJsonSignature(envelope: SignatureEnvelope): JsonSignature {
  return {
    algorithm: "ed25519",
    keyId: envelope.keyId,
    reportId: envelope.reportId,
    sha256: envelope.sha256,
    statement: envelope.statement.toString("base64url"),
    value: envelope.sig,
  };
}

/**
 * A JSON report is the canonical JSON of its content with the `signature` member appended last:
 * `<canonical content without its closing brace>,"signature":<canonical signature>}`.
 */
export function jsonReportTail(signature: JsonSignature): string {
  return `,"signature":${canonicalJson(signature)}}`;
}

/** PDF: the Info dictionary entry /VitrineSignature is this marker followed by a fixed-size slot. */
export const PDF_SIGNATURE_MARKER = "VITRINE-SIGNATURE:";
export const PDF_SIGNATURE_SLOT = 4096;
/** The Info entry's value as generated: the marker and a slot of spaces, filled in once signed. */
export const PDF_SIGNATURE_PLACEHOLDER = `${PDF_SIGNATURE_MARKER}${" ".repeat(PDF_SIGNATURE_SLOT)}`;
const PDF_NEEDLE = Buffer.from(`(${PDF_SIGNATURE_MARKER}`, "latin1");

/** The byte range of the PDF signature slot, when the file has exactly one. */
export function findPdfSignatureSlot(bytes: Buffer): Parsed<{ start: number; end: number }> {
  const at = bytes.indexOf(PDF_NEEDLE);
  if (at < 0) return { ok: false, reason: "the PDF carries no Vitrine signature" };
  if (bytes.indexOf(PDF_NEEDLE, at + 1) >= 0) return { ok: false, reason: "the PDF carries more than one Vitrine signature" };
  const start = at + PDF_NEEDLE.length;
  const end = start + PDF_SIGNATURE_SLOT;
  if (bytes[end] !== 0x29) return { ok: false, reason: "the PDF's signature slot has been altered" };
  return { ok: true, value: { start, end } };
}

/** The slot's content for a signature value: the value, padded with spaces. */
export function pdfSlotContent(signature: string): Buffer {
  if (signature.length > PDF_SIGNATURE_SLOT) throw new Error(`a PDF signature slot holds ${PDF_SIGNATURE_SLOT} bytes`);
  return Buffer.from(signature.padEnd(PDF_SIGNATURE_SLOT, " "), "latin1");
}

const sha256Hex = (parts: Buffer[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

export function detectFormat(bytes: Buffer): ReportFormat {
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return "pdf";
  if (bytes[0] === 0x7b) return "json";
  return "csv";
}

type Located = { sha256: string; embedded: string | null };

/** What the sha256 of each format covers, and the signature embedded in the file (JSON, PDF). */
function locate(format: ReportFormat, bytes: Buffer): Parsed<Located> {
  if (format === "csv") return { ok: true, value: { sha256: sha256Hex([bytes]), embedded: null } };
  if (format === "pdf") {
    const slot = findPdfSignatureSlot(bytes);
    if (!slot.ok) return slot;
    const content = bytes.subarray(slot.value.start, slot.value.end).toString("latin1");
    const value = content.replace(/ +$/, "");
    // The slot is the value padded with spaces, nothing else: a changed padding byte counts too.
    if (!/^[\x21-\x7e]+$/.test(value) || content !== value.padEnd(PDF_SIGNATURE_SLOT, " ")) {
      return { ok: false, reason: "the PDF's signature slot has been altered" };
    }
    const blank = Buffer.from(" ".repeat(PDF_SIGNATURE_SLOT), "latin1");
    return {
      ok: true,
      value: { sha256: sha256Hex([bytes.subarray(0, slot.value.start), blank, bytes.subarray(slot.value.end)]), embedded: value },
    };
  }
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) return { ok: false, reason: "the JSON is not valid UTF-8" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the file is not valid JSON" };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { ok: false, reason: "the JSON is not a report" };
  const { signature, ...content } = parsed as Record<string, unknown>;
  const s = signature as Partial<JsonSignature> | undefined;
  if (!s || typeof s !== "object" || typeof s.keyId !== "string" || typeof s.value !== "string" || typeof s.statement !== "string") {
    return { ok: false, reason: "the JSON has no signature member" };
  }
  const canonical = canonicalJson(content);
  // Byte for byte: re-encoding what was parsed must give the file back exactly.
  if (`${canonical.slice(0, -1)}${jsonReportTail(s as JsonSignature)}` !== text) {
    return { ok: false, reason: "the JSON is not byte for byte as Vitrine wrote it" };
  }
  const embedded = formatSignature({
    keyId: s.keyId,
    reportId: String(s.reportId ?? ""),
    sha256: String(s.sha256 ?? ""),
    sig: s.value,
    statement: Buffer.from(s.statement, "base64url"),
  });
  return { ok: true, value: { sha256: sha256Hex([Buffer.from(canonical, "utf8")]), embedded } };
}

// ---------------------------------------------------------------------------------------------
// Verification

export type ReportVerification =
  | {
      valid: true;
      reason: null;
      reportId: string;
      exportedAt: string;
      format: ReportFormat;
      environment: string;
      from: string;
      to: string;
      rows: number;
      sha256: string;
      keyFingerprint: string;
      checkpoint: ReportCheckpoint;
    }
  | {
      valid: false;
      reason: string;
      reportId: string | null;
      exportedAt: string | null;
      format: ReportFormat | null;
      environment: string | null;
      from: string | null;
      to: string | null;
      rows: number | null;
      sha256: string;
      keyFingerprint: string | null;
      checkpoint: ReportCheckpoint | null;
    };

/** Public keys by fingerprint (`sha256:<hex>` of the DER SPKI); null when unknown or not trusted. */
export type KeyLookup = (fingerprint: string) => string | null;

export function spkiFingerprint(publicKeyPem: string): string {
  return `sha256:${createHash("sha256")
    .update(createPublicKey(publicKeyPem).export({ type: "spki", format: "der" }))
    .digest("hex")}`;
}

function ed25519Verifies(publicKeyPem: string, message: Buffer, signatureB64: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== "ed25519") return false;
    return verify(null, message, key, Buffer.from(signatureB64, "base64"));
  } catch {
    return false;
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function parseStatement(bytes: Buffer): Parsed<ReportStatement> {
  let s: Partial<ReportStatement>;
  try {
    s = JSON.parse(bytes.toString("utf8")) as Partial<ReportStatement>;
  } catch {
    return { ok: false, reason: "the signed statement is not JSON" };
  }
  const c = s?.checkpoint as Partial<ReportCheckpoint> | undefined;
  const fine =
    s &&
    s.type === STATEMENT_TYPE &&
    typeof s.reportId === "string" &&
    (REPORT_FORMATS as readonly string[]).includes(s.format as string) &&
    typeof s.environment === "string" &&
    typeof s.from === "string" &&
    typeof s.to === "string" &&
    typeof s.exportedAt === "string" &&
    ISO.test(s.exportedAt) &&
    typeof s.sha256 === "string" &&
    /^[0-9a-f]{64}$/.test(s.sha256) &&
    typeof s.rows === "number" &&
    typeof s.keyFingerprint === "string" &&
    c &&
    typeof c.sequence === "string" &&
    /^\d+$/.test(c.sequence) &&
    typeof c.headHash === "string" &&
    typeof c.createdAt === "string" &&
    ISO.test(c.createdAt) &&
    typeof c.keyFingerprint === "string" &&
    typeof c.signature === "string";
  if (!fine) return { ok: false, reason: `the signed statement is not a ${STATEMENT_TYPE} statement` };
  // The statement must be exactly the canonical encoding Vitrine signs.
  if (!statementBytes(s as ReportStatement).equals(bytes)) return { ok: false, reason: "the signed statement is not in canonical form" };
  return { ok: true, value: s as ReportStatement };
}

/**
 * Is `bytes` exactly a report Vitrine exported? `signature` is the Vitrine-Signature value (the
 * response header or the .sig file): required for CSV, optional for JSON and PDF, which carry
 * their own (and must then carry the same one). One changed byte anywhere makes it invalid.
 */
export function verifyReport(options: { bytes: Buffer; signature?: string | null; publicKeyFor: KeyLookup }): ReportVerification {
  const format = detectFormat(options.bytes);
  const blank = { reportId: null, exportedAt: null, format, environment: null, from: null, to: null, rows: null, keyFingerprint: null };
  const located = locate(format, options.bytes);
  const fallbackSha = createHash("sha256").update(options.bytes).digest("hex");
  if (!located.ok) return { valid: false, reason: located.reason, ...blank, sha256: fallbackSha, checkpoint: null };
  const { sha256, embedded } = located.value;
  const given = options.signature?.trim() || null;
  const invalid = (reason: string, statement?: ReportStatement): ReportVerification => ({
    valid: false,
    reason,
    ...blank,
    ...(statement
      ? {
          reportId: statement.reportId,
          exportedAt: statement.exportedAt,
          environment: statement.environment,
          from: statement.from,
          to: statement.to,
          rows: statement.rows,
          keyFingerprint: statement.keyFingerprint,
        }
      : {}),
    sha256,
    checkpoint: statement?.checkpoint ?? null,
  });
  if (!given && !embedded) {
    return invalid("a CSV report carries its signature beside it: send the Vitrine-Signature header or the .sig file");
  }
  if (given && embedded && given !== embedded) return invalid("the signature given is not the one embedded in the file");
  const envelope = parseSignature((given ?? embedded)!);
  if (!envelope.ok) return invalid(envelope.reason);
  const parsed = parseStatement(envelope.value.statement);
  if (!parsed.ok) return invalid(parsed.reason);
  const statement = parsed.value;
  const e = envelope.value;
  if (e.keyId !== statement.keyFingerprint || e.reportId !== statement.reportId || e.sha256 !== statement.sha256) {
    return invalid("the signature's keyid, report and sha256 disagree with its signed statement", statement);
  }
  const publicKey = options.publicKeyFor(statement.keyFingerprint);
  if (!publicKey) return invalid(`signed by ${statement.keyFingerprint}, which is not a Vitrine signing key known here`, statement);
  if (spkiFingerprint(publicKey) !== statement.keyFingerprint) {
    return invalid(`signed by ${statement.keyFingerprint}, not by the public key given`, statement);
  }
  if (!ed25519Verifies(publicKey, e.statement, e.sig)) return invalid("the signature does not verify", statement);
  if (statement.format !== format) return invalid(`the statement is for a ${statement.format} report, the file is ${format}`, statement);
  if (statement.sha256 !== sha256) return invalid("the file's sha256 differs from the signed one: the file was changed", statement);
  const c = statement.checkpoint;
  const checkpointKey = options.publicKeyFor(c.keyFingerprint);
  if (!checkpointKey) return invalid(`the embedded checkpoint is signed by ${c.keyFingerprint}, which is not known here`, statement);
  const message = checkpointMessage({ sequence: BigInt(c.sequence), headHash: c.headHash, createdAt: new Date(c.createdAt) });
  if (!ed25519Verifies(checkpointKey, message, c.signature))
    return invalid("the embedded ledger checkpoint's signature does not verify", statement);
  return {
    valid: true,
    reason: null,
    reportId: statement.reportId,
    exportedAt: statement.exportedAt,
    format,
    environment: statement.environment,
    from: statement.from,
    to: statement.to,
    rows: statement.rows,
    sha256,
    keyFingerprint: statement.keyFingerprint,
    checkpoint: c,
  };
}

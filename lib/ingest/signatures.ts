// POST /api/v1/signatures body -> SignatureSubmitted events, one per signed artefact digest.
// Pure: parses and normalises; the signature itself is verified later, server-side.
import { decodeProtectedHeader } from "jose";
import { readSignature } from "openpgp";
import { z } from "zod";
import type { Digest } from "@/lib/domain/digest";
import type { AdaptedDocument, ArtifactRef, SignatureFormat, SignatureSubmitted } from "@/lib/domain/events";
import { parsePemPublicKey } from "@/lib/verify/keys";
import {
  childPath,
  decodeBase64,
  decodeUtf8,
  expected,
  type FieldProblem,
  fail,
  IN_TOTO_PAYLOAD_TYPE,
  isRecord,
  type Parsed,
  parseDigestField,
  parseJsonBytes,
  parseWith,
  statementFromDsse,
  zBase64,
  zBase64Url,
} from "./dsse";
import { type CertificateInfo, parseCertificateDer, parsePemChain, parseSigstoreBundle } from "./sigstore-bundle";

export const SUPPORTED_SIGNATURE_FORMATS = ["sigstore-bundle", "cosign", "openpgp", "notation-jws", "notation"] as const;

const JOSE_MEDIA_TYPE = "application/jose+json";
const COSE_MEDIA_TYPE = "application/cose";
const NOTARY_PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json";
const NOTARY_SIGNING_SCHEMES = ["notary.x509", "notary.x509.signingAuthority"] as const;
const NOTARY_ALGORITHMS = ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"] as const;
const SIMPLE_SIGNING_TYPES = ["cosign container image signature", "atomic container signature"] as const;
/** A checksum file may list many artefacts; past this it is not a release manifest but a flood. */
const MAX_CHECKSUM_LINES = 10_000;

type Options = { now: Date };
type Signer = SignatureSubmitted["signerHint"];
type Accepted = { documentType: string; events: SignatureSubmitted[]; notes: string[] };

function reject(detail: string, errors: FieldProblem[]): AdaptedDocument {
  return { ok: false, detail, errors };
}

function artifactRef(digest: Digest, repository: string | null = null, raw: string = digest): ArtifactRef {
  return { digest, repository, tag: null, raw };
}

function event(
  options: Options,
  format: SignatureFormat,
  artifact: ArtifactRef,
  signerHint: Signer,
  material: Record<string, unknown>,
): SignatureSubmitted {
  return { type: "signature.submitted", occurredAt: options.now, format, artifact, signerHint, material };
}

/**
 * Adapts a signature submission. Async only because OpenPGP armour parsing (openpgp.readSignature) is.
 * Bad input is a value (`ok: false` naming every bad field by JSON path), never a throw.
 */
export async function adaptSignatureRequest(body: unknown, options: Options): Promise<AdaptedDocument> {
  if (!isRecord(body)) return reject("A signature submission must be a JSON object", [{ path: "$", message: "must be an object" }]);
  const format = body.format;
  const supported = `supported: ${SUPPORTED_SIGNATURE_FORMATS.join(", ")} (notation with mediaType ${JOSE_MEDIA_TYPE})`;
  if (format === "notation-cose" || (format === "notation" && body.mediaType === COSE_MEDIA_TYPE)) {
    const path = format === "notation" ? "$.mediaType" : "$.format";
    return reject("Notary Project COSE envelopes are not supported yet: submit the JWS envelope (notation sign --signature-format jws)", [
      { path, message: "COSE (application/cose) envelopes are not supported yet" },
    ]);
  }
  if (typeof format !== "string" || !(SUPPORTED_SIGNATURE_FORMATS as readonly string[]).includes(format)) {
    const message =
      typeof format === "string" ? `unknown signature format "${format.slice(0, 40)}"; ${supported}` : `is required; ${supported}`;
    return reject("The signature format is missing or not supported", [{ path: "$.format", message }]);
  }

  let result: Parsed<Accepted>;
  try {
    switch (format) {
      case "sigstore-bundle":
        result = adaptSigstoreBundle(body, options);
        break;
      case "cosign":
        result = adaptCosign(body, options);
        break;
      case "openpgp":
        result = await adaptOpenPgp(body, options);
        break;
      default:
        result = adaptNotationJws(body, options);
        break;
    }
  } catch {
    // Parsers report bad input as values; anything thrown here is a library surprise on odd input.
    result = fail("$", "could not be parsed");
  }
  if (!result.ok) return reject(`The ${format} signature submission has invalid fields`, result.errors);
  return {
    ok: true,
    eventId: null,
    eventSource: null,
    documentType: result.value.documentType,
    events: result.value.events,
    notes: result.value.notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Sigstore bundle

function adaptSigstoreBundle(body: Record<string, unknown>, options: Options): Parsed<Accepted> {
  const errors: FieldProblem[] = [];
  const artifact = parseDigestField(body.artifact, "$.artifact");
  if (!artifact.ok) errors.push(...artifact.errors);
  const bundle = body.bundle === undefined ? fail<never>("$.bundle", "is required") : parseSigstoreBundle(body.bundle, "$.bundle");
  if (!bundle.ok) errors.push(...bundle.errors);
  if (!artifact.ok || !bundle.ok) return { ok: false, errors };

  const notes: string[] = [];
  const parsed = bundle.value;
  const material: Record<string, unknown> = { bundle: body.bundle, bundleVersion: parsed.version };
  if (parsed.content.kind === "messageSignature") {
    const claimed = parsed.content.messageDigest;
    material.messageDigest = claimed?.digest ?? null;
    if (claimed?.digest && claimed.digest.split(":")[0] === artifact.value.split(":")[0]) {
      material.messageDigestMatchesArtifact = claimed.digest === artifact.value;
      if (claimed.digest !== artifact.value) {
        notes.push(`the bundle's messageDigest (${claimed.digest}) differs from the artifact: the verifier will report a subject mismatch`);
      }
    } else {
      material.messageDigestMatchesArtifact = null;
    }
  } else {
    const envelope = parsed.content.envelope;
    material.payloadType = envelope.payloadType;
    if (envelope.payloadType === IN_TOTO_PAYLOAD_TYPE) {
      const statement = statementFromDsse(envelope, "$.bundle.dsseEnvelope");
      if (!statement.ok) return statement;
      const subjects = statement.value.subjects.map((s) => s.digest);
      material.subjectDigests = subjects;
      material.predicateType = statement.value.predicateType;
      if (!subjects.includes(artifact.value)) {
        notes.push("the artifact is not among the in-toto subjects of the DSSE envelope: the verifier will report a subject mismatch");
      }
    } else {
      notes.push(`DSSE payload type ${envelope.payloadType.slice(0, 80)} is not in-toto: its subject cannot be read`);
    }
  }
  if (parsed.verificationMaterial === "publicKey" && !parsed.signer.keyHint)
    notes.push("the bundle names no key hint: verified against every trusted key");
  return {
    ok: true,
    value: {
      documentType: "signature/sigstore-bundle",
      events: [event(options, "sigstore-bundle", artifactRef(artifact.value), parsed.signer, material)],
      notes,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// cosign simple signing

const ZCosignRequest = z.object({
  payload: zBase64,
  signature: zBase64,
  certificate: z.string(expected("a PEM certificate chain")).optional(),
  certificateChain: z.string(expected("a PEM certificate chain")).optional(),
  keyHint: z.string(expected("a string")).max(1024).optional(),
  // The signer's public key as a PEM hint (cosign's --key .pub): unauthenticated, it never makes a
  // signature trusted; it only lets Vitrine tell "valid, by a key it does not trust" from corrupted.
  publicKey: z.string(expected("a PEM public key")).max(16_384).optional(),
});

const ZSimpleSigning = z.object({
  critical: z.object(
    {
      identity: z.object({ "docker-reference": z.string(expected("a string")).min(1, "must not be empty") }, expected("an object")),
      image: z.object({ "docker-manifest-digest": z.string(expected("a string")) }, expected("an object")),
      type: z.string(expected("a string")).refine((t) => (SIMPLE_SIGNING_TYPES as readonly string[]).includes(t), {
        message: `must be "${SIMPLE_SIGNING_TYPES[0]}"`,
      }),
    },
    expected("an object"),
  ),
  optional: z.record(z.string(), z.unknown()).nullish(),
});

function adaptCosign(body: Record<string, unknown>, options: Options): Parsed<Accepted> {
  const errors: FieldProblem[] = [];
  const artifact = parseDigestField(body.artifact, "$.artifact");
  if (!artifact.ok) errors.push(...artifact.errors);
  const request = parseWith(ZCosignRequest, body, "$");
  if (!request.ok) errors.push(...request.errors);

  let simple: z.infer<typeof ZSimpleSigning> | null = null;
  let manifestDigest: Digest | null = null;
  if (request.ok) {
    const decodedPath = "$.payload(decoded)";
    const json = parseJsonBytes(decodeBase64(request.value.payload) as Buffer, decodedPath, "simple-signing JSON");
    const payload = json.ok ? parseWith(ZSimpleSigning, json.value, decodedPath) : json;
    if (!payload.ok) errors.push(...payload.errors);
    else {
      simple = payload.value;
      const digest = parseDigestField(
        payload.value.critical.image["docker-manifest-digest"],
        `${decodedPath}.critical.image.docker-manifest-digest`,
      );
      if (!digest.ok) errors.push(...digest.errors);
      else manifestDigest = digest.value;
    }
  }
  let chain: CertificateInfo[] = [];
  if (request.ok && request.value.certificate !== undefined) {
    const parsed = parsePemChain(request.value.certificate, "$.certificate");
    if (!parsed.ok) errors.push(...parsed.errors);
    else chain = parsed.value;
  }
  if (request.ok && request.value.certificateChain !== undefined) {
    const parsed = parsePemChain(request.value.certificateChain, "$.certificateChain");
    if (!parsed.ok) errors.push(...parsed.errors);
  }
  let hintFingerprint: string | null = null;
  if (request.ok && request.value.publicKey !== undefined) {
    const key = parsePemPublicKey(request.value.publicKey);
    if (!key.ok) errors.push({ path: "$.publicKey", message: key.reason });
    else hintFingerprint = key.value.fingerprint;
  }
  if (errors.length > 0 || !artifact.ok || !request.ok || !simple || !manifestDigest) return { ok: false, errors };

  const notes: string[] = [];
  if (manifestDigest !== artifact.value) {
    notes.push(`the payload signs ${manifestDigest}, not the artifact: the verifier will report a subject mismatch`);
  }
  const leaf = chain[0];
  if (!leaf && !request.value.keyHint) notes.push("no certificate and no key hint: verified against every trusted key");
  const dockerReference = simple.critical.identity["docker-reference"];
  const { payload, signature, certificate, certificateChain, publicKey } = request.value;
  const keyHint = request.value.keyHint ?? hintFingerprint ?? undefined;
  const material: Record<string, unknown> = {
    payload,
    signature,
    certificate: certificate ?? null,
    certificateChain: certificateChain ?? null,
    keyHint: keyHint ?? null,
    publicKey: publicKey ?? null,
    simpleSigning: { dockerReference, manifestDigest, type: simple.critical.type },
  };
  const signer: Signer = leaf ? { identity: leaf.identity, issuer: leaf.issuer, keyHint: keyHint ?? null } : { keyHint: keyHint ?? null };
  return {
    ok: true,
    value: {
      documentType: "signature/cosign",
      events: [event(options, "cosign", artifactRef(artifact.value, repositoryOf(dockerReference)), signer, material)],
      notes,
    },
  };
}

/** registry/repository from an image reference (drops :tag and @digest). */
function repositoryOf(reference: string): string {
  const at = reference.indexOf("@");
  const base = at >= 0 ? reference.slice(0, at) : reference;
  const colon = base.lastIndexOf(":");
  return colon > base.lastIndexOf("/") ? base.slice(0, colon) : base;
}

// ---------------------------------------------------------------------------------------------
// OpenPGP detached signature over a checksum file

type ChecksumEntry = { digest: Digest; name: string | null };

const GNU_LINE = /^(\\?)([0-9A-Za-z]+) ([ *])(.+)$/;
const BSD_LINE = /^(SHA256|SHA512) \((.+)\) = ([0-9A-Za-z]+)$/;

function unescapeGnuName(name: string): string {
  return name.replace(/\\(\\|n|r)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : "\\"));
}

function hexDigest(hex: string, path: string): Parsed<Digest> {
  if (/[A-F]/.test(hex)) return fail(path, "digest hex must be lowercase");
  if (!/^[0-9a-f]+$/.test(hex)) return fail(path, "digest must be hexadecimal");
  const algorithm = hex.length === 64 ? "sha256" : hex.length === 128 ? "sha512" : null;
  if (!algorithm) return fail(path, `a digest must have 64 (sha256) or 128 (sha512) hex characters, got ${hex.length}`);
  return { ok: true, value: `${algorithm}:${hex}` };
}

/** Parses signed text: `sha256:<hex>` alone, or a SHA256SUMS/SHA512SUMS file (GNU or BSD tag lines). */
export function parseChecksumText(text: string, path: string): Parsed<ChecksumEntry[]> {
  const trimmed = text.trim();
  if (/^sha(256|512):\S+$/i.test(trimmed)) {
    const digest = parseDigestField(trimmed, path);
    return digest.ok ? { ok: true, value: [{ digest: digest.value, name: null }] } : digest;
  }
  const lines = text.split("\n");
  if (lines.length > MAX_CHECKSUM_LINES) return fail(path, `lists more than ${MAX_CHECKSUM_LINES} lines`);
  const errors: FieldProblem[] = [];
  const entries: ChecksumEntry[] = [];
  const seen = new Set<string>();
  lines.forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    const linePath = `${path}.lines[${i}]`;
    const gnu = GNU_LINE.exec(line);
    const bsd = gnu ? null : BSD_LINE.exec(line);
    if (!gnu && !bsd) {
      errors.push({ path: linePath, message: `line ${i + 1} is not a checksum line ("<hex>  <name>" or "SHA256 (<name>) = <hex>")` });
      return;
    }
    const hex = gnu ? (gnu[2] as string) : (bsd?.[3] as string);
    const name = gnu ? (gnu[1] ? unescapeGnuName(gnu[4] as string) : (gnu[4] as string)) : (bsd?.[2] as string);
    const digest = hexDigest(hex, linePath);
    if (!digest.ok) {
      errors.push({ path: linePath, message: `line ${i + 1}: ${digest.errors[0]?.message}` });
      return;
    }
    if (bsd && digest.value.split(":")[0] !== (bsd[1] as string).toLowerCase()) {
      errors.push({ path: linePath, message: `line ${i + 1}: a ${bsd[1]} digest has the wrong length` });
      return;
    }
    const key = `${digest.value} ${name}`;
    if (!seen.has(key)) entries.push({ digest: digest.value, name });
    seen.add(key);
  });
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, 50) };
  if (entries.length === 0) return fail(path, "lists no digests");
  return { ok: true, value: entries };
}

const ZOpenPgpRequest = z.object({
  signature: z
    .string(expected("an ASCII-armored OpenPGP signature"))
    .max(64 * 1024, "is longer than 64 KiB")
    .refine(
      (s) => s.includes("-----BEGIN PGP SIGNATURE-----"),
      "must be an ASCII-armored detached signature (-----BEGIN PGP SIGNATURE-----)",
    ),
  signedData: zBase64.optional(),
});

async function adaptOpenPgp(body: Record<string, unknown>, options: Options): Promise<Parsed<Accepted>> {
  const errors: FieldProblem[] = [];
  const request = parseWith(ZOpenPgpRequest, body, "$");
  if (!request.ok) errors.push(...request.errors);
  const artifact = body.artifact === undefined ? null : parseDigestField(body.artifact, "$.artifact");
  if (artifact && !artifact.ok) errors.push(...artifact.errors);
  if (request.ok && request.value.signedData === undefined && body.artifact === undefined) {
    errors.push({
      path: "$.signedData",
      message: 'is required unless "artifact" is given (then the signature must be over the text "sha256:<hex>")',
    });
  }

  let keyIds: string[] = [];
  let signer: Signer = {};
  if (request.ok) {
    try {
      const signature = await readSignature({ armoredSignature: request.value.signature });
      const packets = [...signature.packets];
      if (packets.length === 0) throw new Error("no signature packet");
      keyIds = signature.getSigningKeyIDs().map((id) => id.toHex());
      const first = packets[0];
      const fingerprint = first?.issuerFingerprint ? Buffer.from(first.issuerFingerprint).toString("hex") : null;
      signer = { keyId: keyIds[0] ?? null, keyHint: fingerprint, identity: first?.signersUserID ?? null };
    } catch {
      errors.push({ path: "$.signature", message: "is not a readable OpenPGP signature (broken armor, checksum or packets)" });
    }
  }

  let entries: ChecksumEntry[] = [];
  let signedText: string | null = null;
  if (request.ok && request.value.signedData !== undefined) {
    const text = decodeUtf8(decodeBase64(request.value.signedData) as Buffer);
    if (text === null) errors.push({ path: "$.signedData(decoded)", message: "is not UTF-8 text, so not a checksum file" });
    else {
      const parsed = parseChecksumText(text, "$.signedData(decoded)");
      if (!parsed.ok) errors.push(...parsed.errors);
      else entries = parsed.value;
    }
  } else if (artifact?.ok) {
    signedText = artifact.value;
    entries = [{ digest: artifact.value, name: null }];
  }
  if (errors.length > 0 || !request.ok) return { ok: false, errors };

  const notes: string[] = [];
  if (artifact?.ok && !entries.some((e) => e.digest === artifact.value)) {
    notes.push("the artifact is not listed in the signed data: the verifier will report a subject mismatch");
  }
  if (signedText !== null) notes.push(`no signedData: the signature must be over the text "${signedText}"`);
  const signedData = request.value.signedData ?? Buffer.from(signedText ?? "", "utf8").toString("base64");
  const material: Record<string, unknown> = {
    signature: request.value.signature,
    signedData,
    signedText,
    keyIds,
    listedDigests: entries.length,
  };
  return {
    ok: true,
    value: {
      documentType: "signature/openpgp",
      events: entries.map((entry) =>
        event(options, "openpgp", artifactRef(entry.digest, entry.name, entry.name ?? entry.digest), signer, material),
      ),
      notes,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Notary Project JWS envelope

const ZFlattenedJws = z.object({
  payload: zBase64Url,
  protected: zBase64Url,
  signature: zBase64Url,
  header: z
    .object(
      {
        x5c: z.array(zBase64, expected("an array of base64 DER certificates")).min(1, "needs the signing certificate").optional(),
        "io.cncf.notary.signingAgent": z.string().optional(),
        "io.cncf.notary.timestampSignature": z.string().optional(),
      },
      expected("an object"),
    )
    .optional(),
});

const ZNotaryHeader = z.object({
  alg: z.enum(NOTARY_ALGORITHMS, { error: `must be one of ${NOTARY_ALGORITHMS.join(", ")}` }),
  cty: z.literal(NOTARY_PAYLOAD_TYPE, { error: `must be ${NOTARY_PAYLOAD_TYPE}` }),
  crit: z
    .array(z.string(), expected("an array of header names"))
    .refine((c) => c.includes("io.cncf.notary.signingScheme"), "must list io.cncf.notary.signingScheme"),
  "io.cncf.notary.signingScheme": z.enum(NOTARY_SIGNING_SCHEMES, { error: `must be one of ${NOTARY_SIGNING_SCHEMES.join(", ")}` }),
  "io.cncf.notary.signingTime": z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp" }).optional(),
  "io.cncf.notary.authenticSigningTime": z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp" }).optional(),
  "io.cncf.notary.expiry": z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp" }).optional(),
});

const ZNotaryPayload = z.object({
  targetArtifact: z.object(
    {
      mediaType: z.string(expected("a string")).min(1, "must not be empty"),
      digest: z.string(expected("a digest string")),
      size: z.number(expected("a number")).int("must be an integer").nonnegative("must not be negative"),
      annotations: z.record(z.string(), z.string()).optional(),
    },
    expected("an object"),
  ),
});

type JwsParts = { payload: string; protected: string; x5c: string[] | null; compact: boolean };

function splitJws(envelope: unknown): Parsed<JwsParts> {
  if (typeof envelope === "string") {
    const parts = envelope.split(".");
    if (parts.length !== 3) return fail("$.envelope", "a compact JWS must have three dot-separated parts");
    const named = { protected: parts[0], payload: parts[1], signature: parts[2] };
    const parsed = parseWith(ZFlattenedJws, named, "$.envelope(compact)");
    return parsed.ok
      ? { ok: true, value: { payload: parsed.value.payload, protected: parsed.value.protected, x5c: null, compact: true } }
      : parsed;
  }
  if (!isRecord(envelope)) return fail("$.envelope", "must be a JWS JSON serialization object or a compact JWS string");
  if (Array.isArray(envelope.signatures)) {
    return fail(
      "$.envelope.signatures",
      "the Notary Project uses the flattened JWS JSON serialization (payload, protected, header, signature)",
    );
  }
  const parsed = parseWith(ZFlattenedJws, envelope, "$.envelope");
  if (!parsed.ok) return parsed;
  if (!parsed.value.header?.x5c) return fail("$.envelope.header.x5c", "is required: the Notary Project signing certificate chain");
  return {
    ok: true,
    value: { payload: parsed.value.payload, protected: parsed.value.protected, x5c: parsed.value.header.x5c, compact: false },
  };
}

function adaptNotationJws(body: Record<string, unknown>, options: Options): Parsed<Accepted> {
  const errors: FieldProblem[] = [];
  if (body.format === "notation" && body.mediaType !== undefined && body.mediaType !== JOSE_MEDIA_TYPE) {
    errors.push({ path: "$.mediaType", message: `must be ${JOSE_MEDIA_TYPE} (or ${COSE_MEDIA_TYPE}, not supported yet)` });
  }
  const artifact = parseDigestField(body.artifact, "$.artifact");
  if (!artifact.ok) errors.push(...artifact.errors);
  const jws = body.envelope === undefined ? fail<JwsParts>("$.envelope", "is required") : splitJws(body.envelope);
  if (!jws.ok) return { ok: false, errors: [...errors, ...jws.errors] };
  const base = jws.value.compact ? "$.envelope(compact)" : "$.envelope";

  let header: z.infer<typeof ZNotaryHeader> | null = null;
  try {
    const parsed = parseWith(ZNotaryHeader, decodeProtectedHeader({ protected: jws.value.protected }), `${base}.protected(decoded)`);
    if (!parsed.ok) errors.push(...parsed.errors);
    else header = parsed.value;
  } catch {
    errors.push({ path: `${base}.protected`, message: "is not a base64url JSON object (JWS protected header)" });
  }
  const payloadPath = `${base}.payload(decoded)`;
  const json = parseJsonBytes(decodeBase64(jws.value.payload) as Buffer, payloadPath, "a Notary Project payload (JSON)");
  const payload = json.ok ? parseWith(ZNotaryPayload, json.value, payloadPath) : json;
  if (!payload.ok) errors.push(...payload.errors);
  const target = payload.ok ? parseDigestField(payload.value.targetArtifact.digest, `${payloadPath}.targetArtifact.digest`) : null;
  if (target && !target.ok) errors.push(...target.errors);

  const chain: CertificateInfo[] = [];
  for (const [i, cert] of (jws.value.x5c ?? []).entries()) {
    const info = parseCertificateDer(decodeBase64(cert) as Buffer);
    if (!info) errors.push({ path: `${base}.header.x5c[${i}]`, message: "is not a base64 DER X.509 certificate" });
    else chain.push(info);
  }
  if (header) {
    const scheme = header["io.cncf.notary.signingScheme"];
    const timeField = scheme === "notary.x509" ? "io.cncf.notary.signingTime" : "io.cncf.notary.authenticSigningTime";
    if (header[timeField] === undefined)
      errors.push({ path: childPath(`${base}.protected(decoded)`, timeField), message: `is required for signing scheme ${scheme}` });
  }
  if (errors.length > 0 || !artifact.ok || !header || !payload.ok || !target?.ok) return { ok: false, errors };

  const notes: string[] = [];
  if (target.value !== artifact.value)
    notes.push(`the envelope signs ${target.value}, not the artifact: the verifier will report a subject mismatch`);
  if (jws.value.compact) notes.push("a compact JWS carries no certificate chain (x5c): the verifier cannot check it");
  const leaf = chain[0];
  const targetArtifact = payload.value.targetArtifact;
  const material: Record<string, unknown> = {
    mediaType: JOSE_MEDIA_TYPE,
    envelope: body.envelope,
    signingScheme: header["io.cncf.notary.signingScheme"],
    targetArtifact: { mediaType: targetArtifact.mediaType, digest: target.value, size: targetArtifact.size },
  };
  const signer: Signer = leaf ? { identity: leaf.subjectDn || null, issuer: leaf.issuerDn || null, keyHint: leaf.fingerprint } : {};
  return {
    ok: true,
    value: {
      documentType: "signature/notation-jws",
      events: [event(options, "notation-jws", artifactRef(artifact.value), signer, material)],
      notes,
    },
  };
}

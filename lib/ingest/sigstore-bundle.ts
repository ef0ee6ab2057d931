// Sigstore bundle v0.1-v0.3 (https://github.com/sigstore/protobuf-specs): structural validation and
// what it says about its signer, plus X.509 helpers shared by the signature adapters. Pure; verifies nothing.
import { X509Certificate as NodeX509Certificate } from "node:crypto";
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  ValidationError,
} from "@sigstore/bundle";
import { X509Certificate as SigstoreX509Certificate } from "@sigstore/core";
import { z } from "zod";
import type { Digest } from "@/lib/domain/digest";
import {
  childPath,
  type DsseEnvelope,
  decodeBase64,
  expected,
  type FieldProblem,
  fail,
  isRecord,
  type Parsed,
  parseDsseEnvelope,
  parseWith,
  zBase64,
} from "./dsse";

export const BUNDLE_MEDIA_TYPES: Record<string, "0.1" | "0.2" | "0.3"> = {
  [BUNDLE_V01_MEDIA_TYPE]: "0.1",
  [BUNDLE_V02_MEDIA_TYPE]: "0.2",
  [BUNDLE_V03_LEGACY_MEDIA_TYPE]: "0.3",
  [BUNDLE_V03_MEDIA_TYPE]: "0.3",
};

/** Fulcio's OIDC issuer extensions: v2 is a DER UTF8String, v1 (deprecated) raw bytes. */
const OID_FULCIO_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
const OID_FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";

// ---------------------------------------------------------------------------------------------
// X.509

export type CertificateInfo = {
  /** SAN URI or email (Fulcio puts the workload or user identity there). */
  identity: string | null;
  /** Fulcio OIDC issuer extension, when present. */
  issuer: string | null;
  subjectDn: string;
  issuerDn: string;
  /** sha256 of the DER encoding, as `sha256:<hex>`. */
  fingerprint: Digest;
};

/** Node gives `C=US\nO=Acme` (or undefined for an empty name, as Fulcio leaves the subject). */
function distinguishedName(multiline: string | undefined): string {
  return (multiline ?? "").split("\n").filter(Boolean).join(", ");
}

/** Parses one DER certificate; null when it is not X.509. */
export function parseCertificateDer(der: Buffer): CertificateInfo | null {
  let cert: NodeX509Certificate;
  try {
    cert = new NodeX509Certificate(der);
  } catch {
    return null;
  }
  let identity: string | null = null;
  let issuer: string | null = null;
  try {
    const parsed = SigstoreX509Certificate.parse(Buffer.from(cert.raw));
    identity = parsed.subjectAltName ?? parsed.extSubjectAltName?.rfc822Name ?? null;
    const v2 = parsed.extension(OID_FULCIO_ISSUER_V2);
    const v1 = parsed.extension(OID_FULCIO_ISSUER_V1);
    issuer = v2 ? (v2.valueObj.subs?.[0]?.value.toString("utf8") ?? null) : v1 ? v1.value.toString("utf8") : null;
  } catch {
    // An unusual extension layout leaves the hints empty; the verifier reads the certificate itself.
  }
  return {
    identity: identity || null,
    issuer: issuer || null,
    subjectDn: distinguishedName(cert.subject),
    issuerDn: distinguishedName(cert.issuer),
    fingerprint: `sha256:${cert.fingerprint256.replaceAll(":", "").toLowerCase()}`,
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Parses a PEM certificate chain (leaf first). Also accepts the base64 of a PEM, as cosign stores it. */
export function parsePemChain(value: unknown, path: string): Parsed<CertificateInfo[]> {
  if (typeof value !== "string" || value.trim() === "") return fail(path, "must be a PEM certificate chain");
  let text = value;
  if (!text.includes("-----BEGIN")) {
    const decoded = decodeBase64(text.trim());
    text = decoded ? decoded.toString("utf8") : text;
  }
  const blocks = [...text.matchAll(PEM_CERTIFICATE)];
  if (blocks.length === 0) return fail(path, "must contain at least one -----BEGIN CERTIFICATE----- block");
  const leftover = text.replace(PEM_CERTIFICATE, "").trim();
  if (leftover !== "") return fail(path, "contains text outside the CERTIFICATE blocks (truncated or not PEM)");
  const chain: CertificateInfo[] = [];
  for (const [i, block] of blocks.entries()) {
    const body = (block[1] ?? "").replace(/\s+/g, "");
    const der = decodeBase64(body);
    const info = der && der.length > 0 ? parseCertificateDer(der) : null;
    if (!info) return fail(path, `certificate ${i + 1} of ${blocks.length} does not parse as X.509`);
    chain.push(info);
  }
  return { ok: true, value: chain };
}

// ---------------------------------------------------------------------------------------------
// Bundle

const zInt64 = z.union([z.string().regex(/^\d+$/, "must be a decimal integer"), z.number().int().nonnegative()]);

const ZTlogEntry = z.object({
  logIndex: zInt64.optional(),
  logId: z.object({ keyId: zBase64 }).optional(),
  kindVersion: z.object({ kind: z.string(), version: z.string() }).optional(),
  integratedTime: zInt64.optional(),
  inclusionPromise: z.object({ signedEntryTimestamp: zBase64 }).optional(),
  inclusionProof: z
    .object({
      logIndex: zInt64.optional(),
      rootHash: zBase64.optional(),
      treeSize: zInt64.optional(),
      hashes: z.array(zBase64).optional(),
      checkpoint: z.object({ envelope: z.string().min(1) }).optional(),
    })
    .optional(),
  canonicalizedBody: zBase64.optional(),
});

const HASH_ALGORITHMS = ["SHA2_256", "SHA2_384", "SHA2_512", "SHA3_256", "SHA3_384"] as const;
const DIGEST_BYTES: Record<(typeof HASH_ALGORITHMS)[number], number> = {
  SHA2_256: 32,
  SHA2_384: 48,
  SHA2_512: 64,
  SHA3_256: 32,
  SHA3_384: 48,
};

const ZBundleJson = z
  .object(
    {
      mediaType: z.string(expected("a string")).refine((m) => m in BUNDLE_MEDIA_TYPES, {
        message: `must be a Sigstore bundle media type: ${Object.keys(BUNDLE_MEDIA_TYPES).join(", ")}`,
      }),
      verificationMaterial: z
        .object(
          {
            publicKey: z.object({ hint: z.string().optional() }).optional(),
            x509CertificateChain: z
              .object({ certificates: z.array(z.object({ rawBytes: zBase64 })).min(1, "needs a certificate") })
              .optional(),
            certificate: z.object({ rawBytes: zBase64 }).optional(),
            tlogEntries: z.array(ZTlogEntry).optional(),
            timestampVerificationData: z
              .object({ rfc3161Timestamps: z.array(z.object({ signedTimestamp: zBase64 })).optional() })
              .optional(),
          },
          expected("an object"),
        )
        .superRefine((vm, ctx) => {
          const present = (["publicKey", "x509CertificateChain", "certificate"] as const).filter((k) => vm[k] !== undefined);
          if (present.length !== 1) {
            ctx.addIssue({
              code: "custom",
              message:
                present.length === 0
                  ? "needs exactly one of publicKey, certificate, x509CertificateChain"
                  : `has ${present.join(" and ")}; exactly one is allowed`,
            });
          }
        }),
      messageSignature: z
        .object({
          messageDigest: z.object({ algorithm: z.enum(HASH_ALGORITHMS), digest: zBase64 }).optional(),
          signature: zBase64,
        })
        .optional(),
      dsseEnvelope: z.unknown().optional(),
    },
    expected("an object"),
  )
  .superRefine((bundle, ctx) => {
    const hasMessage = bundle.messageSignature !== undefined;
    const hasDsse = bundle.dsseEnvelope !== undefined;
    if (hasMessage === hasDsse) {
      ctx.addIssue({
        code: "custom",
        message: hasMessage
          ? "has both messageSignature and dsseEnvelope; exactly one is allowed"
          : "needs messageSignature or dsseEnvelope",
      });
    }
    const md = bundle.messageSignature?.messageDigest;
    const bytes = md ? decodeBase64(md.digest) : null;
    if (md && bytes && bytes.length !== DIGEST_BYTES[md.algorithm]) {
      ctx.addIssue({
        code: "custom",
        path: ["messageSignature", "messageDigest", "digest"],
        message: `a ${md.algorithm} digest has ${DIGEST_BYTES[md.algorithm]} bytes, got ${bytes.length}`,
      });
    }
  });

export type BundleContent =
  | { kind: "messageSignature"; messageDigest: { algorithm: string; digest: Digest | null } | null }
  | { kind: "dsseEnvelope"; envelope: DsseEnvelope };

export type ParsedBundle = {
  mediaType: string;
  version: "0.1" | "0.2" | "0.3";
  content: BundleContent;
  verificationMaterial: "publicKey" | "certificate" | "x509CertificateChain";
  signer: { identity: string | null; issuer: string | null; keyHint: string | null };
  /** Transparency log entry kinds, e.g. hashedrekord/0.0.1, dsse/0.0.1. */
  tlogKinds: string[];
};

/** Maps a @sigstore/bundle ValidationError field (protobuf shape) to the JSON path of the bundle. */
function libraryFieldPath(base: string, field: string): FieldProblem {
  if (field === "verificationMaterial.content.$case") {
    return { path: `${base}.verificationMaterial.x509CertificateChain`, message: "a v0.3 bundle carries one certificate, not a chain" };
  }
  const jsonField = field.replace(/^verificationMaterial\.content\b/, "verificationMaterial").replace(/^content\.?/, "");
  const path = jsonField ? `${base}.${jsonField}` : base;
  if (/inclusionProof\.checkpoint$/.test(field)) return { path, message: "is required" };
  if (/inclusionProof$/.test(field)) return { path, message: "is required from bundle v0.2 on" };
  if (/inclusionPromise$/.test(field)) return { path, message: "is required in a v0.1 bundle" };
  if (/dsseEnvelope\.signatures$/.test(field)) return { path, message: "a bundle's DSSE envelope must have exactly one signature" };
  return { path, message: "is missing or empty" };
}

const MESSAGE_DIGEST_ALGORITHMS: Record<string, "sha256" | "sha512"> = { SHA2_256: "sha256", SHA2_512: "sha512" };

/** Validates a Sigstore bundle given as JSON; `path` names it, e.g. `$.bundle`. */
export function parseSigstoreBundle(value: unknown, path: string): Parsed<ParsedBundle> {
  if (!isRecord(value)) return fail(path, "must be a Sigstore bundle object");
  const shape = parseWith(ZBundleJson, value, path);
  if (!shape.ok) return shape;
  let envelope: DsseEnvelope | null = null;
  if (shape.value.dsseEnvelope !== undefined) {
    const dsse = parseDsseEnvelope(shape.value.dsseEnvelope, childPath(path, "dsseEnvelope"));
    if (!dsse.ok) return dsse;
    envelope = dsse.value;
  }
  try {
    bundleFromJSON(value);
  } catch (error) {
    if (error instanceof ValidationError) {
      const fields = error.fields?.length ? error.fields : [""];
      return { ok: false, errors: fields.slice(0, 50).map((f) => libraryFieldPath(path, f)) };
    }
    return fail(path, "is not a valid Sigstore bundle");
  }

  const json = shape.value;
  const vm = json.verificationMaterial;
  const signer: ParsedBundle["signer"] = { identity: null, issuer: null, keyHint: null };
  let material: ParsedBundle["verificationMaterial"] = "publicKey";
  const leafB64 = vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates[0]?.rawBytes;
  if (vm.x509CertificateChain) {
    material = "x509CertificateChain";
    for (const [i, cert] of vm.x509CertificateChain.certificates.entries()) {
      if (!parseCertificateDer(decodeBase64(cert.rawBytes) as Buffer)) {
        return fail(`${path}.verificationMaterial.x509CertificateChain.certificates[${i}].rawBytes`, "is not a DER X.509 certificate");
      }
    }
  } else if (vm.certificate) {
    material = "certificate";
  } else {
    signer.keyHint = vm.publicKey?.hint || null;
  }
  if (leafB64 !== undefined) {
    const leaf = parseCertificateDer(decodeBase64(leafB64) as Buffer);
    if (!leaf) {
      const leafPath = vm.certificate
        ? `${path}.verificationMaterial.certificate.rawBytes`
        : `${path}.verificationMaterial.x509CertificateChain.certificates[0].rawBytes`;
      return fail(leafPath, "is not a DER X.509 certificate");
    }
    signer.identity = leaf.identity;
    signer.issuer = leaf.issuer;
  }

  let content: BundleContent;
  if (envelope) {
    content = { kind: "dsseEnvelope", envelope };
  } else {
    const md = json.messageSignature?.messageDigest;
    const algorithm = md ? MESSAGE_DIGEST_ALGORITHMS[md.algorithm] : undefined;
    const hex = md ? (decodeBase64(md.digest) as Buffer).toString("hex") : null;
    content = {
      kind: "messageSignature",
      messageDigest: md ? { algorithm: md.algorithm, digest: algorithm && hex ? `${algorithm}:${hex}` : null } : null,
    };
  }

  return {
    ok: true,
    value: {
      mediaType: json.mediaType,
      version: BUNDLE_MEDIA_TYPES[json.mediaType] ?? "0.3",
      content,
      verificationMaterial: material,
      signer,
      tlogKinds: (vm.tlogEntries ?? []).flatMap((e) => (e.kindVersion ? [`${e.kindVersion.kind}/${e.kindVersion.version}`] : [])),
    },
  };
}

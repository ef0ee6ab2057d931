// X.509 for the verifiers: certificate parsing, issuer links checked with node:crypto (checkIssued +
// verify), path building to trust anchors, CA/leaf profile checks, validity, SAN, Fulcio issuer and DNs.
// Pure: every time is passed in.
import { type KeyObject, X509Certificate as NodeX509Certificate } from "node:crypto";
import { X509Certificate as Asn1Certificate } from "@sigstore/core";
import { decodeBase64, type Result } from "./keys";

/** Fulcio's OIDC issuer extensions: v2 is a DER UTF8String, v1 (deprecated) raw bytes. */
export const OID_FULCIO_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
export const OID_FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
export const OID_EKU_CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
const OID_EKU_ANY = "2.5.29.37.0";
const OID_EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const OID_EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const OID_EKU_EMAIL = "1.3.6.1.5.5.7.3.4";
const OID_EKU_TIMESTAMPING = "1.3.6.1.5.5.7.3.8";

/** Certificate signature algorithms no verifier accepts (SHA-1, MD5). */
const WEAK_SIGNATURE_OIDS: Record<string, string> = {
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10040.4.3": "dsa-with-SHA1",
};

export type DnAttribute = { type: string; value: string };

export type Certificate = {
  der: Buffer;
  node: NodeX509Certificate;
  asn1: Asn1Certificate;
  /** The subject public key (read eagerly: a certificate whose key does not decode does not parse). */
  publicKey: KeyObject;
  /** `sha256:<hex>` of the DER encoding. */
  fingerprint: string;
  /** `C=US, O=Acme, CN=leaf`: node's RFC 2253-escaped attributes in certificate order, as lib/ingest shows them. */
  subjectDn: string;
  issuerDn: string;
  subject: DnAttribute[];
  issuer: DnAttribute[];
  notBefore: Date;
  notAfter: Date;
};

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses one DER certificate with both node (crypto) and @sigstore/core (extensions); null if either refuses. */
export function parseCertificateDer(der: Uint8Array): Certificate | null {
  const bytes = Buffer.from(der);
  try {
    const node = new NodeX509Certificate(bytes);
    const asn1 = Asn1Certificate.parse(Buffer.from(node.raw));
    // Both parsers must agree on the bytes: trailing garbage or a re-encoding is not the same certificate.
    if (!Buffer.from(node.raw).equals(bytes)) return null;
    const publicKey = node.publicKey;
    const subjectLines = dnLines(node.subject);
    const issuerLines = dnLines(node.issuer);
    return {
      der: bytes,
      node,
      asn1,
      publicKey,
      fingerprint: `sha256:${node.fingerprint256.replaceAll(":", "").toLowerCase()}`,
      subjectDn: subjectLines.join(", "),
      issuerDn: issuerLines.join(", "),
      subject: subjectLines.flatMap(parseRdn),
      issuer: issuerLines.flatMap(parseRdn),
      notBefore: asn1.notBefore,
      notAfter: asn1.notAfter,
    };
  } catch {
    return null;
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Parses a PEM certificate list (also the base64 of one, as cosign stores it). Empty text is an empty list. */
export function parseCertificatesPem(text: string): Result<Certificate[]> {
  let pem = text;
  if (pem.trim() !== "" && !pem.includes("-----BEGIN")) {
    const decoded = decodeBase64(pem.trim());
    if (!decoded) return { ok: false, reason: "is neither PEM nor base64-encoded PEM" };
    pem = decoded.toString("utf8");
  }
  const blocks = [...pem.matchAll(PEM_CERTIFICATE)];
  if (pem.replace(PEM_CERTIFICATE, "").trim() !== "") return { ok: false, reason: "has text outside its CERTIFICATE blocks" };
  const certificates: Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    const der = decodeBase64(block[1] ?? "");
    const certificate = der && der.length > 0 ? parseCertificateDer(der) : null;
    if (!certificate) return { ok: false, reason: `certificate ${i + 1} of ${blocks.length} does not parse as X.509` };
    certificates.push(certificate);
  }
  return { ok: true, value: certificates };
}

// ---------------------------------------------------------------------------------------------
// Distinguished names

function dnLines(multiline: string | undefined): string[] {
  return (multiline ?? "").split("\n").filter((line) => line !== "");
}

/** Splits on separators not escaped with a backslash. */
function splitUnescaped(text: string, separators: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (separators.includes(c)) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** RFC 4514 value unescaping: \, \+ \" \\ ... and \XX hex pairs (UTF-8). */
function unescapeDnValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === "\\" && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === "\\" && i + 1 < value.length) {
      bytes.push(...Buffer.from(value[i + 1] as string, "utf8"));
      i++;
    } else bytes.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

const TYPE_ALIASES: Record<string, string> = { COMMONNAME: "CN", E: "EMAILADDRESS", S: "ST", STATEORPROVINCENAME: "ST" };

function parseRdn(rdn: string): DnAttribute[] {
  return splitUnescaped(rdn, "+").flatMap((pair) => {
    const eq = pair.indexOf("=");
    if (eq <= 0) return [];
    const type = pair.slice(0, eq).trim().toUpperCase();
    return [{ type: TYPE_ALIASES[type] ?? type, value: unescapeDnValue(pair.slice(eq + 1).trim()) }];
  });
}

/** Parses `CN=leaf, O=Acme, C=US` (RFC 4514 or the Go/OpenSSL one-line forms; any order). */
export function parseDistinguishedName(text: string): DnAttribute[] | null {
  const attributes = splitUnescaped(text, ",;").flatMap((rdn) => (rdn.trim() === "" ? [] : parseRdn(rdn.trim())));
  return attributes.length > 0 ? attributes : null;
}

/** The same attributes with the same values, in any order (notation prints CN first, node C first). */
export function sameDistinguishedName(a: DnAttribute[], b: DnAttribute[]): boolean {
  if (a.length !== b.length) return false;
  const key = (x: DnAttribute) => `${x.type}=${x.value}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((value, i) => value === right[i]);
}

// ---------------------------------------------------------------------------------------------
// Extensions

/** SAN URI or email (Fulcio puts the workload or user identity there). */
export function subjectAltNameIdentity(certificate: Certificate): string | null {
  try {
    const san = certificate.asn1.extSubjectAltName;
    return san?.uri ?? san?.rfc822Name ?? null;
  } catch {
    return null;
  }
}

/** The Fulcio OIDC issuer: the v2 extension (DER UTF8String) when present, else v1 (raw bytes). */
export function fulcioIssuer(certificate: Certificate): string | null {
  try {
    const v2 = certificate.asn1.extension(OID_FULCIO_ISSUER_V2);
    if (v2) {
      const value = v2.valueObj.subs[0];
      return value && value.tag.number === 0x0c ? value.value.toString("utf8") : null;
    }
    const v1 = certificate.asn1.extension(OID_FULCIO_ISSUER_V1);
    return v1 ? v1.value.toString("utf8") : null;
  } catch {
    return null;
  }
}

type KeyUsage = { critical: boolean; bits: number[] } | null;
type BasicConstraints = { isCA: boolean; critical: boolean; pathLen: bigint | undefined } | null;

/** keyUsage (2.5.29.15); a malformed extension reads as one that allows nothing. */
function keyUsage(certificate: Certificate): KeyUsage {
  const extension = certificate.asn1.extension("2.5.29.15");
  if (!extension) return null;
  try {
    return { critical: extension.critical, bits: extension.valueObj.subs[0]?.toBitString() ?? [] };
  } catch {
    return { critical: extension.critical, bits: [] };
  }
}

/** basicConstraints (2.5.29.19); a malformed extension reads as "not a CA". */
function basicConstraints(certificate: Certificate): BasicConstraints {
  const extension = certificate.asn1.extBasicConstraints;
  if (!extension) return null;
  try {
    return { isCA: extension.isCA, critical: extension.critical, pathLen: extension.pathLenConstraint };
  } catch {
    return { isCA: false, critical: extension.critical, pathLen: undefined };
  }
}

const KU = {
  digitalSignature: 0,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
};

function hasBit(usage: KeyUsage, bit: number): boolean {
  return usage?.bits[bit] === 1;
}

function extendedKeyUsage(certificate: Certificate): string[] | null {
  // node 20 names the extended key usage `keyUsage` (undefined when the extension is absent).
  const usage = certificate.node.keyUsage as string[] | undefined;
  return usage ?? null;
}

function signatureAlgorithmOid(certificate: Certificate): string | null {
  try {
    return certificate.asn1.root.subs[1]?.subs[0]?.toOID() ?? null;
  } catch {
    return null;
  }
}

export function describeCertificate(certificate: Certificate): string {
  return certificate.subjectDn || certificate.fingerprint;
}

// ---------------------------------------------------------------------------------------------
// Issuer links and paths

export type Link = "issued" | "not-issuer" | "bad-signature";

/** Whether `parent` issued `child`: names (and key ids) agree per checkIssued, then the signature verifies. */
export function issuerLink(child: Certificate, parent: Certificate): Link {
  if (!child.node.checkIssued(parent.node)) return "not-issuer";
  try {
    return child.node.verify(parent.publicKey) ? "issued" : "bad-signature";
  } catch {
    return "bad-signature";
  }
}

export function isSelfSigned(certificate: Certificate): boolean {
  return issuerLink(certificate, certificate) === "issued";
}

export type ChainFailure = { ok: false; verdict: "invalid" | "untrusted"; reason: string };
export type TrustedPath = { ok: true; path: Certificate[]; anchorIndex: number };

const MAX_PATH_LENGTH = 8;

/**
 * Builds a path leaf -> (intermediates) -> anchor. A certificate equal to an anchor, or issued by one,
 * ends the path. A certificate whose named issuer is present but whose signature fails under it makes
 * the answer `invalid` (tampering); no issuer at all makes it `untrusted`.
 */
export function buildTrustedPath(options: {
  leaf: Certificate;
  intermediates: Certificate[];
  anchors: Certificate[];
}): TrustedPath | ChainFailure {
  const { leaf, intermediates, anchors } = options;
  const broken: string[] = [];
  const isAnchor = (c: Certificate) => anchors.some((a) => a.der.equals(c.der));

  const extend = (path: Certificate[]): TrustedPath | null => {
    const current = path[path.length - 1] as Certificate;
    if (isAnchor(current)) return { ok: true, path, anchorIndex: path.length - 1 };
    for (const anchor of anchors) {
      const link = issuerLink(current, anchor);
      if (link === "issued") return { ok: true, path: [...path, anchor], anchorIndex: path.length };
      if (link === "bad-signature") broken.push(`${describeCertificate(current)} does not verify under ${describeCertificate(anchor)}`);
    }
    if (path.length >= MAX_PATH_LENGTH) return null;
    for (const candidate of intermediates) {
      if (path.some((c) => c.der.equals(candidate.der))) continue;
      const link = issuerLink(current, candidate);
      if (link === "bad-signature") broken.push(`${describeCertificate(current)} does not verify under ${describeCertificate(candidate)}`);
      if (link !== "issued") continue;
      const found = extend([...path, candidate]);
      if (found) return found;
    }
    return null;
  };

  if (anchors.length === 0) return { ok: false, verdict: "untrusted", reason: "no trust anchors (roots) are configured" };
  const found = extend([leaf]);
  if (found) return found;
  if (broken.length > 0) return { ok: false, verdict: "invalid", reason: `certificate signature check failed: ${broken[0]}` };
  return { ok: false, verdict: "untrusted", reason: `${describeCertificate(leaf)} does not chain to a trusted root` };
}

/** An x5c-style list (leaf first, each issued by the next, ending in a self-signed root); the reason if not. */
export function checkOrderedChain(chain: Certificate[]): string | null {
  if (chain.length === 0) return "the certificate chain is empty";
  if (chain.length > MAX_PATH_LENGTH) return `the certificate chain has more than ${MAX_PATH_LENGTH} certificates`;
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i] as Certificate;
    const parent = chain[i + 1] as Certificate;
    const link = issuerLink(child, parent);
    if (link === "bad-signature") return `certificate ${i + 1} (${describeCertificate(child)}) does not verify under certificate ${i + 2}`;
    if (link === "not-issuer")
      return `certificate ${i + 2} did not issue certificate ${i + 1}: the chain is not in order or holds an unrelated certificate`;
  }
  const root = chain[chain.length - 1] as Certificate;
  if (!root.node.checkIssued(root.node)) return "the chain does not end with a root (self-signed) certificate";
  if (!isSelfSigned(root)) return `the root certificate's self-signature does not verify (${describeCertificate(root)})`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Profiles

export type Profile = "fulcio" | "notary";

/**
 * CA and leaf requirements along a path (leaf first). `notary` applies the Notary Project certificate
 * requirements (critical basicConstraints and keyUsage on CAs, a digitalSignature-only leaf, no
 * SHA-1); `fulcio` the RFC 5280 basics plus a codeSigning leaf.
 */
export function profileProblem(path: Certificate[], profile: Profile): string | null {
  for (const [i, certificate] of path.entries()) {
    const weak = WEAK_SIGNATURE_OIDS[signatureAlgorithmOid(certificate) ?? ""];
    // A self-signed anchor's own signature protects nothing: only the links below it need strength.
    if (weak && !(i === path.length - 1 && isSelfSigned(certificate) && profile === "fulcio")) {
      return `${describeCertificate(certificate)} is signed with ${weak}`;
    }
  }
  const isLeafOnly = path.length === 1;
  for (const [i, certificate] of path.entries()) {
    if (i === 0 || isLeafOnly) continue;
    const name = describeCertificate(certificate);
    const constraints = basicConstraints(certificate);
    if (!constraints?.isCA) return `${name} is not a CA certificate (basicConstraints cA is not true)`;
    if (profile === "notary" && !constraints.critical) return `${name}: basicConstraints must be critical`;
    const usage = keyUsage(certificate);
    if (profile === "notary" && !usage?.critical) return `${name}: keyUsage must be present and critical`;
    if (usage && !hasBit(usage, KU.keyCertSign)) return `${name}: keyUsage does not allow keyCertSign`;
    const pathLen = constraints.pathLen;
    // Intermediates below certificate i, not counting the leaf.
    if (pathLen !== undefined && BigInt(i - 1) > pathLen) return `${name}: pathLenConstraint ${pathLen} is exceeded`;
  }
  return leafProblem(path[0] as Certificate, profile);
}

function leafProblem(leaf: Certificate, profile: Profile): string | null {
  const name = describeCertificate(leaf);
  const constraints = basicConstraints(leaf);
  const usage = keyUsage(leaf);
  const eku = extendedKeyUsage(leaf);
  if (profile === "fulcio") {
    if (constraints?.isCA) return `${name}: a signing certificate must not be a CA`;
    if (usage && !hasBit(usage, KU.digitalSignature)) return `${name}: keyUsage does not allow digitalSignature`;
    if (!eku?.includes(OID_EKU_CODE_SIGNING)) return `${name}: extendedKeyUsage does not include codeSigning`;
    return null;
  }
  // A self-signed-only chain is its own leaf: the spec then applies the leaf rules to it.
  if (constraints?.isCA && !isSelfSigned(leaf)) return `${name}: a signing certificate must not be a CA`;
  if (!usage?.critical) return `${name}: keyUsage must be present and critical`;
  if (!hasBit(usage, KU.digitalSignature)) return `${name}: keyUsage must allow digitalSignature`;
  const forbidden = (
    ["keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"] as const
  ).find((bit) => hasBit(usage, KU[bit]));
  if (forbidden) return `${name}: keyUsage must not allow ${forbidden}`;
  const badEku = eku?.find((oid) =>
    [OID_EKU_ANY, OID_EKU_SERVER_AUTH, OID_EKU_CLIENT_AUTH, OID_EKU_EMAIL, OID_EKU_TIMESTAMPING].includes(oid),
  );
  if (badEku) return `${name}: extendedKeyUsage ${badEku} is not allowed on a signing certificate`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Validity

export function isValidAt(certificate: Certificate, at: Date): boolean {
  return certificate.notBefore.getTime() <= at.getTime() && at.getTime() <= certificate.notAfter.getTime();
}

/** The first certificate of the path not valid at `at`, with a reason. */
export function invalidAt(path: Certificate[], at: Date): string | null {
  const bad = path.find((c) => !isValidAt(c, at));
  if (!bad) return null;
  const when =
    bad.notBefore.getTime() > at.getTime() ? `only valid from ${bad.notBefore.toISOString()}` : `expired ${bad.notAfter.toISOString()}`;
  return `${describeCertificate(bad)} is not valid at ${at.toISOString()} (${when})`;
}

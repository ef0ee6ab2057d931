// Test-only X.509 builder: a minimal DER encoder that issues real, signed certificates (root ->
// intermediate -> leaf) with node:crypto keys, because Node has no certificate builder.
// Imported by lib/verify/*.test.ts only; nothing in the application uses it.
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";

// ---------------------------------------------------------------------------------------------
// DER

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const printable = (s: string) => tlv(0x13, Buffer.from(s, "ascii"));
const bool = (b: boolean) => tlv(0x01, Buffer.from([b ? 0xff : 0x00]));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);

function integer(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, "hex");
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map((p) => BigInt(p));
  const [first = 0n, second = 0n, ...rest] = parts;
  const out: number[] = [Number(first * 40n + second)];
  for (const part of rest) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] ?? 0) | 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

// ---------------------------------------------------------------------------------------------
// Certificates

const NAME_OIDS: Record<string, string> = { C: "2.5.4.6", ST: "2.5.4.8", L: "2.5.4.7", O: "2.5.4.10", OU: "2.5.4.11", CN: "2.5.4.3" };

/** `[["C", "US"], ["O", "Acme"], ["CN", "leaf"]]`, in certificate order. */
export type NameSpec = Array<[keyof typeof NAME_OIDS | string, string]>;

function name(spec: NameSpec): Buffer {
  return seq(...spec.map(([type, value]) => set(seq(oid(NAME_OIDS[type] ?? type), type === "C" ? printable(value) : utf8(value)))));
}

export const KEY_USAGE = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export const EKU = {
  codeSigning: "1.3.6.1.5.5.7.3.3",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  timeStamping: "1.3.6.1.5.5.7.3.8",
} as const;

function keyUsageBits(bits: number[]): Buffer {
  let mask = 0;
  for (const b of bits) mask |= 0x80 >> b;
  if (mask === 0) return bitString(Buffer.from([0]), 0);
  let unused = 0;
  while (((mask >> unused) & 1) === 0) unused++;
  return bitString(Buffer.from([mask]), unused);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

export type CertificateSpec = {
  subject: NameSpec;
  /** The subject key. */
  publicKey: KeyObject;
  /** Issuer certificate and key; omitted = self-signed with `signingKey` (or the subject key pair's private key). */
  issuer?: { certificate: IssuedCertificate };
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  serial?: bigint;
  /** basicConstraints: omitted = no extension. */
  ca?: { isCA: boolean; pathLen?: number; critical?: boolean };
  keyUsage?: { bits: Array<keyof typeof KEY_USAGE>; critical?: boolean };
  extKeyUsage?: string[];
  /** SAN URI (Fulcio workload identity) or email. */
  sanUri?: string;
  sanEmail?: string;
  /** Fulcio OIDC issuer: v1 extension (raw bytes) and/or v2 (DER UTF8String). */
  fulcioIssuerV1?: string;
  fulcioIssuerV2?: string;
  /** Override the signature algorithm OID (e.g. to claim SHA-1); the signature itself still uses `hash`. */
  signatureOid?: string;
};

export type IssuedCertificate = { der: Buffer; pem: string; subject: NameSpec; publicKey: KeyObject; privateKey?: KeyObject };

function signatureAlgorithm(key: KeyObject): { oid: string; hash: string | null; params: Buffer | null } {
  switch (key.asymmetricKeyType) {
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === "secp384r1") return { oid: "1.2.840.10045.4.3.3", hash: "sha384", params: null };
      if (curve === "secp521r1") return { oid: "1.2.840.10045.4.3.4", hash: "sha512", params: null };
      return { oid: "1.2.840.10045.4.3.2", hash: "sha256", params: null };
    }
    case "ed25519":
      return { oid: "1.3.101.112", hash: null, params: null };
    case "rsa":
      return { oid: "1.2.840.113549.1.1.11", hash: "sha256", params: tlv(0x05, Buffer.alloc(0)) };
    default:
      throw new Error(`test-pki: unsupported signing key ${key.asymmetricKeyType}`);
  }
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

export function pemOf(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der
    .toString("base64")
    .match(/.{1,64}/g)
    ?.join("\n")}\n-----END CERTIFICATE-----\n`;
}

export function issueCertificate(spec: CertificateSpec): IssuedCertificate {
  const algorithm = signatureAlgorithm(spec.signingKey);
  const algorithmId = seq(oid(spec.signatureOid ?? algorithm.oid), ...(algorithm.params ? [algorithm.params] : []));
  const issuerName = spec.issuer ? spec.issuer.certificate.subject : spec.subject;
  const issuerPublicKey = spec.issuer ? spec.issuer.certificate.publicKey : spec.publicKey;

  const extensions: Buffer[] = [];
  if (spec.ca) {
    const fields = [...(spec.ca.isCA ? [bool(true)] : []), ...(spec.ca.pathLen !== undefined ? [integer(BigInt(spec.ca.pathLen))] : [])];
    extensions.push(extension("2.5.29.19", spec.ca.critical ?? true, seq(...fields)));
  }
  if (spec.keyUsage) {
    extensions.push(extension("2.5.29.15", spec.keyUsage.critical ?? true, keyUsageBits(spec.keyUsage.bits.map((b) => KEY_USAGE[b]))));
  }
  if (spec.extKeyUsage) extensions.push(extension("2.5.29.37", false, seq(...spec.extKeyUsage.map(oid))));
  extensions.push(extension("2.5.29.14", false, octets(keyId(spec.publicKey))));
  extensions.push(extension("2.5.29.35", false, seq(tlv(0x80, keyId(issuerPublicKey)))));
  const san: Buffer[] = [];
  if (spec.sanUri) san.push(tlv(0x86, Buffer.from(spec.sanUri)));
  if (spec.sanEmail) san.push(tlv(0x81, Buffer.from(spec.sanEmail)));
  if (san.length > 0) extensions.push(extension("2.5.29.17", true, seq(...san)));
  if (spec.fulcioIssuerV1) extensions.push(extension("1.3.6.1.4.1.57264.1.1", false, Buffer.from(spec.fulcioIssuerV1)));
  if (spec.fulcioIssuerV2) extensions.push(extension("1.3.6.1.4.1.57264.1.8", false, utf8(spec.fulcioIssuerV2)));

  const tbs = seq(
    explicit(0, integer(2n)),
    integer(
      spec.serial ??
        BigInt(`0x${createHash("sha256").update(JSON.stringify(spec.subject)).update(String(Math.random())).digest("hex").slice(0, 30)}`),
    ),
    algorithmId,
    name(issuerName),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spec.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign(algorithm.hash, tbs, spec.signingKey);
  const der = seq(tbs, algorithmId, bitString(signature));
  return { der, pem: pemOf(der), subject: spec.subject, publicKey: spec.publicKey };
}

// ---------------------------------------------------------------------------------------------
// Ready-made chains

export type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };

export function ecKeyPair(curve: "P-256" | "P-384" | "P-521" = "P-256"): KeyPair {
  return generateKeyPairSync("ec", { namedCurve: curve });
}

export type Chain = {
  root: IssuedCertificate & { privateKey: KeyObject };
  intermediate: IssuedCertificate & { privateKey: KeyObject };
  leaf: IssuedCertificate & { privateKey: KeyObject };
};

export type ChainOptions = {
  notBefore: Date;
  notAfter: Date;
  /** Leaf validity, when it differs from the CA's. */
  leafNotBefore?: Date;
  leafNotAfter?: Date;
  leafKey?: KeyPair;
  leafSubject?: NameSpec;
  rootSubject?: NameSpec;
  /** Extra or replacement leaf fields (SAN, Fulcio issuer, key usage...). */
  leaf?: Partial<CertificateSpec>;
  intermediateCa?: CertificateSpec["ca"];
};

/** root -> intermediate -> leaf, all ECDSA P-256 unless a leaf key is given. */
export function issueChain(options: ChainOptions): Chain {
  const rootKey = ecKeyPair();
  const intermediateKey = ecKeyPair();
  const leafKey = options.leafKey ?? ecKeyPair();
  const root = issueCertificate({
    subject: options.rootSubject ?? [
      ["C", "US"],
      ["O", "Acme Test"],
      ["CN", "Acme Test Root"],
    ],
    publicKey: rootKey.publicKey,
    signingKey: rootKey.privateKey,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    ca: { isCA: true, pathLen: 1 },
    keyUsage: { bits: ["keyCertSign", "cRLSign"] },
  });
  const intermediate = issueCertificate({
    subject: [
      ["C", "US"],
      ["O", "Acme Test"],
      ["CN", "Acme Test Intermediate"],
    ],
    publicKey: intermediateKey.publicKey,
    issuer: { certificate: root },
    signingKey: rootKey.privateKey,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    ca: options.intermediateCa ?? { isCA: true, pathLen: 0 },
    keyUsage: { bits: ["keyCertSign", "cRLSign"] },
  });
  const leaf = issueCertificate({
    subject: options.leafSubject ?? [
      ["C", "US"],
      ["O", "Acme"],
      ["CN", "release signer"],
    ],
    publicKey: leafKey.publicKey,
    issuer: { certificate: intermediate },
    signingKey: intermediateKey.privateKey,
    notBefore: options.leafNotBefore ?? options.notBefore,
    notAfter: options.leafNotAfter ?? options.notAfter,
    ca: { isCA: false },
    keyUsage: { bits: ["digitalSignature"] },
    extKeyUsage: [EKU.codeSigning],
    ...options.leaf,
  });
  return {
    root: { ...root, privateKey: rootKey.privateKey },
    intermediate: { ...intermediate, privateKey: intermediateKey.privateKey },
    leaf: { ...leaf, privateKey: leafKey.privateKey },
  };
}

/** One flipped bit at `offset` (negative counts from the end). */
export function flipByte(bytes: Uint8Array, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  const i = offset < 0 ? copy.length + offset : offset;
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
}

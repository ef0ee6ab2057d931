// Signature verification over a precomputed digest (the artefact's bytes are not at hand). node:crypto
// always hashes the message itself, so ECDSA is checked here with BigInt arithmetic and RSA PKCS#1 v1.5
// by recovering the DigestInfo. Verification uses only public data, so constant time is not needed.
import { constants, type KeyObject, publicDecrypt } from "node:crypto";

export type PrehashAlgorithm = "sha256" | "sha384" | "sha512";

/** true/false when the key type supports a prehashed check; "unsupported" otherwise (Ed25519, RSA-PSS, other curves). */
export type PrehashedResult = boolean | "unsupported";

const DIGEST_BYTES: Record<PrehashAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

// DER DigestInfo prefixes (RFC 8017 section 9.2, note 1).
const DIGEST_INFO_PREFIX: Record<PrehashAlgorithm, string> = {
  sha256: "3031300d060960864801650304020105000420",
  sha384: "3041300d060960864801650304020205000430",
  sha512: "3051300d060960864801650304020305000440",
};

type Curve = { p: bigint; a: bigint; b: bigint; gx: bigint; gy: bigint; n: bigint };

// SEC 2 / FIPS 186-4 parameters; a = p - 3 for both.
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P384_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn;
const CURVES: Record<string, Curve> = {
  prime256v1: {
    p: P256_P,
    a: P256_P - 3n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  secp384r1: {
    p: P384_P,
    a: P384_P - 3n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
};

/** Verifies `signature` over `digest` (already hashed with `algorithm`) under `key`. */
export function verifyPrehashed(input: {
  key: KeyObject;
  digest: Uint8Array;
  algorithm: PrehashAlgorithm;
  signature: Uint8Array;
}): PrehashedResult {
  const { key, digest, algorithm, signature } = input;
  if (digest.length !== DIGEST_BYTES[algorithm]) return false;
  if (key.type !== "public") return "unsupported";
  switch (key.asymmetricKeyType) {
    case "ec": {
      const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""];
      return curve ? verifyEcdsa(curve, key, digest, signature) : "unsupported";
    }
    case "rsa":
      return verifyRsaPkcs1(key, digest, algorithm, signature);
    default:
      return "unsupported";
  }
}

// ---------------------------------------------------------------------------------------------
// RSA PKCS#1 v1.5: the signature, raised to e, must be exactly the padded DigestInfo of the digest.

function verifyRsaPkcs1(key: KeyObject, digest: Uint8Array, algorithm: PrehashAlgorithm, signature: Uint8Array): boolean {
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  const expected = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[algorithm], "hex"), digest]);
  return recovered.equals(expected);
}

// ---------------------------------------------------------------------------------------------
// ECDSA (SEC 1 section 4.1.4)

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Inverse modulo a prime. */
function modInverse(a: bigint, m: bigint): bigint {
  return modPow(a, m - 2n, m);
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

/** Jacobian point; z = 0 is the point at infinity. */
type Point = { x: bigint; y: bigint; z: bigint };
const INFINITY: Point = { x: 1n, y: 1n, z: 0n };

// dbl-2001-b, valid for a = -3.
function double(c: Curve, q: Point): Point {
  if (q.z === 0n || q.y === 0n) return INFINITY;
  const { p } = c;
  const delta = (q.z * q.z) % p;
  const gamma = (q.y * q.y) % p;
  const beta = (q.x * gamma) % p;
  const alpha = mod(3n * (q.x - delta) * (q.x + delta), p);
  const x = mod(alpha * alpha - 8n * beta, p);
  const z = mod((q.y + q.z) * (q.y + q.z) - gamma - delta, p);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, p);
  return { x, y, z };
}

function add(c: Curve, a: Point, b: Point): Point {
  if (a.z === 0n) return b;
  if (b.z === 0n) return a;
  const { p } = c;
  const z1z1 = (a.z * a.z) % p;
  const z2z2 = (b.z * b.z) % p;
  const u1 = (a.x * z2z2) % p;
  const u2 = (b.x * z1z1) % p;
  const s1 = (((a.y * b.z) % p) * z2z2) % p;
  const s2 = (((b.y * a.z) % p) * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? double(c, a) : INFINITY;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = (h * h) % p;
  const hhh = (hh * h) % p;
  const v = (u1 * hh) % p;
  const x = mod(r * r - hhh - 2n * v, p);
  const y = mod(r * (v - x) - s1 * hhh, p);
  const z = (((a.z * b.z) % p) * h) % p;
  return { x, y, z };
}

/** u1*G + u2*Q in one pass (Shamir's trick). */
function twoMultiply(c: Curve, u1: bigint, g: Point, u2: bigint, q: Point): Point {
  const gq = add(c, g, q);
  const bits = Math.max(u1.toString(2).length, u2.toString(2).length);
  let r = INFINITY;
  for (let i = bits - 1; i >= 0; i--) {
    r = double(c, r);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) r = add(c, r, gq);
    else if (b1) r = add(c, r, g);
    else if (b2) r = add(c, r, q);
  }
  return r;
}

function isOnCurve(c: Curve, x: bigint, y: bigint): boolean {
  if (x < 0n || x >= c.p || y < 0n || y >= c.p) return false;
  return mod(y * y - (x * x * x + c.a * x + c.b), c.p) === 0n;
}

/** Reads a DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) strictly; null when malformed. */
export function parseDerEcdsaSignature(sig: Uint8Array): { r: bigint; s: bigint } | null {
  let offset = 0;
  const readLength = (): number | null => {
    const first = sig[offset++];
    if (first === undefined) return null;
    if (first < 0x80) return first;
    if (first !== 0x81) return null; // r and s of P-256/P-384 never need more than one length byte
    const len = sig[offset++];
    return len !== undefined && len >= 0x80 ? len : null;
  };
  const readInteger = (): bigint | null => {
    if (sig[offset++] !== 0x02) return null;
    const len = readLength();
    if (len === null || len === 0 || offset + len > sig.length) return null;
    const bytes = sig.subarray(offset, offset + len);
    offset += len;
    const [b0, b1] = [bytes[0] ?? 0, bytes[1] ?? 0];
    if (b0 & 0x80) return null; // negative
    if (len > 1 && b0 === 0 && !(b1 & 0x80)) return null; // non-minimal
    return bytesToBigInt(bytes);
  };
  if (sig[offset++] !== 0x30) return null;
  const total = readLength();
  if (total === null || offset + total !== sig.length) return null;
  const r = readInteger();
  const s = readInteger();
  if (r === null || s === null || offset !== sig.length) return null;
  return { r, s };
}

function verifyEcdsa(c: Curve, key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const parsed = parseDerEcdsaSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const jwk = key.export({ format: "jwk" });
  if (typeof jwk.x !== "string" || typeof jwk.y !== "string") return false;
  const qx = bytesToBigInt(Buffer.from(jwk.x, "base64url"));
  const qy = bytesToBigInt(Buffer.from(jwk.y, "base64url"));
  if (!isOnCurve(c, qx, qy)) return false;
  // e = the leftmost bitlen(n) bits of the digest
  const nBits = c.n.toString(2).length;
  let e = bytesToBigInt(digest);
  const digestBits = digest.length * 8;
  if (digestBits > nBits) e >>= BigInt(digestBits - nBits);
  const w = modInverse(s, c.n);
  const u1 = mod(e * w, c.n);
  const u2 = mod(r * w, c.n);
  const point = twoMultiply(c, u1, { x: c.gx, y: c.gy, z: 1n }, u2, { x: qx, y: qy, z: 1n });
  if (point.z === 0n) return false;
  const zInv = modInverse(point.z, c.p);
  const x = (point.x * ((zInv * zInv) % c.p)) % c.p;
  return mod(x, c.n) === r;
}

// OpenPGP detached signatures (usually over a SHA256SUMS file) against trusted OpenPGP keys.
// Pure: the clock is `now`; every openpgp.js call that would default to the system clock gets a date.
//
// The armored block must parse and encode its MPIs canonically (else `invalid`). Then, per signature
// packet, the first failure is the verdict:
//   issuer is a trusted key (else `untrusted`, known only from the issuer key id or
//   fingerprint) -> cryptography (else `invalid`) -> the key's own state at the signature's creation
//   time (OpenPGP revocation -> `revoked`, key expiry -> `expired`, as openpgp.js and gpg judge it)
//   -> the signature's own expiry at `now` -> the trust entry's window at `now` (the creation time is
//   the signer's claim, so Vitrine's revocations and validity windows are applied at `now`).
import {
  createMessage,
  enums,
  type Key,
  type LiteralDataPacket,
  readSignature,
  type Signature,
  SignaturePacket,
  type Subkey,
  unarmor,
} from "openpgp";
import { type Evidence, type OpenPgpKeyInfo, openPgpHashName, outcome, parseOpenPgpPublicKey, type TrustedKey, windowState } from "./keys";
import type { VerificationResult } from "./verdict";

export type OpenPgpInput = {
  /** The exact signed bytes. */
  signedData: Uint8Array;
  armoredSignature: string;
  /** Trusted keys; only `kind: "openpgp"` ones are used. */
  keys: TrustedKey[];
  now: Date;
};

/** Signing clocks drift: a signature a few minutes "from the future" is not a forgery. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

type Trusted = { entry: TrustedKey; info: OpenPgpKeyInfo };

function hex(bytes: Uint8Array | null): string | null {
  return bytes ? Buffer.from(bytes).toString("hex") : null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type KeyState = { state: "ok" } | { state: "revoked" | "expired" | "invalid"; reason: string };

/** The signing key's own OpenPGP state when the signature was made (revocation, expiry, binding). */
async function keyStateAt(key: Key, signingKey: Key | Subkey, created: Date): Promise<KeyState> {
  if (signingKey.getCreationTime().getTime() > created.getTime()) {
    return { state: "invalid", reason: "the signing key was created after the signature's creation time" };
  }
  // Hard revocations (compromise, no reason) count whenever they were made; soft ones (retired,
  // superseded) only if made before the signature.
  if (await key.isRevoked(undefined, undefined, created))
    return { state: "revoked", reason: "the OpenPGP key carries a revocation signature" };
  const primaryExpiry = await key.getExpirationTime();
  if (primaryExpiry instanceof Date && primaryExpiry.getTime() <= created.getTime()) {
    return { state: "expired", reason: `the OpenPGP key expired ${primaryExpiry.toISOString()}, before the signature was made` };
  }
  if (signingKey !== key) {
    const subkeyExpiry = await (signingKey as Subkey).getExpirationTime(created);
    if (subkeyExpiry instanceof Date && subkeyExpiry.getTime() <= created.getTime()) {
      return { state: "expired", reason: `the signing subkey expired ${subkeyExpiry.toISOString()}, before the signature was made` };
    }
  }
  try {
    await key.getSigningKey(signingKey.getKeyID(), created);
  } catch (error) {
    const message = errorText(error);
    if (/revoked/i.test(message)) return { state: "revoked", reason: `the OpenPGP key or subkey is revoked (${message})` };
    if (/expired/i.test(message)) return { state: "expired", reason: `the OpenPGP key or subkey had expired (${message})` };
    return { state: "invalid", reason: `the key could not make this signature: ${message}` };
  }
  return { state: "ok" };
}

async function verifyPacket(
  packet: SignaturePacket,
  literal: LiteralDataPacket,
  trusted: Trusted[],
  now: Date,
): Promise<VerificationResult> {
  const issuerFingerprint = hex(packet.issuerFingerprint);
  const issuerKeyId = packet.issuerKeyID.toHex();
  const signer = issuerFingerprint ?? issuerKeyId;
  const created = packet.created;
  if (packet.signatureType !== enums.signature.binary && packet.signatureType !== enums.signature.text) {
    return outcome("invalid", `signature packet by ${signer} is not a document signature (type ${packet.signatureType})`);
  }
  if (!created) return outcome("invalid", `signature by ${signer} has no creation time`);
  if (created.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return outcome("invalid", `signature by ${signer} claims a creation time in the future (${created.toISOString()})`);
  }

  const candidates = trusted.flatMap((t) =>
    t.info.key
      .getKeys(packet.issuerKeyID)
      .filter((k) => !issuerFingerprint || k.getFingerprint().toLowerCase() === issuerFingerprint)
      .map((signingKey) => ({ ...t, signingKey })),
  );
  if (candidates.length === 0) {
    return outcome(
      "untrusted",
      `signed by OpenPGP key ${signer}, which is not a trusted key (not checked cryptographically: Vitrine does not hold that key)`,
      issuerFingerprint ? { keyFingerprint: issuerFingerprint } : {},
    );
  }

  const genuine: typeof candidates = [];
  let failure = "";
  for (const candidate of candidates) {
    try {
      // The date is the signature's own creation time: expiry and revocation are judged separately below.
      await packet.verify(candidate.signingKey.keyPacket, packet.signatureType, literal, created, true);
      genuine.push(candidate);
    } catch (error) {
      failure = errorText(error);
    }
  }
  const first = candidates[0] as (typeof candidates)[number];
  if (genuine.length === 0) {
    return outcome("invalid", `the signature does not verify with trusted key "${first.entry.name}" (${failure})`, {
      keyFingerprint: first.info.fingerprint,
    });
  }

  const signedAt = created.toISOString();
  const hash = openPgpHashName(packet.hashAlgorithm);
  let expired: VerificationResult | null = null;
  let invalid: VerificationResult | null = null;
  let verified: VerificationResult | null = null;
  for (const { entry, info, signingKey } of genuine) {
    const evidence: Evidence = { keyFingerprint: info.fingerprint };
    if (info.userIds[0]) evidence.identity = info.userIds[0];
    const state = await keyStateAt(info.key, signingKey, created);
    if (state.state === "revoked") return outcome("revoked", `${state.reason}; key "${entry.name}", signature made ${signedAt}`, evidence);
    if (state.state === "invalid") {
      invalid ??= outcome("invalid", `${state.reason}; key "${entry.name}"`, evidence);
      continue;
    }
    const window = windowState(entry, now);
    if (window.state === "revoked") {
      return outcome(
        "revoked",
        `trusted key "${entry.name}" was revoked at ${window.at.toISOString()} (signature made ${signedAt})`,
        evidence,
      );
    }
    if (state.state === "expired") {
      expired ??= outcome("expired", `${state.reason}; key "${entry.name}", signature made ${signedAt}`, evidence);
      continue;
    }
    const signatureExpiry = packet.getExpirationTime();
    if (signatureExpiry instanceof Date && signatureExpiry.getTime() <= now.getTime()) {
      expired ??= outcome("expired", `the signature itself expired ${signatureExpiry.toISOString()} (made ${signedAt})`, evidence);
      continue;
    }
    if (window.state === "expired") {
      expired ??= outcome("expired", `trusted key "${entry.name}" is ${window.reason}`, evidence);
      continue;
    }
    verified ??= outcome("verified", `signed ${signedAt} (${hash}) by trusted OpenPGP key "${entry.name}" (${info.fingerprint})`, evidence);
  }
  return verified ?? invalid ?? expired ?? outcome("invalid", "no trusted key accepted the signature");
}

/** Public-key algorithms whose signature material is a list of MPIs (RSA, DSA, ECDSA, EdDSALegacy). */
const MPI_SIGNATURE_ALGORITHMS: ReadonlySet<number> = new Set([1, 3, 17, 19, 22]);

/**
 * Why the signature packets are not canonically encoded, or null. openpgp.js reads an MPI's length
 * from its bit count but ignores whether the count is exact, so 0x00fe and 0x00ff (254 and 255 bits)
 * read the same 32 bytes: an altered signature would still verify. RFC 9580 3.2 makes the count the
 * exact bit length, so anything else is refused.
 */
export function mpiEncodingProblem(binary: Uint8Array): string | null {
  let i = 0;
  while (i < binary.length) {
    const tagByte = binary[i++] as number;
    if ((tagByte & 0x80) === 0) return "a packet header is malformed";
    let tag: number;
    let length: number;
    if (tagByte & 0x40) {
      tag = tagByte & 0x3f;
      const l1 = binary[i++] ?? 0;
      if (l1 < 192) length = l1;
      else if (l1 < 224) length = ((l1 - 192) << 8) + (binary[i++] ?? 0) + 192;
      else if (l1 === 255) {
        length = Buffer.from(binary.subarray(i, i + 4)).readUInt32BE(0);
        i += 4;
      } else return "a signature packet uses partial body lengths";
    } else {
      tag = (tagByte >> 2) & 0x0f;
      const type = tagByte & 0x03;
      const bytes = type === 0 ? 1 : type === 1 ? 2 : type === 2 ? 4 : 0;
      length = bytes === 0 ? binary.length - i : Buffer.from(binary.subarray(i, i + bytes)).readUIntBE(0, bytes);
      i += bytes;
    }
    const body = binary.subarray(i, i + length);
    i += length;
    if (body.length !== length) return "a packet is truncated";
    if (tag === 2) {
      const problem = signatureBodyProblem(body);
      if (problem) return problem;
    }
  }
  return null;
}

function signatureBodyProblem(body: Uint8Array): string | null {
  const view = Buffer.from(body);
  const version = body[0];
  if (version !== 4 && version !== 6) return null; // openpgp.js refuses these itself
  const algorithm = body[2] as number;
  const wide = version === 6;
  let i = 4;
  const skipArea = () => {
    const n = wide ? view.readUInt32BE(i) : view.readUInt16BE(i);
    i += (wide ? 4 : 2) + n;
  };
  try {
    skipArea(); // hashed subpackets
    skipArea(); // unhashed subpackets
    i += 2; // left 16 bits of the hash
    if (wide) i += 1 + (body[i] ?? 0); // salt
  } catch {
    return "a signature packet is truncated";
  }
  if (!MPI_SIGNATURE_ALGORITHMS.has(algorithm)) return null;
  while (i < body.length) {
    if (i + 2 > body.length) return "a signature MPI is truncated";
    const bits = view.readUInt16BE(i);
    const bytes = Math.ceil(bits / 8);
    const first = body[i + 2] ?? 0;
    const actual = bits === 0 ? 0 : (bytes - 1) * 8 + (32 - Math.clz32(first));
    if (actual !== bits)
      return `a signature MPI declares ${bits} bits but holds ${actual}: the signature was altered or is not canonically encoded`;
    i += 2 + bytes;
  }
  return i === body.length ? null : "a signature MPI is truncated";
}

/** Several signatures in one block: any invalid one wins (tampering), then any verified, revoked, expired, untrusted. */
function combine(results: VerificationResult[]): VerificationResult {
  const order = ["invalid", "verified", "revoked", "expired", "untrusted", "unverifiable"] as const;
  for (const verdict of order) {
    const found = results.find((r) => r.verdict === verdict);
    if (found) return found;
  }
  return results[0] ?? outcome("unverifiable", "the signature holds no signature packet");
}

export async function verifyOpenPgp(input: OpenPgpInput): Promise<VerificationResult> {
  try {
    return await verifyOpenPgpUnguarded(input);
  } catch (error) {
    // openpgp.js throws on odd packets; a throw is never a pass.
    return outcome("invalid", `the signature could not be processed (${errorText(error)})`);
  }
}

async function verifyOpenPgpUnguarded(input: OpenPgpInput): Promise<VerificationResult> {
  if (!input.armoredSignature?.trim()) return outcome("unverifiable", "the OpenPGP signature is missing");
  let signature: Signature;
  try {
    signature = await readSignature({ armoredSignature: input.armoredSignature });
  } catch (error) {
    return outcome("invalid", `the OpenPGP signature does not parse (${errorText(error)})`);
  }
  const packets = [...signature.packets].filter((p): p is SignaturePacket => p instanceof SignaturePacket);
  if (packets.length === 0) return outcome("invalid", "the armored block holds no signature packet");
  const { data } = await unarmor(input.armoredSignature);
  const encoding = data instanceof Uint8Array ? mpiEncodingProblem(data) : "the armored signature could not be read as bytes";
  if (encoding) return outcome("invalid", encoding);

  const message = await createMessage({ binary: input.signedData, date: input.now });
  const literal = message.packets.findPacket(enums.packet.literalData) as LiteralDataPacket | undefined;
  if (!literal) return outcome("unverifiable", "the signed data could not be prepared");

  const trusted: Trusted[] = [];
  for (const entry of input.keys) {
    if (entry.kind !== "openpgp") continue;
    const parsed = await parseOpenPgpPublicKey(entry.publicKey);
    // A trusted entry that does not parse vouches for nothing.
    if (parsed.ok) trusted.push({ entry, info: parsed.value });
  }

  const results: VerificationResult[] = [];
  for (const packet of packets) results.push(await verifyPacket(packet, literal, trusted, input.now));
  return combine(results);
}

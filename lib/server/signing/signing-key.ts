import "server-only";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";

// Vitrine's own Ed25519 key signs ledger checkpoints and report exports. Every instance must use
// the same key: set VITRINE_SIGNING_KEY_FILE to a PKCS#8 PEM file. Without it the key is created
// once in VITRINE_DATA_DIR/signing-key.pem.

export type SigningKey = { privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string; fingerprint: string; algorithm: "ed25519" };

const globalForKey = globalThis as unknown as { vitrineSigningKey?: SigningKey; vitrineSigningKeyStored?: Promise<void> };

export function fingerprintOf(publicKey: KeyObject): string {
  return `sha256:${createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")}`;
}

function keyPath(): string {
  const e = env();
  return e.VITRINE_SIGNING_KEY_FILE ? resolve(e.VITRINE_SIGNING_KEY_FILE) : join(resolve(e.VITRINE_DATA_DIR), "signing-key.pem");
}

function loadKey(): SigningKey {
  const e = env();
  const path = keyPath();
  if (!existsSync(path)) {
    if (e.VITRINE_SIGNING_KEY_FILE) throw new Error(`VITRINE_SIGNING_KEY_FILE: no file at ${path}`);
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync("ed25519");
    try {
      writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const privateKey = createPrivateKey(readFileSync(path));
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`${path}: the signing key must be an Ed25519 private key (PKCS#8 PEM)`);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    fingerprint: fingerprintOf(publicKey),
    algorithm: "ed25519",
  };
}

/** The key, loaded once per process, with its public half recorded in the database. */
export async function getSigningKey(): Promise<SigningKey> {
  globalForKey.vitrineSigningKey ??= loadKey();
  const key = globalForKey.vitrineSigningKey;
  globalForKey.vitrineSigningKeyStored ??= db()
    .signingKey.upsert({
      where: { fingerprint: key.fingerprint },
      create: { fingerprint: key.fingerprint, algorithm: key.algorithm, publicKeyPem: key.publicKeyPem },
      update: {},
    })
    .then(
      () => undefined,
      (error: unknown) => {
        // Not cached: the next call tries again (a transient database error must not stick).
        globalForKey.vitrineSigningKeyStored = undefined;
        throw error;
      },
    );
  await globalForKey.vitrineSigningKeyStored;
  return key;
}

/** The fingerprint of the configured key, if this host has it; never creates one (for verification). */
export function findSigningKeyFingerprint(): string | null {
  if (globalForKey.vitrineSigningKey) return globalForKey.vitrineSigningKey.fingerprint;
  const path = keyPath();
  if (!existsSync(path)) return null;
  try {
    return fingerprintOf(createPublicKey(createPrivateKey(readFileSync(path))));
  } catch {
    return null;
  }
}

export function signBytes(key: SigningKey, message: Uint8Array): string {
  return sign(null, message, key.privateKey).toString("base64");
}

export function verifyBytes(publicKeyPem: string, message: Uint8Array, signatureB64: string): boolean {
  try {
    return verify(null, message, createPublicKey(publicKeyPem), Buffer.from(signatureB64, "base64"));
  } catch {
    return false;
  }
}

/** For tests and key rotation drills. */
export function resetSigningKeyForTests(): void {
  globalForKey.vitrineSigningKey = undefined;
  globalForKey.vitrineSigningKeyStored = undefined;
}

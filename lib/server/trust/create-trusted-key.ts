import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { requestTrustReevaluation } from "@/lib/server/jobs/requests";
import { appendLedgerEntry, lockLedger } from "@/lib/server/ledger/append-ledger-entry";
import { parseOpenPgpPublicKey, parsePemPublicKey } from "@/lib/verify/keys";
import { type TCreateTrustedKey, ZCreateTrustedKey } from "./schemas";
import {
  duplicateError,
  entryData,
  isUniqueViolation,
  keyItem,
  refuseDuplicate,
  type TrustedKeyItem,
  windowPayload,
  withCreator,
} from "./trust-entry";

type ParsedKey = { kind: "pem" | "openpgp"; algorithm: string; fingerprint: string; publicKey: string };

/** Validates a PEM or ASCII-armored OpenPGP public key; a refusal names $.publicKey and why. */
export async function parseTrustedPublicKey(text: string): Promise<ParsedKey> {
  const trimmed = text.trim();
  const refuse = (why: string): never => {
    throw new AppError("unprocessable", `The public key ${why}`, { errors: [{ path: "$.publicKey", message: why }] });
  };
  if (trimmed.includes("-----BEGIN PGP")) {
    const parsed = await parseOpenPgpPublicKey(trimmed);
    if (!parsed.ok) return refuse(parsed.reason);
    return { kind: "openpgp", algorithm: parsed.value.algorithm, fingerprint: parsed.value.fingerprint, publicKey: `${trimmed}\n` };
  }
  const parsed = parsePemPublicKey(trimmed);
  if (!parsed.ok) return refuse(parsed.reason);
  const { algorithm, bits, fingerprint, key } = parsed.value;
  // Stored as canonical SPKI PEM, so the same key always reads back the same.
  const pem = key.export({ type: "spki", format: "pem" }).toString();
  return { kind: "pem", algorithm: algorithm === "rsa" ? `rsa-${bits}` : algorithm, fingerprint, publicKey: pem };
}

/** Trusts a public key (PEM ECDSA P-256/P-384, Ed25519, RSA >= 2048, or OpenPGP). */
export async function createTrustedKey(options: { actor: Actor; input: TCreateTrustedKey; now: Date }): Promise<TrustedKeyItem> {
  const input = ZCreateTrustedKey.parse(options.input);
  const key = await parseTrustedPublicKey(input.publicKey);
  try {
    return await db().$transaction(async (tx) => {
      await lockLedger(tx);
      await refuseDuplicate({
        label: "trusted key",
        name: input.name,
        fingerprint: key.fingerprint,
        byName: () => tx.trustedKey.findUnique({ where: { name: input.name }, select: { id: true } }),
        byFingerprint: () => tx.trustedKey.findUnique({ where: { fingerprint: key.fingerprint }, select: { id: true, name: true } }),
      });
      const row = await tx.trustedKey.create({
        data: {
          ...entryData(input, options),
          kind: key.kind,
          publicKey: key.publicKey,
          algorithm: key.algorithm,
          fingerprint: key.fingerprint,
        },
        include: withCreator,
      });
      await appendLedgerEntry(tx, {
        kind: "trust.key.created",
        actor: actorRef(options.actor),
        subject: `trust-key:${row.id}`,
        payload: {
          name: row.name,
          kind: row.kind,
          algorithm: row.algorithm,
          fingerprint: row.fingerprint,
          ...windowPayload(row),
        },
        now: options.now,
      });
      await requestTrustReevaluation(tx, "trust.key.created");
      return keyItem(row, options.now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateError("trusted key");
    throw error;
  }
}

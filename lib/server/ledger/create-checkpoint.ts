import "server-only";
import { db } from "@/lib/db/client";
import { checkpointMessage } from "@/lib/domain/checkpoint";
import { GENESIS_HASH } from "@/lib/domain/ledger";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { getSigningKey, signBytes } from "@/lib/server/signing/signing-key";
import { lockLedger } from "./append-ledger-entry";

export type CheckpointView = {
  id: string;
  sequence: string;
  headHash: string;
  createdAt: string;
  keyFingerprint: string;
  algorithm: string;
  signature: string;
  publicKey: string;
};

/** Signs the current head of the ledger. Holding the ledger lock keeps the head still meanwhile. */
export async function createCheckpoint(options: { now: Date }): Promise<CheckpointView> {
  const key = await getSigningKey();
  const row = await db().$transaction(async (tx) => {
    await lockLedger(tx);
    const head = await tx.ledgerEntry.findFirst({ orderBy: { sequence: "desc" }, select: { sequence: true, entryHash: true } });
    // The head has not moved since the last checkpoint by this key: that one still states it.
    const last = await tx.ledgerCheckpoint.findFirst({
      where: { keyFingerprint: key.fingerprint },
      orderBy: [{ sequence: "desc" }, { createdAt: "desc" }],
    });
    if (last && last.sequence === (head?.sequence ?? 0n) && last.headHash === (head?.entryHash ?? GENESIS_HASH)) return last;
    const statement = {
      sequence: head?.sequence ?? 0n,
      headHash: head?.entryHash ?? GENESIS_HASH,
      createdAt: new Date(options.now.getTime()),
    };
    return tx.ledgerCheckpoint.create({
      data: { ...statement, keyFingerprint: key.fingerprint, signature: signBytes(key, checkpointMessage(statement)) },
    });
  });
  return toView(row, { algorithm: key.algorithm, publicKeyPem: key.publicKeyPem });
}

type CheckpointRow = { id: string; sequence: bigint; headHash: string; createdAt: Date; keyFingerprint: string; signature: string };

function toView(row: CheckpointRow, key: { algorithm: string; publicKeyPem: string }): CheckpointView {
  return {
    id: row.id,
    sequence: row.sequence.toString(),
    headHash: row.headHash,
    createdAt: row.createdAt.toISOString(),
    keyFingerprint: row.keyFingerprint,
    algorithm: key.algorithm,
    signature: row.signature,
    publicKey: key.publicKeyPem,
  };
}

/** The newest checkpoint with the public key that verifies it; null before the first. */
export async function getLatestCheckpoint(): Promise<CheckpointView | null> {
  const row = await db().ledgerCheckpoint.findFirst({ orderBy: [{ createdAt: "desc" }, { sequence: "desc" }], include: { key: true } });
  return row ? toView(row, row.key) : null;
}

/** Writes a checkpoint when the last one is older than the interval and the ledger has grown. */
export async function checkpointIfDue(options: { now: Date }): Promise<void> {
  try {
    const last = await db().ledgerCheckpoint.findFirst({ orderBy: { createdAt: "desc" }, select: { createdAt: true, sequence: true } });
    if (last && options.now.getTime() - last.createdAt.getTime() < env().VITRINE_CHECKPOINT_INTERVAL_SECONDS * 1000) return;
    const head = await db().ledgerEntry.findFirst({ orderBy: { sequence: "desc" }, select: { sequence: true } });
    if (!head || (last && last.sequence >= head.sequence)) return;
    await createCheckpoint(options);
  } catch (error) {
    log.warn("periodic checkpoint failed", { error });
  }
}

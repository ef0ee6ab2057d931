// Signed ledger checkpoints: what is signed, byte for byte.
import { canonicalJson } from "./canonical-json";

export type CheckpointStatement = { sequence: bigint; headHash: string; createdAt: Date };

export function checkpointMessage(c: CheckpointStatement): Buffer {
  return Buffer.from(
    canonicalJson({
      type: "vitrine.ledger.checkpoint/v1",
      sequence: c.sequence.toString(),
      headHash: c.headHash,
      createdAt: c.createdAt.toISOString(),
    }),
    "utf8",
  );
}

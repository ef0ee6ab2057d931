// The evidence ledger's chain: each entry's hash covers its content and the previous hash.
import { createHash } from "node:crypto";
import { canonicalJson, type JsonValue } from "./canonical-json";

export const GENESIS_HASH = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

export type LedgerEntryContent = {
  sequence: bigint;
  kind: string;
  actor: string;
  subject: string | null;
  documentId: string | null;
  payload: JsonValue;
  prevHash: string;
  createdAt: Date;
};

export function hashLedgerEntry(entry: LedgerEntryContent): string {
  const encoded = canonicalJson({
    v: 1,
    sequence: entry.sequence.toString(),
    kind: entry.kind,
    actor: entry.actor,
    subject: entry.subject,
    documentId: entry.documentId,
    payload: entry.payload,
    prevHash: entry.prevHash,
    createdAt: entry.createdAt.toISOString(),
  });
  return `sha256:${createHash("sha256").update(encoded).digest("hex")}`;
}

export type ChainCheck = { valid: true; entries: number } | { valid: false; entries: number; firstBrokenSequence: bigint; reason: string };

/** Checks entries given in sequence order, continuing from `previous` (the last good entry). */
export function checkChainSegment(
  entries: Array<LedgerEntryContent & { entryHash: string }>,
  previous: { sequence: bigint; entryHash: string } | null,
): ChainCheck {
  let prev = previous;
  let count = 0;
  for (const e of entries) {
    const expectedSeq = prev ? prev.sequence + 1n : 1n;
    const expectedPrev = prev ? prev.entryHash : GENESIS_HASH;
    if (e.sequence !== expectedSeq) {
      return {
        valid: false,
        entries: count,
        firstBrokenSequence: expectedSeq,
        reason: `entry ${expectedSeq} is missing (found ${e.sequence} next)`,
      };
    }
    if (e.prevHash !== expectedPrev) {
      return {
        valid: false,
        entries: count,
        firstBrokenSequence: e.sequence,
        reason: "previous-hash link does not match the entry before it",
      };
    }
    if (hashLedgerEntry(e) !== e.entryHash) {
      return { valid: false, entries: count, firstBrokenSequence: e.sequence, reason: "entry content does not match its hash" };
    }
    prev = { sequence: e.sequence, entryHash: e.entryHash };
    count++;
  }
  return { valid: true, entries: count };
}

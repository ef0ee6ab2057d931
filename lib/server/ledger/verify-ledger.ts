import "server-only";
import { createPublicKey } from "node:crypto";
import { db } from "@/lib/db/client";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { checkpointMessage } from "@/lib/domain/checkpoint";
import { checkChainSegment, GENESIS_HASH } from "@/lib/domain/ledger";
import { env } from "@/lib/env";
import { fingerprintOf, getSigningKey, verifyBytes } from "@/lib/server/signing/signing-key";

export type LedgerVerification = {
  valid: boolean;
  entries: number;
  firstBrokenSequence: string | null;
  reason: string | null;
  checkpoints: { checked: number; invalid: Array<{ id: string; sequence: string; reason: string }> };
};

const PAGE = 2_000;

/** Keys whose checkpoints count: Vitrine's current key and, after a rotation, the retired ones. */
async function trustedFingerprints(): Promise<Set<string>> {
  const key = await getSigningKey();
  return new Set([key.fingerprint, ...env().VITRINE_RETIRED_SIGNING_KEYS]);
}

type LedgerRow = Awaited<ReturnType<ReturnType<typeof db>["ledgerEntry"]["findFirstOrThrow"]>>;

/** Recomputes the whole chain page by page (memory does not grow with the ledger). */
export async function verifyLedger(): Promise<LedgerVerification> {
  let previous: { sequence: bigint; entryHash: string } | null = null;
  let total = 0;
  for (;;) {
    const rows: LedgerRow[] = await db().ledgerEntry.findMany({
      where: previous ? { sequence: { gt: previous.sequence } } : {},
      orderBy: { sequence: "asc" },
      take: PAGE,
    });
    if (rows.length === 0) break;
    const result = checkChainSegment(
      rows.map((r: LedgerRow) => ({ ...r, payload: r.payload as JsonValue })),
      previous,
    );
    if (!result.valid) {
      return {
        valid: false,
        entries: total + result.entries,
        firstBrokenSequence: result.firstBrokenSequence.toString(),
        reason: result.reason,
        checkpoints: await verifyCheckpoints(),
      };
    }
    total += result.entries;
    const last: LedgerRow | undefined = rows[rows.length - 1];
    if (!last) break;
    previous = { sequence: last.sequence, entryHash: last.entryHash };
    if (rows.length < PAGE) break;
  }
  const checkpoints = await verifyCheckpoints();
  if (checkpoints.invalid.length > 0) {
    const first = checkpoints.invalid[0]!;
    return {
      valid: false,
      entries: total,
      firstBrokenSequence: first.sequence,
      reason: `checkpoint ${first.id}: ${first.reason}`,
      checkpoints,
    };
  }
  return { valid: true, entries: total, firstBrokenSequence: null, reason: null, checkpoints };
}

/** Each signed checkpoint must verify with its key, and name an entry whose hash it states. */
async function verifyCheckpoints(): Promise<LedgerVerification["checkpoints"]> {
  const rows = await db().ledgerCheckpoint.findMany({ orderBy: { sequence: "asc" }, include: { key: true }, take: 10_000 });
  const invalid: LedgerVerification["checkpoints"]["invalid"] = [];
  const trusted = rows.length ? await trustedFingerprints() : new Set<string>();
  for (const c of rows) {
    const seq = c.sequence.toString();
    if (!verifyBytes(c.key.publicKeyPem, checkpointMessage(c), c.signature)) {
      invalid.push({ id: c.id, sequence: seq, reason: "signature does not verify with the recorded key" });
      continue;
    }
    if (fingerprintOf(createPublicKey(c.key.publicKeyPem)) !== c.keyFingerprint) {
      invalid.push({ id: c.id, sequence: seq, reason: "the recorded key does not match its fingerprint" });
      continue;
    }
    if (!trusted.has(c.keyFingerprint)) {
      invalid.push({ id: c.id, sequence: seq, reason: `signed by ${c.keyFingerprint}, which is not Vitrine's signing key` });
      continue;
    }
    if (c.sequence === 0n) {
      if (c.headHash !== GENESIS_HASH)
        invalid.push({ id: c.id, sequence: seq, reason: "an empty-ledger checkpoint must state the genesis hash" });
      continue;
    }
    const entry = await db().ledgerEntry.findUnique({ where: { sequence: c.sequence }, select: { entryHash: true } });
    if (!entry) invalid.push({ id: c.id, sequence: seq, reason: "names an entry that does not exist" });
    else if (entry.entryHash !== c.headHash)
      invalid.push({ id: c.id, sequence: seq, reason: "the entry's hash differs from the signed head hash" });
  }
  return { checked: rows.length, invalid };
}

import "server-only";
import { createPublicKey } from "node:crypto";
import { db } from "@/lib/db/client";
import { pool } from "@/lib/db/sql";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { checkpointMessage } from "@/lib/domain/checkpoint";
import { checkChainSegment, GENESIS_HASH } from "@/lib/domain/ledger";
import { env } from "@/lib/env";
import { findSigningKeyFingerprint, fingerprintOf, verifyBytes } from "@/lib/server/signing/signing-key";

export type LedgerVerification = {
  valid: boolean;
  entries: number;
  firstBrokenSequence: string | null;
  reason: string | null;
  checkpoints: { checked: number; invalid: Array<{ id: string; sequence: string; reason: string }>; keyCheck: string };
};

const PAGE = 2_000;

type LedgerRow = Awaited<ReturnType<ReturnType<typeof db>["ledgerEntry"]["findFirstOrThrow"]>>;
type CheckpointRow = {
  id: string;
  sequence: bigint;
  headHash: string;
  createdAt: Date;
  keyFingerprint: string;
  signature: string;
  key: { publicKeyPem: string };
};

/**
 * Recomputes the whole chain page by page (memory does not grow with the ledger), checks that
 * every stored document still has the sha256 its ledger entry records, and checks every signed
 * checkpoint. Names the first broken entry.
 */
export async function verifyLedger(): Promise<LedgerVerification> {
  let previous: { sequence: bigint; entryHash: string } | null = null;
  let total = 0;
  let broken: { sequence: string; reason: string } | null = null;
  const detached = await detachedMonths();
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
    const documents = await findAlteredDocument(result.valid ? rows : rows.slice(0, result.entries), detached);
    if (documents) {
      broken = documents;
      total += rows.findIndex((r) => r.sequence.toString() === documents.sequence);
      break;
    }
    if (!result.valid) {
      broken = { sequence: result.firstBrokenSequence.toString(), reason: result.reason };
      total += result.entries;
      break;
    }
    total += result.entries;
    const last: LedgerRow | undefined = rows[rows.length - 1];
    if (!last) break;
    previous = { sequence: last.sequence, entryHash: last.entryHash };
    if (rows.length < PAGE) break;
  }
  const checkpoints = await verifyCheckpoints();
  if (broken) return { valid: false, entries: total, firstBrokenSequence: broken.sequence, reason: broken.reason, checkpoints };
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

/** Kind of the ledger entry that records a month of document bodies detached for archiving (lib/server/documents/detach-document-bodies.ts). */
export const BODIES_DETACHED = "documents.bodies-detached";

type DetachedMonth = { from: number; to: number };

/** The months whose document bodies were detached (to be archived), as the ledger itself records them. */
async function detachedMonths(): Promise<DetachedMonth[]> {
  const rows = await db().ledgerEntry.findMany({ where: { kind: BODIES_DETACHED }, select: { payload: true } });
  return rows.flatMap((r) => {
    const p = r.payload as { from?: unknown; to?: unknown };
    const from = typeof p.from === "string" ? Date.parse(p.from) : Number.NaN;
    const to = typeof p.to === "string" ? Date.parse(p.to) : Number.NaN;
    return Number.isFinite(from) && Number.isFinite(to) ? [{ from, to }] : [];
  });
}

/**
 * The first entry of a page whose document no longer matches what the entry records: the identity
 * row's sha256, and the bytes' sha256. Bytes may be absent only for a month whose bodies the ledger
 * records as detached; every other missing body is a break.
 */
async function findAlteredDocument(rows: LedgerRow[], detached: DetachedMonth[]): Promise<{ sequence: string; reason: string } | null> {
  const recorded = rows.filter((r) => r.kind === "document.accepted" && r.documentId);
  if (recorded.length === 0) return null;
  const { rows: actual } = await pool().query<{ id: string; sha256: string; received_at: Date; h: string | null }>(
    `SELECT d.id::text AS id, 'sha256:' || d.sha256 AS sha256, d.received_at, 'sha256:' || encode(sha256(b.body), 'hex') AS h
     FROM documents d LEFT JOIN document_bodies b ON b.document_id = d.id AND b.received_at = d.received_at
     WHERE d.id = ANY($1::uuid[])`,
    [recorded.map((r) => r.documentId)],
  );
  const documents = new Map(actual.map((d) => [d.id, d]));
  for (const r of recorded) {
    const want = (r.payload as { sha256?: unknown }).sha256;
    const have = documents.get(r.documentId!);
    const broken = (reason: string) => ({ sequence: r.sequence.toString(), reason });
    if (have === undefined) return broken("the document this entry records is missing");
    if (have.h === null) {
      const at = have.received_at.getTime();
      if (!detached.some((m) => at >= m.from && at < m.to)) return broken("the bytes of the document this entry records are missing");
    } else if (have.h !== want) return broken("the stored document does not match the sha256 its entry records");
    if (have.sha256 !== want) return broken("the document's recorded sha256 does not match the sha256 its entry records");
  }
  return null;
}

/** Keys whose checkpoints count: Vitrine's key (when this host has it) and retired ones. Never creates a key. */
function trustedFingerprints(): { keys: Set<string>; check: string } {
  const current = findSigningKeyFingerprint();
  const keys = new Set([...(current ? [current] : []), ...env().VITRINE_RETIRED_SIGNING_KEYS]);
  return {
    keys,
    check: keys.size
      ? `checkpoints must be signed by ${[...keys].join(", ")}`
      : "skipped: no signing key configured on this host (VITRINE_SIGNING_KEY_FILE)",
  };
}

/** Each signed checkpoint must verify with its key, be Vitrine's key, and name an entry whose hash it states. */
async function verifyCheckpoints(): Promise<LedgerVerification["checkpoints"]> {
  const invalid: LedgerVerification["checkpoints"]["invalid"] = [];
  const trusted = trustedFingerprints();
  let checked = 0;
  let after: { sequence: bigint; id: string } | null = null;
  for (;;) {
    const page: CheckpointRow[] = await db().ledgerCheckpoint.findMany({
      where: after ? { OR: [{ sequence: { gt: after.sequence } }, { sequence: after.sequence, id: { gt: after.id } }] } : {},
      orderBy: [{ sequence: "asc" }, { id: "asc" }],
      include: { key: true },
      take: PAGE,
    });
    if (page.length === 0) break;
    const entries = await db().ledgerEntry.findMany({
      where: { sequence: { in: [...new Set(page.map((c: CheckpointRow) => c.sequence).filter((s: bigint) => s > 0n))] } },
      select: { sequence: true, entryHash: true },
    });
    const hashes = new Map(entries.map((e) => [e.sequence.toString(), e.entryHash]));
    for (const c of page) {
      checked++;
      const seq = c.sequence.toString();
      const fail = (reason: string) => invalid.push({ id: c.id, sequence: seq, reason });
      if (!verifyBytes(c.key.publicKeyPem, checkpointMessage(c), c.signature)) fail("signature does not verify with the recorded key");
      else if (fingerprintOf(createPublicKey(c.key.publicKeyPem)) !== c.keyFingerprint)
        fail("the recorded key does not match its fingerprint");
      else if (trusted.keys.size > 0 && !trusted.keys.has(c.keyFingerprint))
        fail(`signed by ${c.keyFingerprint}, which is not Vitrine's signing key`);
      else if (c.sequence === 0n && c.headHash !== GENESIS_HASH) fail("an empty-ledger checkpoint must state the genesis hash");
      else if (c.sequence > 0n && !hashes.has(seq)) fail("names an entry that does not exist");
      else if (c.sequence > 0n && hashes.get(seq) !== c.headHash) fail("the entry's hash differs from the signed head hash");
    }
    const last = page[page.length - 1]!;
    after = { sequence: last.sequence, id: last.id };
    if (page.length < PAGE) break;
  }
  return { checked, invalid, keyCheck: trusted.check };
}

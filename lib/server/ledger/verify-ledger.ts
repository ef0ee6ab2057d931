import "server-only";
import { db } from "@/lib/db/client";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { checkChainSegment } from "@/lib/domain/ledger";

export type LedgerVerification = {
  valid: boolean;
  entries: number;
  firstBrokenSequence: string | null;
  reason: string | null;
};

const PAGE = 2_000;

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
      };
    }
    total += result.entries;
    const last: LedgerRow | undefined = rows[rows.length - 1];
    if (!last) break;
    previous = { sequence: last.sequence, entryHash: last.entryHash };
    if (rows.length < PAGE) break;
  }
  return { valid: true, entries: total, firstBrokenSequence: null, reason: null };
}

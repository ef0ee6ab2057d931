// GET /api/v1/ledger/verify - recompute the evidence chain and name the first broken entry
import { withApi } from "@/lib/api/with-api";
import { verifyLedger } from "@/lib/server/ledger/verify-ledger";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "ledger:read" } }, async () => {
  const { valid, entries, firstBrokenSequence, reason, checkpoints } = await verifyLedger();
  return { valid, entries, firstBrokenSequence: firstBrokenSequence === null ? null : Number(firstBrokenSequence), reason, checkpoints };
});

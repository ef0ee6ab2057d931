// GET /api/v1/ledger/entries - ledger entries, newest first, cursor-paginated
import { z } from "zod";
import { withApi } from "@/lib/api/with-api";
import { listLedgerEntries } from "@/lib/server/ledger/list-ledger-entries";

export const dynamic = "force-dynamic";

const ZQuery = z.object({
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, "must be a sequence number")
    .optional(),
  limit: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(1).max(500)).optional(),
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9.-]{0,63}$/, "must be an entry kind such as token.created")
    .optional(),
});

export const GET = withApi({ auth: { permission: "ledger:read" }, query: ZQuery }, async ({ query }) =>
  listLedgerEntries({ cursor: query.cursor ? BigInt(query.cursor) : undefined, limit: query.limit ?? 50, kind: query.kind }),
);

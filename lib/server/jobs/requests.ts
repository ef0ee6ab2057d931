import "server-only";
import type { Prisma } from "@/lib/db/client";
import { sqlFromPrisma } from "@/lib/db/sql";
import { enqueueJob } from "./queue";

/**
 * Queues one re-evaluation of every signature and running deployment, in the transaction that
 * changes trust: a change that commits always gets its re-evaluation, even if this process dies.
 * Requests that arrive while one is waiting coalesce into it.
 */
export async function requestTrustReevaluation(tx: Prisma.TransactionClient, reason: string): Promise<void> {
  await enqueueJob(sqlFromPrisma(tx), { kind: "trust.changed", dedupeKey: "trust.changed", payload: { reason } });
}

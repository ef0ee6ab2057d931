import "server-only";
import { AppError } from "@/lib/api/errors";
import { db } from "@/lib/db/client";
import type { TrustKind } from "./schemas";
import { findTrustItem, KIND_LABEL, type TrustItem } from "./trust-entry";

/** One entry of the trust store (a trust root with its trusted_root.json), or a 404. */
export async function getTrustEntryOrThrow(options: { kind: TrustKind; id: string; now: Date }): Promise<TrustItem> {
  const item = await findTrustItem(db(), { ...options, withDocument: true });
  if (!item) throw new AppError("not_found", `No ${KIND_LABEL[options.kind]} with id ${options.id}`);
  return item;
}

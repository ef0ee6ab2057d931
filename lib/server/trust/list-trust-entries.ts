import "server-only";
import { db } from "@/lib/db/client";
import type { TrustKind } from "./schemas";
import { identityItem, keyItem, rootItem, type TrustItem, withCreator, x509Item } from "./trust-entry";

const ORDER = [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }] as const;
const LIMIT = 500;

/** Every entry of one kind of the trust store, active first, newest first (a trust store is small). */
export async function listTrustEntries(options: { kind: TrustKind; now: Date }): Promise<TrustItem[]> {
  const { now } = options;
  const orderBy = [...ORDER];
  switch (options.kind) {
    case "keys":
      return (await db().trustedKey.findMany({ orderBy, include: withCreator, take: LIMIT })).map((r) => keyItem(r, now));
    case "identities":
      return (await db().trustedIdentity.findMany({ orderBy, include: withCreator, take: LIMIT })).map((r) => identityItem(r, now));
    case "roots":
      return (await db().trustRoot.findMany({ orderBy, include: withCreator, take: LIMIT })).map((r) => rootItem(r, now));
    case "x509-roots":
      return (await db().trustedX509Root.findMany({ orderBy, include: withCreator, take: LIMIT })).map((r) => x509Item(r, now));
  }
}

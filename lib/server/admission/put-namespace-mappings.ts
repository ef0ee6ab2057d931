import "server-only";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import type { JsonValue } from "@/lib/domain/canonical-json";
import { appendLedgerEntry, lockLedger } from "@/lib/server/ledger/append-ledger-entry";
import { NAMESPACES_SETTING, type NamespaceMappings, type NamespaceMappingsAnswer, ZNamespaceMappings } from "./schemas";

const sorted = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));

/** Replaces the namespace -> environment mapping; a change is a ledger entry, an identical mapping changes nothing. */
export async function putNamespaceMappings(options: {
  actor: Actor;
  namespaces: NamespaceMappings;
  now: Date;
}): Promise<NamespaceMappingsAnswer & { changed: boolean }> {
  const namespaces = sorted(ZNamespaceMappings.parse(options.namespaces));
  return db().$transaction(async (tx) => {
    // Taken first, so "previous" in the ledger is what this change really replaced.
    await lockLedger(tx);
    const previous = await tx.setting.findUnique({ where: { key: NAMESPACES_SETTING } });
    const before = sorted(ZNamespaceMappings.catch({}).parse(previous?.value ?? {}));
    if (previous && JSON.stringify(before) === JSON.stringify(namespaces)) {
      return { namespaces, updatedAt: previous.updatedAt.toISOString(), changed: false };
    }
    await tx.setting.upsert({
      where: { key: NAMESPACES_SETTING },
      create: { key: NAMESPACES_SETTING, value: namespaces, updatedAt: options.now },
      update: { value: namespaces, updatedAt: options.now },
    });
    await appendLedgerEntry(tx, {
      kind: "admission.namespaces.updated",
      actor: actorRef(options.actor),
      subject: `setting:${NAMESPACES_SETTING}`,
      payload: { namespaces, previous: before } as JsonValue,
      now: options.now,
    });
    return { namespaces, updatedAt: options.now.toISOString(), changed: true };
  });
}

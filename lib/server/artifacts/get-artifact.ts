import "server-only";
import { db } from "@/lib/db/client";

/** `includeLedger` only for people allowed to read the ledger. */
export async function getArtifact(options: { digest: string; includeLedger: boolean }) {
  const a = await db().artifact.findUnique({
    where: { digest: options.digest },
    include: {
      names: { orderBy: { firstSeenAt: "asc" } },
      tagHistory: { orderBy: { validFrom: "desc" }, include: { tag: true }, take: 200 },
      signatures: { orderBy: { createdAt: "desc" }, take: 100 },
    },
  });
  if (!a) return null;
  const ledger = options.includeLedger
    ? await db().ledgerEntry.findMany({ where: { subject: `artifact:${a.digest}` }, orderBy: { sequence: "desc" }, take: 50 })
    : null;
  return {
    digest: a.digest,
    kind: a.kind,
    mediaType: a.mediaType,
    sizeBytes: a.sizeBytes === null ? null : a.sizeBytes.toString(),
    isDemo: a.isDemo,
    firstSeenAt: a.firstSeenAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    names: a.names.map((n) => ({ name: n.name, purl: n.purl, firstSeenAt: n.firstSeenAt.toISOString() })),
    tags: a.tagHistory.map((h) => ({
      reference: h.tag.reference,
      validFrom: h.validFrom.toISOString(),
      validTo: h.validTo?.toISOString() ?? null,
    })),
    signatures: a.signatures.map((s) => ({
      id: s.id,
      format: s.format,
      verdict: s.verdict,
      reason: s.verdictReason,
      signer: { identity: s.signerIdentity, issuer: s.signerIssuer, keyHint: s.keyHint },
      evidence: (s.evidence ?? {}) as Record<string, string | undefined>,
      verifiedAt: s.verifiedAt?.toISOString() ?? null,
      documentId: s.documentId,
    })),
    ledger: ledger?.map((l) => ({
      sequence: l.sequence.toString(),
      kind: l.kind,
      actor: l.actor,
      createdAt: l.createdAt.toISOString(),
      entryHash: l.entryHash,
    })),
  };
}

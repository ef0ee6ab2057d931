// The trust store's shared shapes: how each kind of entry is answered, looked up, named in the ledger.
import "server-only";
import { AppError } from "@/lib/api/errors";
import type { Actor } from "@/lib/auth/actor";
import type { Prisma } from "@/lib/db/client";
import type { TrustKind } from "./schemas";

export type TrustStatus = "active" | "revoked" | "expired" | "pending";

type Common = {
  id: string;
  name: string;
  owner: string | null;
  environments: string[];
  validFrom: string | null;
  validUntil: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  createdAt: string;
  createdBy: string | null;
  status: TrustStatus;
};

export type TrustedKeyItem = Common & {
  kind: "keys";
  keyKind: "pem" | "openpgp";
  algorithm: string;
  fingerprint: string;
  publicKey: string;
};
export type TrustedIdentityItem = Common & { kind: "identities"; subject: string; subjectPattern: boolean; issuer: string };
export type TrustRootItem = Common & {
  kind: "roots";
  fingerprint: string;
  isDefault: boolean;
  thresholds: { tlog: number; ctlog: number; timestamp: number };
  trustedRoot?: unknown;
};
export type X509RootItem = Common & { kind: "x509-roots"; fingerprint: string; subject: string; certificatePem: string };
export type TrustItem = TrustedKeyItem | TrustedIdentityItem | TrustRootItem | X509RootItem;

/** Ledger kinds and subjects: trust.key.created, trust-key:<id>. */
export const LEDGER_NOUN: Record<TrustKind, string> = {
  keys: "key",
  identities: "identity",
  roots: "root",
  "x509-roots": "x509-root",
};

export const KIND_LABEL: Record<TrustKind, string> = {
  keys: "trusted key",
  identities: "trusted identity",
  roots: "trust root",
  "x509-roots": "X.509 root",
};

export function createdById(actor: Actor): string | null {
  return actor.kind === "user" ? actor.id : null;
}

type Row = {
  id: string;
  name: string;
  owner: string | null;
  environments: string[];
  validFrom: Date | null;
  validUntil: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  createdAt: Date;
  createdBy?: { email: string } | null;
};

export function statusOf(row: Pick<Row, "validFrom" | "validUntil" | "revokedAt">, now: Date): TrustStatus {
  if (row.revokedAt && row.revokedAt <= now) return "revoked";
  if (row.validUntil && row.validUntil <= now) return "expired";
  if (row.validFrom && row.validFrom > now) return "pending";
  return "active";
}

function common(row: Row, now: Date): Common {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    environments: row.environments ?? [],
    validFrom: row.validFrom?.toISOString() ?? null,
    validUntil: row.validUntil?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revokedReason: row.revokedReason,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy?.email ?? null,
    status: statusOf(row, now),
  };
}

/** The columns every trust entry shares, from its validated input. */
export function entryData(
  input: { name: string; owner?: string | null; environments: string[]; validFrom?: string | null; validUntil?: string | null },
  options: { actor: Actor; now: Date },
) {
  return {
    name: input.name,
    owner: input.owner || null,
    environments: input.environments,
    validFrom: input.validFrom ? new Date(input.validFrom) : null,
    validUntil: input.validUntil ? new Date(input.validUntil) : null,
    createdAt: options.now,
    createdById: createdById(options.actor),
  };
}

/** The part of a trust entry's ledger payload every kind shares: where and when it is trusted. */
export function windowPayload(row: { environments: string[]; validFrom: Date | null; validUntil: Date | null }) {
  return {
    environments: row.environments,
    validFrom: row.validFrom?.toISOString() ?? null,
    validUntil: row.validUntil?.toISOString() ?? null,
  };
}

export const withCreator = { createdBy: { select: { email: true } } } as const;

export function keyItem(
  row: Row & { kind: "pem" | "openpgp"; algorithm: string; fingerprint: string; publicKey: string },
  now: Date,
): TrustedKeyItem {
  return {
    kind: "keys",
    ...common(row, now),
    keyKind: row.kind,
    algorithm: row.algorithm,
    fingerprint: row.fingerprint,
    publicKey: row.publicKey,
  };
}

export function identityItem(row: Row & { subject: string; subjectIsRegex: boolean; issuer: string }, now: Date): TrustedIdentityItem {
  return { kind: "identities", ...common(row, now), subject: row.subject, subjectPattern: row.subjectIsRegex, issuer: row.issuer };
}

export function rootItem(
  row: Row & {
    fingerprint: string;
    isDefault: boolean;
    tlogThreshold: number;
    ctlogThreshold: number;
    timestampThreshold: number;
    trustedRootJson?: unknown;
  },
  now: Date,
  options: { withDocument?: boolean } = {},
): TrustRootItem {
  return {
    kind: "roots",
    ...common(row, now),
    fingerprint: row.fingerprint,
    isDefault: row.isDefault,
    thresholds: { tlog: row.tlogThreshold, ctlog: row.ctlogThreshold, timestamp: row.timestampThreshold },
    ...(options.withDocument ? { trustedRoot: row.trustedRootJson } : {}),
  };
}

export function x509Item(row: Row & { fingerprint: string; subject: string; certificatePem: string }, now: Date): X509RootItem {
  return {
    kind: "x509-roots",
    ...common(row, now),
    fingerprint: row.fingerprint,
    subject: row.subject,
    certificatePem: row.certificatePem,
  };
}

/** One entry by kind and id, or null. `withDocument` adds a trust root's trusted_root.json. */
export async function findTrustItem(
  tx: Prisma.TransactionClient,
  options: { kind: TrustKind; id: string; now: Date; withDocument?: boolean },
): Promise<TrustItem | null> {
  const { kind, id, now } = options;
  switch (kind) {
    case "keys": {
      const row = await tx.trustedKey.findUnique({ where: { id }, include: withCreator });
      return row ? keyItem(row, now) : null;
    }
    case "identities": {
      const row = await tx.trustedIdentity.findUnique({ where: { id }, include: withCreator });
      return row ? identityItem(row, now) : null;
    }
    case "roots": {
      const row = await tx.trustRoot.findUnique({ where: { id }, include: withCreator });
      return row ? rootItem(row, now, { withDocument: options.withDocument }) : null;
    }
    case "x509-roots": {
      const row = await tx.trustedX509Root.findUnique({ where: { id }, include: withCreator });
      return row ? x509Item(row, now) : null;
    }
  }
}

/** A unique index refused the insert (two concurrent creations, or a race past the pre-check). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown; originalCode?: unknown } } | null;
  return e?.code === "P2002" || e?.cause?.code === "23505" || e?.cause?.originalCode === "23505";
}

/** Throws a 409 naming the field that clashes with an existing entry. */
export async function refuseDuplicate(options: {
  label: string;
  byName: () => Promise<{ id: string } | null>;
  byFingerprint?: () => Promise<{ id: string; name: string } | null>;
  name: string;
  fingerprint?: string;
}): Promise<void> {
  if (await options.byName()) {
    throw new AppError("conflict", `A ${options.label} named "${options.name}" already exists`, {
      errors: [{ path: "$.name", message: "is already taken" }],
    });
  }
  const same = options.byFingerprint ? await options.byFingerprint() : null;
  if (same) {
    throw new AppError("conflict", `This ${options.label} is already trusted as "${same.name}" (${options.fingerprint})`, {
      errors: [{ path: "$.fingerprint", message: `already trusted as "${same.name}"` }],
    });
  }
}

export function duplicateError(label: string): AppError {
  return new AppError("conflict", `A ${label} with this name or fingerprint already exists`);
}

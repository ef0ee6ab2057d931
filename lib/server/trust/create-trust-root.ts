import "server-only";
import { createHash } from "node:crypto";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toTrustMaterial } from "@sigstore/verify";
import { AppError, type FieldProblem } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db, type Prisma } from "@/lib/db/client";
import { canonicalJson } from "@/lib/domain/canonical-json";
import { requestTrustReevaluation } from "@/lib/server/jobs/requests";
import { appendLedgerEntry, lockLedger } from "@/lib/server/ledger/append-ledger-entry";
import { type TCreateTrustRoot, ZCreateTrustRoot } from "./schemas";
import {
  duplicateError,
  entryData,
  isUniqueViolation,
  refuseDuplicate,
  rootItem,
  type TrustRootItem,
  windowPayload,
  withCreator,
} from "./trust-entry";

const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v\d+)?\+json;version=\d+\.\d+$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `sha256:<hex>` of the canonical JSON of a trusted root (the same value verdicts record as evidence). */
export function trustRootFingerprint(root: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(root), "utf8").digest("hex")}`;
}

/** Problems that make a document not a usable Sigstore trusted_root.json, each with its JSON path. */
export function trustedRootProblems(root: Record<string, unknown>, base = "$.trustedRoot"): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (typeof root.mediaType !== "string" || !TRUSTED_ROOT_MEDIA_TYPE.test(root.mediaType)) {
    problems.push({ path: `${base}.mediaType`, message: "must be application/vnd.dev.sigstore.trustedroot+json;version=0.1 (or later)" });
  }
  for (const field of ["tlogs", "certificateAuthorities", "ctlogs", "timestampAuthorities"] as const) {
    const value = root[field];
    if (value !== undefined && !Array.isArray(value)) problems.push({ path: `${base}.${field}`, message: "must be an array" });
  }
  const tlogs = Array.isArray(root.tlogs) ? root.tlogs : [];
  const cas = Array.isArray(root.certificateAuthorities) ? root.certificateAuthorities : [];
  if (tlogs.length === 0 && cas.length === 0) {
    problems.push({ path: `${base}.tlogs`, message: "a trusted root needs at least one transparency log or certificate authority" });
  }
  tlogs.forEach((log, i) => {
    const publicKey = isRecord(log) ? log.publicKey : undefined;
    if (!isRecord(log) || typeof log.baseUrl !== "string") problems.push({ path: `${base}.tlogs[${i}].baseUrl`, message: "is required" });
    if (!isRecord(publicKey) || typeof publicKey.rawBytes !== "string" || publicKey.rawBytes.length === 0)
      problems.push({ path: `${base}.tlogs[${i}].publicKey.rawBytes`, message: "is required (base64 DER public key)" });
    if (!isRecord(log) || !isRecord(log.logId) || typeof log.logId.keyId !== "string")
      problems.push({ path: `${base}.tlogs[${i}].logId.keyId`, message: "is required" });
  });
  cas.forEach((ca, i) => {
    const certs = isRecord(ca) && isRecord(ca.certChain) ? ca.certChain.certificates : undefined;
    if (!Array.isArray(certs) || certs.length === 0 || !certs.every((c) => isRecord(c) && typeof c.rawBytes === "string"))
      problems.push({ path: `${base}.certificateAuthorities[${i}].certChain.certificates`, message: "must list base64 DER certificates" });
  });
  if (problems.length > 0) return problems;
  try {
    toTrustMaterial(TrustedRoot.fromJSON(root));
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 200) : "unreadable";
    problems.push({ path: base, message: `cannot be used as a Sigstore trusted root (${detail})` });
  }
  return problems;
}

/** Adds a Sigstore trust root (a trusted_root.json) with its tlog/ctlog/timestamp thresholds. */
export async function createTrustRoot(options: {
  actor: Actor;
  input: TCreateTrustRoot;
  now: Date;
  isDefault?: boolean;
}): Promise<TrustRootItem> {
  const input = ZCreateTrustRoot.parse(options.input);
  const root = input.trustedRoot;
  const problems = trustedRootProblems(root);
  const count = (field: string) => (Array.isArray(root[field]) ? (root[field] as unknown[]).length : 0);
  const thresholds = {
    tlog: input.thresholds?.tlog ?? 1,
    ctlog: input.thresholds?.ctlog ?? 1,
    timestamp: input.thresholds?.timestamp ?? 1,
  };
  if (problems.length === 0 && thresholds.tlog > count("tlogs"))
    problems.push({ path: "$.thresholds.tlog", message: `exceeds the ${count("tlogs")} transparency logs of the root` });
  if (problems.length > 0) {
    throw new AppError("unprocessable", "The trusted root is not a usable Sigstore trusted_root.json", { errors: problems });
  }
  const fingerprint = trustRootFingerprint(root);
  try {
    return await db().$transaction(async (tx) => {
      await lockLedger(tx);
      await refuseDuplicate({
        label: "trust root",
        name: input.name,
        fingerprint,
        byName: () => tx.trustRoot.findUnique({ where: { name: input.name }, select: { id: true } }),
        byFingerprint: () => tx.trustRoot.findUnique({ where: { fingerprint }, select: { id: true, name: true } }),
      });
      const row = await tx.trustRoot.create({
        data: {
          ...entryData(input, options),
          trustedRootJson: root as Prisma.InputJsonValue,
          fingerprint,
          tlogThreshold: thresholds.tlog,
          ctlogThreshold: thresholds.ctlog,
          timestampThreshold: thresholds.timestamp,
          isDefault: options.isDefault ?? false,
        },
        include: withCreator,
      });
      await appendLedgerEntry(tx, {
        kind: "trust.root.created",
        actor: actorRef(options.actor),
        subject: `trust-root:${row.id}`,
        payload: {
          name: row.name,
          fingerprint,
          thresholds,
          isDefault: row.isDefault,
          ...windowPayload(row),
        },
        now: options.now,
      });
      await requestTrustReevaluation(tx, "trust.root.created");
      return rootItem(row, options.now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateError("trust root");
    throw error;
  }
}

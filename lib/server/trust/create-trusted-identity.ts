import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { requestTrustReevaluation } from "@/lib/server/jobs/requests";
import { appendLedgerEntry, lockLedger } from "@/lib/server/ledger/append-ledger-entry";
import { compileIdentityPattern } from "@/lib/verify/keys";
import { type TCreateTrustedIdentity, ZCreateTrustedIdentity } from "./schemas";
import {
  duplicateError,
  entryData,
  identityItem,
  isUniqueViolation,
  refuseDuplicate,
  type TrustedIdentityItem,
  windowPayload,
  withCreator,
} from "./trust-entry";

/** Trusts a keyless signer: a certificate SAN (exact, or an anchored linear-time pattern) from an exact OIDC issuer. */
export async function createTrustedIdentity(options: {
  actor: Actor;
  input: TCreateTrustedIdentity;
  now: Date;
}): Promise<TrustedIdentityItem> {
  const input = ZCreateTrustedIdentity.parse(options.input);
  if (input.subjectPattern) {
    const compiled = compileIdentityPattern(input.subject);
    if (!compiled.ok) {
      throw new AppError("unprocessable", `The subject ${compiled.reason}`, { errors: [{ path: "$.subject", message: compiled.reason }] });
    }
  }
  try {
    return await db().$transaction(async (tx) => {
      await lockLedger(tx);
      await refuseDuplicate({
        label: "trusted identity",
        name: input.name,
        byName: () => tx.trustedIdentity.findUnique({ where: { name: input.name }, select: { id: true } }),
      });
      const row = await tx.trustedIdentity.create({
        data: {
          ...entryData(input, options),
          subject: input.subject,
          subjectIsRegex: input.subjectPattern,
          issuer: input.issuer,
        },
        include: withCreator,
      });
      await appendLedgerEntry(tx, {
        kind: "trust.identity.created",
        actor: actorRef(options.actor),
        subject: `trust-identity:${row.id}`,
        payload: {
          name: row.name,
          subject: row.subject,
          subjectPattern: row.subjectIsRegex,
          issuer: row.issuer,
          ...windowPayload(row),
        },
        now: options.now,
      });
      await requestTrustReevaluation(tx, "trust.identity.created");
      return identityItem(row, options.now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateError("trusted identity");
    throw error;
  }
}

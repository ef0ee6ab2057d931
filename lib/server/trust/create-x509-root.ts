import "server-only";
import { createHash, X509Certificate } from "node:crypto";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";
import { requestTrustReevaluation } from "@/lib/server/jobs/requests";
import { appendLedgerEntry, lockLedger } from "@/lib/server/ledger/append-ledger-entry";
import { type TCreateX509Root, ZCreateX509Root } from "./schemas";
import {
  duplicateError,
  entryData,
  isUniqueViolation,
  refuseDuplicate,
  windowPayload,
  withCreator,
  type X509RootItem,
  x509Item,
} from "./trust-entry";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

type ParsedRoot = { pem: string; fingerprint: string; subject: string };

/** One PEM CA certificate (basicConstraints CA=true); a refusal names $.certificate and why. */
export function parseX509Root(text: string): ParsedRoot {
  const refuse = (why: string): never => {
    throw new AppError("unprocessable", `The certificate ${why}`, { errors: [{ path: "$.certificate", message: why }] });
  };
  if (/PRIVATE KEY-----/.test(text)) refuse("comes with a private key: register only the certificate");
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) refuse("must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
  if (blocks.length > 1) refuse(`must be one certificate, got ${blocks.length}: register each root on its own`);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(blocks[0] as string);
  } catch {
    return refuse("does not parse as an X.509 certificate");
  }
  if (!certificate.ca) refuse("is not a CA certificate (basicConstraints CA is not set): a root must be able to issue certificates");
  return {
    pem: certificate.toString(),
    fingerprint: `sha256:${createHash("sha256").update(certificate.raw).digest("hex")}`,
    subject: certificate.subject.replace(/\n/g, ", "),
  };
}

/** Trusts an X.509 CA certificate as a root for Notary Project signatures. */
export async function createX509Root(options: { actor: Actor; input: TCreateX509Root; now: Date }): Promise<X509RootItem> {
  const input = ZCreateX509Root.parse(options.input);
  const cert = parseX509Root(input.certificate);
  try {
    return await db().$transaction(async (tx) => {
      await lockLedger(tx);
      await refuseDuplicate({
        label: "X.509 root",
        name: input.name,
        fingerprint: cert.fingerprint,
        byName: () => tx.trustedX509Root.findUnique({ where: { name: input.name }, select: { id: true } }),
        byFingerprint: () => tx.trustedX509Root.findUnique({ where: { fingerprint: cert.fingerprint }, select: { id: true, name: true } }),
      });
      const row = await tx.trustedX509Root.create({
        data: {
          ...entryData(input, options),
          certificatePem: cert.pem,
          fingerprint: cert.fingerprint,
          subject: cert.subject,
        },
        include: withCreator,
      });
      await appendLedgerEntry(tx, {
        kind: "trust.x509-root.created",
        actor: actorRef(options.actor),
        subject: `trust-x509-root:${row.id}`,
        payload: {
          name: row.name,
          fingerprint: row.fingerprint,
          subject: row.subject,
          ...windowPayload(row),
        },
        now: options.now,
      });
      await requestTrustReevaluation(tx, "trust.x509-root.created");
      return x509Item(row, options.now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateError("X.509 root");
    throw error;
  }
}

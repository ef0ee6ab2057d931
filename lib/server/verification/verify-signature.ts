import "server-only";
import { X509Certificate } from "node:crypto";
import { db } from "@/lib/db/client";
import { verifyCosign } from "@/lib/verify/cosign";
import { pickWindow, type TrustedIdentity, type TrustedKey, type TrustedX509Root } from "@/lib/verify/keys";
import { verifyNotationJws } from "@/lib/verify/notation";
import { verifyOpenPgp } from "@/lib/verify/openpgp";
import { verifySigstoreBundle } from "@/lib/verify/sigstore";
import type { VerificationResult } from "@/lib/verify/verdict";

// Vitrine's own verdict for a stored signature, computed against the trust store as it is now.
// Never takes the submitter's word: every format goes through lib/verify.

export type TrustMaterial = {
  keys: TrustedKey[];
  identities: TrustedIdentity[];
  roots: Array<{
    id: string;
    name: string;
    json: unknown;
    thresholds: { tlogThreshold: number; ctlogThreshold: number; timestampThreshold: number };
    revokedAt?: Date;
  }>;
  x509Roots: TrustedX509Root[];
  /** Trusted key id -> its fingerprint, to name the key behind a verified signature. */
  fingerprints: Map<string, string>;
};

const opt = (d: Date | null) => d ?? undefined;

/** Every trust entry, revoked ones included (a revocation must be able to name what it revoked). */
export async function loadTrustMaterial(): Promise<TrustMaterial> {
  const [keys, identities, roots, x509] = await Promise.all([
    db().trustedKey.findMany(),
    db().trustedIdentity.findMany(),
    db().trustRoot.findMany({ orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }] }),
    db().trustedX509Root.findMany(),
  ]);
  return {
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      kind: k.kind,
      publicKey: k.publicKey,
      validFrom: opt(k.validFrom),
      validUntil: opt(k.validUntil),
      revokedAt: opt(k.revokedAt),
    })),
    identities: identities.map((i) => ({
      id: i.id,
      name: i.name,
      subject: i.subject,
      subjectIsRegex: i.subjectIsRegex,
      issuer: i.issuer,
      validFrom: opt(i.validFrom),
      validUntil: opt(i.validUntil),
      revokedAt: opt(i.revokedAt),
    })),
    roots: roots.map((r) => ({
      id: r.id,
      name: r.name,
      json: r.trustedRootJson,
      thresholds: { tlogThreshold: r.tlogThreshold, ctlogThreshold: r.ctlogThreshold, timestampThreshold: r.timestampThreshold },
      revokedAt: opt(r.revokedAt),
    })),
    x509Roots: x509.map((r) => ({ id: r.id, name: r.name, certificatePem: r.certificatePem, revokedAt: opt(r.revokedAt) })),
    fingerprints: new Map(keys.map((k) => [k.id, k.fingerprint])),
  };
}

/** The Fulcio CA certificates of the trust roots, as PEM (for cosign keyless signatures). */
function fulcioRootsPem(trust: TrustMaterial, now: Date): string[] {
  const pems: string[] = [];
  for (const root of trust.roots) {
    if (root.revokedAt && root.revokedAt <= now) continue;
    const cas =
      (root.json as { certificateAuthorities?: Array<{ certChain?: { certificates?: Array<{ rawBytes?: string }> } }> })
        .certificateAuthorities ?? [];
    for (const ca of cas) {
      for (const cert of ca.certChain?.certificates ?? []) {
        if (!cert.rawBytes) continue;
        try {
          pems.push(new X509Certificate(Buffer.from(cert.rawBytes, "base64")).toString());
        } catch {
          // a malformed certificate in an uploaded root cannot anchor anything
        }
      }
    }
  }
  return pems;
}

const RANK: Record<VerificationResult["verdict"], number> = {
  verified: 0,
  revoked: 1,
  expired: 2,
  "subject-mismatch": 3,
  invalid: 4,
  untrusted: 5,
  unverifiable: 6,
};

/** The signing time the evidence proves, else now (keyed signatures without a log entry). */
function signingTime(result: VerificationResult, now: Date): Date {
  const t = result.evidence.integratedTime ?? result.evidence.timestampedTime;
  const d = t ? new Date(/^\d+$/.test(t) ? Number(t) * 1000 : t) : null;
  return d && !Number.isNaN(d.getTime()) ? d : now;
}

export async function verifySigstore(
  material: Record<string, unknown>,
  digest: string,
  trust: TrustMaterial,
  now: Date,
): Promise<VerificationResult> {
  const bundle = material.bundle;
  const activeRoots = trust.roots.filter((r) => !r.revokedAt || r.revokedAt > now);
  if (activeRoots.length === 0) return { verdict: "unverifiable", reason: "no trusted Sigstore root is configured", evidence: {} };
  const isKeyed = Boolean((bundle as { verificationMaterial?: { publicKey?: unknown } })?.verificationMaterial?.publicKey);
  let best: VerificationResult | null = null;
  for (const root of activeRoots) {
    const base = { bundle, artifact: { digest }, trustedRoot: root.json, thresholds: root.thresholds };
    const attempts: Array<{ matches: Array<TrustedKey | TrustedIdentity>; run: () => Promise<VerificationResult> }> = isKeyed
      ? trust.keys
          .filter((k) => k.kind === "pem")
          .map((k) => ({ matches: [k], run: () => verifySigstoreBundle({ ...base, policy: { key: { pem: k.publicKey } } }) }))
      : trust.identities.map((i) => ({
          matches: [i],
          run: () =>
            verifySigstoreBundle({
              ...base,
              policy: { identity: { subject: i.subject, subjectIsRegex: i.subjectIsRegex, issuer: i.issuer } },
            }),
        }));
    for (const attempt of attempts) {
      const result = await attempt.run();
      if (result.verdict === "verified") {
        const window = pickWindow(attempt.matches, signingTime(result, now));
        if (window?.state === "revoked")
          return {
            ...result,
            verdict: "revoked",
            reason: `${window.entry.name} was revoked at ${window.at.toISOString()}, before the signing time`,
          };
        if (window?.state === "expired") return { ...result, verdict: "expired", reason: `${window.entry.name}: ${window.reason}` };
        return {
          ...result,
          reason: `${result.reason}; trusted as ${attempt.matches[0]!.name} (root ${root.name})`,
          evidence: { ...result.evidence, trustedAs: attempt.matches[0]!.name } as VerificationResult["evidence"],
        };
      }
      if (result.verdict === "invalid" || result.verdict === "subject-mismatch") return result; // crypto or subject failure: no signer can fix it
    }
    // No trusted signer matched: what is the bundle worth on its own under this root?
    const unsigned = await verifySigstoreBundle({ ...base, policy: {} });
    if (!best || RANK[unsigned.verdict] < RANK[best.verdict]) best = unsigned;
  }
  return best ?? { verdict: "unverifiable", reason: "no trust root could check the bundle", evidence: {} };
}

/** Computes Vitrine's verdict for one signature's material. */
export async function computeVerdict(options: {
  format: string;
  material: Record<string, unknown>;
  artifactDigest: string;
  trust: TrustMaterial;
  now: Date;
}): Promise<VerificationResult> {
  const { format, material, artifactDigest: digest, trust, now } = options;
  try {
    switch (format) {
      case "sigstore-bundle":
        return await verifySigstore(material, digest, trust, now);
      case "cosign":
        return verifyCosign({
          artifactDigest: digest,
          payloadB64: String(material.payload ?? ""),
          signatureB64: String(material.signature ?? ""),
          certificatePem: typeof material.certificate === "string" ? material.certificate : null,
          certificateChainPem: typeof material.certificateChain === "string" ? material.certificateChain : null,
          keys: trust.keys,
          identities: trust.identities,
          fulcioRootsPem: fulcioRootsPem(trust, now),
          // The submitter's key hint: only ever turns "corrupted or unknown" into "valid but untrusted".
          untrustedKeysPem: typeof material.publicKey === "string" ? [material.publicKey] : [],
          now,
        });
      case "openpgp":
        return await verifyOpenPgp({
          signedData: Buffer.from(String(material.signedData ?? ""), "base64"),
          armoredSignature: String(material.signature ?? ""),
          keys: trust.keys,
          now,
        });
      case "notation-jws":
      case "notation":
        return await verifyNotationJws({
          artifactDigest: digest,
          envelope: material.envelope,
          roots: trust.x509Roots,
          identities: trust.identities,
          now,
        });
      default:
        return { verdict: "unverifiable", reason: `no verifier for the format ${format}`, evidence: {} };
    }
  } catch (error) {
    return { verdict: "invalid", reason: `verification failed: ${(error as Error).message.slice(0, 200)}`, evidence: {} };
  }
}

/** The trust entry a verified signature counts for, by name (what policies list as signers). */
export function signerName(result: VerificationResult, trust: TrustMaterial): string | null {
  const evidence = result.evidence as Record<string, string | undefined>;
  if (evidence.trustedAs) return evidence.trustedAs;
  const byKey = evidence.keyFingerprint ? trust.keys.find((k) => trust.fingerprints.get(k.id) === evidence.keyFingerprint) : undefined;
  if (byKey) return byKey.name;
  const byIdentity = evidence.identity ? trust.identities.find((i) => !i.subjectIsRegex && i.subject === evidence.identity) : undefined;
  return byIdentity?.name ?? null;
}

/** Verifies the given signatures (or all) and stores each verdict with its reason and evidence. */
const PAGE = 1000;

export async function verifySignatures(options: { ids?: string[]; now: Date }): Promise<{ verified: number; checked: number }> {
  const trust = await loadTrustMaterial();
  let verified = 0;
  let checked = 0;
  let cursor: string | undefined;
  for (;;) {
    const signatures = await db().signature.findMany({
      where: options.ids ? { id: { in: options.ids } } : {},
      include: { artifact: { select: { digest: true } } },
      // Without ids: every row, a page at a time in id order (a trust change re-judges them all).
      orderBy: { id: "asc" },
      take: options.ids ? undefined : PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const s of signatures) {
      const result = await computeVerdict({
        format: s.format,
        material: s.material as Record<string, unknown>,
        artifactDigest: s.artifact.digest,
        trust,
        now: options.now,
      });
      if (result.verdict === "verified") verified++;
      const trustedAs = result.verdict === "verified" ? signerName(result, trust) : null;
      await db().signature.update({
        where: { id: s.id },
        data: {
          verdict: result.verdict,
          verdictReason: result.reason.slice(0, 1000),
          evidence: { ...result.evidence, ...(trustedAs ? { trustedAs } : {}) } as object,
          verifiedAt: options.now,
        },
      });
    }
    checked += signatures.length;
    if (options.ids || signatures.length < PAGE) break;
    cursor = signatures[signatures.length - 1]!.id;
  }
  return { verified, checked };
}

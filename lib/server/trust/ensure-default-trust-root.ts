import "server-only";
import { db } from "@/lib/db/client";
import { PUBLIC_GOOD_TRUSTED_ROOT } from "@/lib/verify/public-good-root";
import { createTrustRoot, trustRootFingerprint } from "./create-trust-root";
import { isUniqueViolation } from "./trust-entry";

export const DEFAULT_TRUST_ROOT_NAME = "sigstore-public-good";

/**
 * Seeds the public-good Sigstore root as the default trust root, once: when a root with its name or
 * fingerprint exists (even revoked by an admin), nothing is added. Safe to run from every instance.
 */
export async function ensureDefaultTrustRoot(options: { now: Date }): Promise<{ created: boolean; id: string }> {
  const fingerprint = trustRootFingerprint(PUBLIC_GOOD_TRUSTED_ROOT);
  const find = () =>
    db().trustRoot.findFirst({
      where: { OR: [{ fingerprint }, { name: DEFAULT_TRUST_ROOT_NAME }] },
      select: { id: true },
      orderBy: { createdAt: "asc" },
    });
  const existing = await find();
  if (existing) return { created: false, id: existing.id };
  try {
    const root = await createTrustRoot({
      actor: { kind: "system", name: "vitrine" },
      input: {
        name: DEFAULT_TRUST_ROOT_NAME,
        trustedRoot: PUBLIC_GOOD_TRUSTED_ROOT as Record<string, unknown>,
        owner: "Sigstore public-good instance",
      },
      now: options.now,
      isDefault: true,
    });
    return { created: true, id: root.id };
  } catch (error) {
    // Another instance seeded it between our look and our insert.
    const again = await find();
    if (again && (isUniqueViolation(error) || (error as { code?: unknown }).code === "conflict")) return { created: false, id: again.id };
    throw error;
  }
}

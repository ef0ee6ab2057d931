import "server-only";
import { db } from "@/lib/db/client";
import { defaultPolicy, type TrustPolicy, ZTrustPolicy } from "@/lib/domain/policy";

export type PolicyItem = {
  environment: string;
  policy: TrustPolicy;
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
};

/** Every stored policy, plus the built-in default for each known environment without one. */
export async function listPolicies(): Promise<PolicyItem[]> {
  const [stored, environments] = await Promise.all([
    db().trustPolicy.findMany({ orderBy: { environment: "asc" } }),
    db().environment.findMany({ where: { deletedAt: null }, select: { name: true }, orderBy: { name: "asc" } }),
  ]);
  const items: PolicyItem[] = stored.map((p) => ({
    environment: p.environment,
    policy: ZTrustPolicy.parse(p.document),
    isDefault: false,
    updatedAt: p.updatedAt.toISOString(),
    updatedBy: p.updatedBy,
  }));
  const have = new Set(items.map((i) => i.environment));
  for (const e of environments) {
    if (!have.has(e.name))
      items.push({ environment: e.name, policy: defaultPolicy(e.name), isDefault: true, updatedAt: null, updatedBy: null });
  }
  return items.sort((a, b) => a.environment.localeCompare(b.environment));
}

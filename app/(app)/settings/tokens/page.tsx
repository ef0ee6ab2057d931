import type { Metadata } from "next";
import Link from "next/link";
import { TokenManager } from "@/components/settings/token-manager";
import { requirePagePermission } from "@/lib/auth/session";
import { listTokens } from "@/lib/server/tokens/list-tokens";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function TokensPage() {
  await requirePagePermission("tokens:manage", "/settings/tokens");
  const tokens = await listTokens();
  return (
    <>
      <div className="page-header">
        <div>
          <p>
            <Link href="/settings">Settings</Link> /
          </p>
          <h1>API tokens</h1>
          <p>A token is shown once, when it is created. Vitrine keeps only its hash. Revoking takes effect on the next request.</p>
        </div>
      </div>
      <TokenManager initialTokens={tokens} />
    </>
  );
}

// GET /api/v1/trust/identities - list trusted identities; POST - trust a keyless identity (SAN + OIDC issuer)
import { withApi } from "@/lib/api/with-api";
import { createTrustedIdentity } from "@/lib/server/trust/create-trusted-identity";
import { listTrustEntries } from "@/lib/server/trust/list-trust-entries";
import { ZCreateTrustedIdentity } from "@/lib/server/trust/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async ({ now }) => ({
  items: await listTrustEntries({ kind: "identities", now }),
  nextCursor: null,
}));

export const POST = withApi({ auth: { permission: "trust:manage" }, body: ZCreateTrustedIdentity }, async ({ actor, body, now }) => {
  const created = await createTrustedIdentity({ actor: actor!, input: body, now });
  return Response.json(created, { status: 201 });
});

// GET /api/v1/trust/keys - list trusted keys; POST - trust a PEM or OpenPGP public key
import { withApi } from "@/lib/api/with-api";
import { createTrustedKey } from "@/lib/server/trust/create-trusted-key";
import { listTrustEntries } from "@/lib/server/trust/list-trust-entries";
import { ZCreateTrustedKey } from "@/lib/server/trust/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async ({ now }) => ({
  items: await listTrustEntries({ kind: "keys", now }),
  nextCursor: null,
}));

export const POST = withApi({ auth: { permission: "trust:manage" }, body: ZCreateTrustedKey }, async ({ actor, body, now }) => {
  const created = await createTrustedKey({ actor: actor!, input: body, now });
  return Response.json(created, { status: 201 });
});

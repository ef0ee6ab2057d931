// GET /api/v1/trust/x509-roots - list X.509 roots; POST - trust a CA certificate for Notary Project signatures
import { withApi } from "@/lib/api/with-api";
import { createX509Root } from "@/lib/server/trust/create-x509-root";
import { listTrustEntries } from "@/lib/server/trust/list-trust-entries";
import { ZCreateX509Root } from "@/lib/server/trust/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async ({ now }) => ({
  items: await listTrustEntries({ kind: "x509-roots", now }),
  nextCursor: null,
}));

export const POST = withApi({ auth: { permission: "trust:manage" }, body: ZCreateX509Root }, async ({ actor, body, now }) => {
  const created = await createX509Root({ actor: actor!, input: body, now });
  return Response.json(created, { status: 201 });
});

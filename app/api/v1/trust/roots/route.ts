// GET /api/v1/trust/roots - list Sigstore trust roots; POST - add a trusted_root.json
import { withApi } from "@/lib/api/with-api";
import { createTrustRoot } from "@/lib/server/trust/create-trust-root";
import { listTrustEntries } from "@/lib/server/trust/list-trust-entries";
import { ZCreateTrustRoot } from "@/lib/server/trust/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async ({ now }) => ({
  items: await listTrustEntries({ kind: "roots", now }),
  nextCursor: null,
}));

export const POST = withApi({ auth: { permission: "trust:manage" }, body: ZCreateTrustRoot }, async ({ actor, body, now }) => {
  const created = await createTrustRoot({ actor: actor!, input: body, now });
  return Response.json(created, { status: 201 });
});

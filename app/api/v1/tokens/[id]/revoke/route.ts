// POST /api/v1/tokens/{id}/revoke - revoke an API token at once
import { AppError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/with-api";
import { revokeToken } from "@/lib/server/tokens/revoke-token";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "tokens:manage", allow: ["session"] } }, async ({ actor, params, now }) => {
  const id = params.id ?? "";
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new AppError("unprocessable", "The token id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  }
  const token = await revokeToken({ actor: actor!, tokenId: id, now });
  return { id: token.id, name: token.name, revokedAt: token.revokedAt?.toISOString() ?? null };
});

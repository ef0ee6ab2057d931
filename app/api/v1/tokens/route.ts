// GET /api/v1/tokens - list API tokens; POST - create one (the secret is in this answer only)
import { withApi } from "@/lib/api/with-api";
import { createToken } from "@/lib/server/tokens/create-token";
import { listTokens } from "@/lib/server/tokens/list-tokens";
import { ZCreateToken } from "@/lib/server/tokens/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "tokens:manage", allow: ["session"] } }, async () => ({
  items: await listTokens(),
  nextCursor: null,
}));

export const POST = withApi(
  { auth: { permission: "tokens:manage", allow: ["session"] }, body: ZCreateToken },
  async ({ actor, body, now }) => {
    const token = await createToken({ actor: actor!, input: body, now });
    return Response.json(token, { status: 201 });
  },
);

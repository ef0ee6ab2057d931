// POST /api/v1/trust/keys/{id}/revoke - revoke one of the trusted keys from `at` (default now), with a reason

import { trustIdParam } from "@/lib/api/trust-id";
import { withApi } from "@/lib/api/with-api";
import { revokeTrustEntry } from "@/lib/server/trust/revoke-trust-entry";
import { ZRevokeTrust } from "@/lib/server/trust/schemas";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "trust:manage" }, body: ZRevokeTrust }, async ({ actor, body, params, now }) => {
  const revoked = await revokeTrustEntry({ actor: actor!, kind: "keys", id: trustIdParam(params), input: body, now });
  return revoked;
});

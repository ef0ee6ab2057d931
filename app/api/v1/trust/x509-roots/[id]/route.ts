// GET /api/v1/trust/x509-roots/{id} - one of the X.509 roots

import { trustIdParam } from "@/lib/api/trust-id";
import { withApi } from "@/lib/api/with-api";
import { getTrustEntryOrThrow } from "@/lib/server/trust/get-trust-entry-or-throw";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async ({ params, now }) =>
  getTrustEntryOrThrow({ kind: "x509-roots", id: trustIdParam(params), now }),
);

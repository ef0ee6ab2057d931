// POST /api/v1/verifications - submit what external verifiers said (cosign, notation, PolicyReports, admission decisions)
import { withApi } from "@/lib/api/with-api";
import { ingestResponse, ingestVerificationsRequest, readIdempotencyKey } from "@/lib/server/ingest/ingest-requests";

export const dynamic = "force-dynamic";

export const POST = withApi(
  { auth: { permission: "ingest", allow: ["token"] }, rawBody: true, rateLimit: "ingest" },
  async ({ req, actor, rawBody, now }) =>
    ingestResponse(
      await ingestVerificationsRequest({
        actor: actor!,
        headers: req.headers,
        body: rawBody ?? new Uint8Array(),
        idempotencyKey: readIdempotencyKey(req.headers),
        now,
      }),
    ),
);

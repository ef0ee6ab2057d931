// POST /api/v1/attestations - submit in-toto attestations (DSSE, Sigstore bundle, bare Statement)
import { withApi } from "@/lib/api/with-api";
import { ingestAttestationsRequest, ingestResponse, readIdempotencyKey } from "@/lib/server/ingest/ingest-requests";

export const dynamic = "force-dynamic";

export const POST = withApi(
  { auth: { permission: "ingest", allow: ["token"] }, rawBody: true, rateLimit: "ingest" },
  async ({ req, actor, rawBody, now }) =>
    ingestResponse(
      await ingestAttestationsRequest({
        actor: actor!,
        headers: req.headers,
        body: rawBody ?? new Uint8Array(),
        idempotencyKey: readIdempotencyKey(req.headers),
        now,
      }),
    ),
);

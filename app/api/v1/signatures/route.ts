// POST /api/v1/signatures - submit signatures (Sigstore bundle, cosign, OpenPGP, Notary Project JWS)
import { withApi } from "@/lib/api/with-api";
import { ingestResponse, ingestSignaturesRequest, readIdempotencyKey } from "@/lib/server/ingest/ingest-requests";

export const dynamic = "force-dynamic";

export const POST = withApi(
  { auth: { permission: "ingest", allow: ["token"] }, rawBody: true, rateLimit: "ingest" },
  async ({ req, actor, rawBody, now }) =>
    ingestResponse(
      await ingestSignaturesRequest({
        actor: actor!,
        headers: req.headers,
        body: rawBody ?? new Uint8Array(),
        idempotencyKey: readIdempotencyKey(req.headers),
        now,
      }),
    ),
);

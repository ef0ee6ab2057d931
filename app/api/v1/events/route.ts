// POST /api/v1/events - ingest pipeline and registry events (CDEvents v0.5, CloudEvents HTTP, registry notifications)
import { withApi } from "@/lib/api/with-api";
import { ingestEventsRequest, ingestResponse, readIdempotencyKey } from "@/lib/server/ingest/ingest-requests";

export const dynamic = "force-dynamic";

export const POST = withApi(
  { auth: { permission: "ingest", allow: ["token"] }, rawBody: true, rateLimit: "ingest" },
  async ({ req, actor, rawBody, now }) =>
    ingestResponse(
      await ingestEventsRequest({
        actor: actor!,
        headers: req.headers,
        body: rawBody ?? new Uint8Array(),
        idempotencyKey: readIdempotencyKey(req.headers),
        now,
      }),
    ),
);

// POST /api/v1/events - ingest pipeline events (CDEvents v0.5, single or batch)
import { AppError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/with-api";
import { ingestEvents } from "@/lib/server/ingest/ingest-events";

export const dynamic = "force-dynamic";

export const POST = withApi({ auth: { permission: "ingest", allow: ["token"] }, rawBody: true, rateLimit: "ingest" }, async ({ req, actor, rawBody, now }) => {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^application\/(json|cloudevents\+json)\b/i.test(contentType)) {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be application/json for CDEvents, got "${contentType.slice(0, 100) || "none"}"`,
    );
  }
  const idempotencyKey = req.headers.get("idempotency-key");
  if (idempotencyKey !== null && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
    throw new AppError("bad_request", "Idempotency-Key must be 1-200 visible ASCII characters");
  }
  const { single, answer } = await ingestEvents({
    actor: actor!,
    rawBody: rawBody ?? new Uint8Array(),
    contentType: contentType.split(";")[0]!.trim().toLowerCase(),
    idempotencyKey,
    now,
  });
  if (!single) return Response.json(answer, { status: 200 });
  const result = answer.results[0]!;
  if (result.status === "rejected") {
    throw new AppError("unprocessable", result.problem?.detail ?? "Invalid event", { errors: result.problem?.errors ?? [] });
  }
  return Response.json(result, { status: result.status === "accepted" ? 201 : 200 });
});

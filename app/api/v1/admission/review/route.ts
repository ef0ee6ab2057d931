// POST /api/v1/admission/review - Vitrine as a Kubernetes validating admission webhook (AdmissionReview v1)
import { withApi } from "@/lib/api/with-api";
import { reviewAdmission } from "@/lib/server/admission/review-admission";

export const dynamic = "force-dynamic";

export const POST = withApi(
  { auth: { permission: "admission", allow: ["token"] }, rawBody: true },
  async ({ req, actor, rawBody, now }) => {
    const outcome = await reviewAdmission({
      actor: actor!,
      body: rawBody ?? new Uint8Array(),
      contentType: req.headers.get("content-type") ?? "",
      now,
    });
    return Response.json(outcome.answer, { headers: { "vitrine-decision-id": outcome.decisionId } });
  },
);

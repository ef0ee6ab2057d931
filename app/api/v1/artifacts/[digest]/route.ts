// GET /api/v1/artifacts/{digest} - one artefact with its tag history, signatures and attestations with
// Vitrine's verdicts, external claims, builds, sources, deployments and policy result per environment
import { digestParam } from "@/lib/api/digest-param";
import { AppError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/with-api";
import { actorCan } from "@/lib/auth/actor";
import { getArtifact } from "@/lib/server/artifacts/get-artifact";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async ({ params, actor }) => {
  const digest = digestParam(params);
  const artifact = await getArtifact({ digest, includeLedger: actorCan(actor!, "ledger:read") });
  if (!artifact) throw new AppError("not_found", `Vitrine has no evidence about ${digest}`);
  return artifact;
});

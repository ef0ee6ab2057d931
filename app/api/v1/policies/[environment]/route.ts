// PUT /api/v1/policies/{environment} - set an environment's trust policy (JSON or YAML)
import { AppError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/with-api";
import { parsePolicyBody, putPolicy } from "@/lib/server/policies/put-policy";

export const dynamic = "force-dynamic";

export const PUT = withApi(
  { auth: { permission: "trust:manage" }, rawBody: true, maxBodyBytes: 256 * 1024 },
  async ({ req, actor, params, rawBody, now }) => {
    const environment = params.environment ?? "";
    if (!/^[A-Za-z0-9][\w.-]{0,99}$/.test(environment)) {
      throw new AppError("unprocessable", "The environment name is not valid", {
        errors: [{ path: "$.params.environment", message: "letters, digits, . _ -" }],
      });
    }
    const contentType = req.headers.get("content-type") ?? "";
    const document = parsePolicyBody({ body: rawBody ?? new Uint8Array(), contentType });
    const policy = await putPolicy({
      actor: actor!,
      environment,
      document,
      source: new TextDecoder().decode(rawBody ?? new Uint8Array()).slice(0, 100_000),
      now,
    });
    return { environment, policy };
  },
);

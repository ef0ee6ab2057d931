// POST /api/v1/reports/verify - is the body exactly a report Vitrine exported? (CSV: with its Vitrine-Signature header or .sig content)
import { AppError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/with-api";
import { verifyReportFile } from "@/lib/server/reports/verify-report";

export const dynamic = "force-dynamic";

export const POST = withApi(
  { auth: { permission: "reports:export" }, rawBody: true, maxBodyBytes: 256 * 1024 * 1024 },
  async ({ req, rawBody }) => {
    if (!rawBody || rawBody.byteLength === 0) {
      throw new AppError("unprocessable", "Send the exported file as the request body", {
        errors: [{ path: "$.body", message: "is empty" }],
      });
    }
    const bytes = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
    return verifyReportFile({ bytes, signature: req.headers.get("vitrine-signature") });
  },
);

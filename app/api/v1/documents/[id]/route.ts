// GET /api/v1/documents/{id} - a stored document, byte for byte as it was received
import { AppError } from "@/lib/api/errors";
import { withApi } from "@/lib/api/with-api";
import { getDocument } from "@/lib/server/documents/get-document";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "ledger:read" } }, async ({ params }) => {
  const id = params.id ?? "";
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new AppError("unprocessable", "The document id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  }
  const doc = await getDocument({ id });
  if (!doc) throw new AppError("not_found", "No such document");
  // Bodies are kept by month (docs/architecture.md "Partitioning"); an archived month is no longer here.
  if (!doc.content) throw new AppError("not_found", `The bytes of document ${doc.id} (sha256 ${doc.sha256}) were archived`);
  return new Response(new Uint8Array(doc.content.body), {
    status: 200,
    headers: {
      // Served as an attachment with the stored type: evidence is data, never rendered as a page.
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${doc.sha256}.${doc.contentType.includes("json") ? "json" : "bin"}"`,
      "x-content-sha256": doc.sha256,
      "x-original-content-type": doc.contentType,
    },
  });
});

// GET /api/v1/reports/public-key - Vitrine's Ed25519 public key (PEM), for verifying reports offline
import { withApi } from "@/lib/api/with-api";
import { getSigningKey } from "@/lib/server/signing/signing-key";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "reports:export" } }, async () => {
  const key = await getSigningKey();
  return new Response(key.publicKeyPem, {
    headers: {
      "content-type": "application/x-pem-file",
      "content-disposition": 'attachment; filename="vitrine-signing-key.pem"',
      "vitrine-key-fingerprint": key.fingerprint,
    },
  });
});

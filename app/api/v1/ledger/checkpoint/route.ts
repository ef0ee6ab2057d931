// GET /api/v1/ledger/checkpoint - the latest signed checkpoint and Vitrine's public key
// POST /api/v1/ledger/checkpoint - sign the current head now
import { withApi } from "@/lib/api/with-api";
import { createCheckpoint, getLatestCheckpoint } from "@/lib/server/ledger/create-checkpoint";
import { getSigningKey } from "@/lib/server/signing/signing-key";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "ledger:read" } }, async () => {
  const key = await getSigningKey();
  return {
    checkpoint: await getLatestCheckpoint(),
    key: { algorithm: key.algorithm, fingerprint: key.fingerprint, publicKey: key.publicKeyPem },
  };
});

// Signing is a write: people who may read the ledger, not read-only tokens.
export const POST = withApi({ auth: { permission: "ledger:read", allow: ["session"] } }, async ({ now }) =>
  Response.json(await createCheckpoint({ now }), { status: 201 }),
);

// GET, PUT /api/v1/admission/namespaces - which environment's trust policy the admission gate applies to a namespace
import { withApi } from "@/lib/api/with-api";
import { getNamespaceMappings } from "@/lib/server/admission/get-namespace-mappings";
import { putNamespaceMappings } from "@/lib/server/admission/put-namespace-mappings";
import { ZPutNamespaceMappings } from "@/lib/server/admission/schemas";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, () => getNamespaceMappings());

export const PUT = withApi(
  { auth: { permission: "trust:manage" }, body: ZPutNamespaceMappings, maxBodyBytes: 256 * 1024 },
  ({ actor, body, now }) => putNamespaceMappings({ actor: actor!, namespaces: body.namespaces, now }),
);

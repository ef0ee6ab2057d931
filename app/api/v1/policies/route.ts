// GET /api/v1/policies - every environment's trust policy (the built-in default where none is set)
import { withApi } from "@/lib/api/with-api";
import { listPolicies } from "@/lib/server/policies/list-policies";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "read" } }, async () => ({ items: await listPolicies(), nextCursor: null }));

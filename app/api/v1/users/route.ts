// GET /api/v1/users?q= - active users by name or e-mail, for assigning alerts (triagers only: it lists e-mail addresses)
import { withApi } from "@/lib/api/with-api";
import { searchUsers, ZSearchUsersQuery } from "@/lib/server/users/search-users";

export const dynamic = "force-dynamic";

export const GET = withApi({ auth: { permission: "alerts:triage" }, query: ZSearchUsersQuery }, async ({ query }) =>
  searchUsers({ q: query.q }),
);

import "server-only";
import type { UserActor } from "@/lib/auth/actor";
import { db } from "@/lib/db/client";

/** The current state of a signed-in user: roles and disabling take effect on the next request. */
export async function getSessionUser(options: { userId: string }): Promise<UserActor | null> {
  if (!/^[0-9a-f-]{36}$/.test(options.userId)) return null;
  const user = await db().user.findUnique({ where: { id: options.userId } });
  if (!user || user.disabledAt) return null;
  return { kind: "user", id: user.id, email: user.email, name: user.name, role: user.role };
}

import "server-only";
import { db } from "@/lib/db/client";

export async function listUsers() {
  const users = await db().user.findMany({ orderBy: { email: "asc" }, take: 1000 });
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    isDemo: u.isDemo,
    sso: u.oidcSubject !== null,
    disabled: u.disabledAt !== null,
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
  }));
}

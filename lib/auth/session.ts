// Server-side guards for pages and server actions. The UI hides what a role cannot do; these decide.
import "server-only";
import { forbidden, redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { AppError } from "@/lib/api/errors";
import { getSessionUser } from "@/lib/server/users/get-session-user";
import { actorCan, type UserActor } from "./actor";
import { authOptions } from "./options";
import type { Permission } from "./permissions";

export async function getCurrentUser(): Promise<UserActor | null> {
  const session = (await getServerSession(authOptions())) as { userId?: unknown } | null;
  if (!session || typeof session.userId !== "string") return null;
  return getSessionUser({ userId: session.userId });
}

/** For pages: anonymous -> sign-in (coming back to `path`), wrong role -> 403 page. */
export async function requirePagePermission(permission: Permission, path: string): Promise<UserActor> {
  const user = await getCurrentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  if (!actorCan(user, permission)) forbidden();
  return user;
}

/** For server actions: throws AppError, which the action turns into a message for the form. */
export async function requireActionPermission(permission: Permission): Promise<UserActor> {
  const user = await getCurrentUser();
  if (!user) throw new AppError("unauthenticated", "Your session has ended: sign in again");
  if (!actorCan(user, permission)) throw new AppError("forbidden", `Your role (${user.role}) may not do this`);
  return user;
}

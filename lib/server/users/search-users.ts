import "server-only";
import { z } from "zod";
import { db } from "@/lib/db/client";

export const ZSearchUsersQuery = z.object({
  q: z.string().trim().max(200, "at most 200 characters").optional(),
});

export type UserChoice = { id: string; name: string | null; email: string; role: string };

/** Active users whose name or e-mail contains `q` (all of them, up to the limit, without one): the assignee picker. */
export async function searchUsers(options: { q?: string; limit?: number }): Promise<{ items: UserChoice[] }> {
  const q = options.q?.trim();
  const users = await db().user.findMany({
    where: {
      disabledAt: null,
      ...(q ? { OR: [{ email: { contains: q, mode: "insensitive" } }, { name: { contains: q, mode: "insensitive" } }] } : {}),
    },
    orderBy: [{ name: "asc" }, { email: "asc" }],
    take: options.limit ?? 20,
    select: { id: true, name: true, email: true, role: true },
  });
  return { items: users };
}

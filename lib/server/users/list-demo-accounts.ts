import "server-only";
import { db } from "@/lib/db/client";

export async function listDemoAccounts(): Promise<Array<{ email: string; role: string }>> {
  const users = await db().user.findMany({
    where: { isDemo: true, disabledAt: null },
    select: { email: true, role: true },
    orderBy: { email: "asc" },
  });
  return users;
}

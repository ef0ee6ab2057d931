import "server-only";
import { dummyPasswordHash, verifyPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { consumeRateLimit, resetRateLimit } from "@/lib/server/rate-limit/consume-rate-limit";
import { ZEmail } from "../users/schemas";

export type CredentialsResult =
  | { ok: true; user: { id: string; email: string; name: string | null; role: string } }
  | { ok: false; reason: "invalid" | "rate_limited"; retryAfterSeconds?: number };

/** Checks email + password, rate limited per account and per client address. */
export async function authenticateCredentials(options: {
  email: unknown;
  password: unknown;
  address: string;
  now: Date;
}): Promise<CredentialsResult> {
  const email = ZEmail.safeParse(options.email);
  if (!email.success || typeof options.password !== "string" || options.password.length > 1024) {
    return { ok: false, reason: "invalid" };
  }
  const e = env();
  const windowSeconds = e.VITRINE_SIGNIN_WINDOW_SECONDS;
  const accountKey = `signin:account:${email.data}`;
  const [byAccount, byAddress] = await Promise.all([
    consumeRateLimit({ key: accountKey, limit: e.VITRINE_SIGNIN_MAX_PER_ACCOUNT, windowSeconds, now: options.now }),
    consumeRateLimit({
      key: `signin:address:${options.address}`,
      limit: e.VITRINE_SIGNIN_MAX_PER_ADDRESS,
      windowSeconds,
      now: options.now,
    }),
  ]);
  if (!byAccount.allowed || !byAddress.allowed) {
    log.warn("sign-in rate limited", { address: options.address, byAccount: !byAccount.allowed });
    return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.max(byAccount.retryAfterSeconds, byAddress.retryAfterSeconds) };
  }
  const user = await db().user.findUnique({ where: { email: email.data } });
  const ok = await verifyPassword(options.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user?.passwordHash || user.disabledAt || !ok) {
    log.info("sign-in failed", { address: options.address });
    return { ok: false, reason: "invalid" };
  }
  await resetRateLimit({ key: accountKey });
  await db().user.update({ where: { id: user.id }, data: { lastSignInAt: options.now } });
  log.info("sign-in", { userId: user.id });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

import "server-only";
import { isRole, type Role } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";

/** Maps an OIDC profile's role claim to a role (OIDC_ROLE_CLAIM, OIDC_ROLE_MAP, OIDC_DEFAULT_ROLE). */
export function roleFromClaims(profile: Record<string, unknown>): Role | null {
  const e = env();
  const claim = profile[e.OIDC_ROLE_CLAIM];
  const values = Array.isArray(claim) ? claim.map(String) : typeof claim === "string" ? [claim] : [];
  const order: Role[] = ["admin", "security", "compliance", "oncall", "viewer"];
  const mapped = values.map((v) => e.OIDC_ROLE_MAP[v] ?? (isRole(v) ? v : null)).filter((r): r is Role => r !== null);
  // The most privileged mapped role wins.
  const best = order.find((r) => mapped.includes(r));
  if (best) return best;
  return e.OIDC_DEFAULT_ROLE === "none" ? null : e.OIDC_DEFAULT_ROLE;
}

/** Creates or updates the Vitrine user behind an OIDC sign-in; null when no role maps. */
export async function signInOidcUser(options: { profile: Record<string, unknown>; now: Date }) {
  const sub = typeof options.profile.sub === "string" ? options.profile.sub : null;
  const email = typeof options.profile.email === "string" ? options.profile.email.toLowerCase() : null;
  const role = roleFromClaims(options.profile);
  if (!sub || !email || !role) return null;
  return db().$transaction(async (tx) => {
    // The subject is the stable identity; an email only links an account not yet linked to another subject.
    // Only a verified email may link an existing account, and never one that signs in with a password
    // (linking that is an administrator's decision).
    const verified = options.profile.email_verified === true || options.profile.email_verified === "true";
    const existing =
      (await tx.user.findUnique({ where: { oidcSubject: sub } })) ??
      (verified ? await tx.user.findFirst({ where: { email, oidcSubject: null, passwordHash: null } }) : null);
    if (!existing && (await tx.user.findUnique({ where: { email }, select: { id: true } }))) return null;
    if (existing?.disabledAt) return null;
    const user = existing
      ? await tx.user.update({ where: { id: existing.id }, data: { oidcSubject: sub, role, lastSignInAt: options.now } })
      : await tx.user.create({
          data: {
            email,
            oidcSubject: sub,
            role,
            name: typeof options.profile.name === "string" ? options.profile.name : null,
            createdAt: options.now,
            lastSignInAt: options.now,
          },
        });
    if (!existing || existing.role !== role) {
      await appendLedgerEntry(tx, {
        kind: existing ? "user.role-changed" : "user.created",
        actor: "system:oidc",
        subject: `user:${user.id}`,
        payload: { email, role, previousRole: existing?.role ?? null, via: "oidc" },
        now: options.now,
      });
    }
    return { id: user.id };
  });
}

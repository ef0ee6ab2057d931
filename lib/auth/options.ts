// next-auth configuration: credentials sign-in (always) and OIDC (when configured), JWT sessions.
import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { env, isOidcEnabled } from "@/lib/env";
import { authenticateCredentials } from "@/lib/server/users/authenticate-credentials";
import { signInOidcUser } from "@/lib/server/users/sign-in-oidc-user";
import { clientAddress } from "./client-address";

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

type OidcProfile = Record<string, unknown> & { sub: string; email?: string; name?: string };

function oidcProvider(): OAuthConfig<OidcProfile> | null {
  const e = env();
  if (!isOidcEnabled(e)) return null;
  const issuer = (e.OIDC_ISSUER as string).replace(/\/+$/, "");
  return {
    id: "oidc",
    name: e.OIDC_NAME,
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
  };
}

let cached: AuthOptions | undefined;

export function authOptions(): AuthOptions {
  if (cached) return cached;
  const oidc = oidcProvider();
  cached = {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const result = await authenticateCredentials({
            email: credentials?.email,
            password: credentials?.password,
            address: clientAddress(req.headers ?? {}),
            now: new Date(),
          });
          if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name };
          // next-auth turns a thrown error into ?error=<message> on the sign-in page.
          if (result.reason === "rate_limited") throw new Error("RateLimited");
          return null;
        },
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      async signIn({ account, profile, user }) {
        if (account?.provider !== "oidc") return true;
        const signedIn = await signInOidcUser({ profile: (profile ?? {}) as Record<string, unknown>, now: new Date() });
        if (!signedIn) return "/signin?error=NoRole";
        user.id = signedIn.id;
        return true;
      },
      async jwt({ token, user }) {
        // `sub` is the Vitrine user id; the role is read from the database on every request.
        if (user?.id) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        return { ...session, userId: token.sub };
      },
    },
    logger: {
      error: (code, metadata) =>
        console.error(
          JSON.stringify({
            level: "error",
            msg: `next-auth ${code}`,
            time: new Date().toISOString(),
            detail: metadata instanceof Error ? metadata.message : undefined,
          }),
        ),
      warn: (code) => console.warn(JSON.stringify({ level: "warn", msg: `next-auth ${code}`, time: new Date().toISOString() })),
      debug: () => {},
    },
  };
  return cached;
}

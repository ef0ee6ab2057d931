import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { isOidcEnabled } from "@/lib/env";
import { listDemoAccounts } from "@/lib/server/users/list-demo-accounts";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "The email or password is not right.",
  RateLimited: "Too many sign-in attempts. Wait a few minutes and try again.",
  NoRole: "Your single sign-on account has no Vitrine role. Ask an administrator to map your group to a role.",
  SessionRequired: "Sign in to continue.",
};

function safeCallback(value: unknown): string {
  // Only same-site paths: never an open redirect.
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const callbackUrl = safeCallback(sp.callbackUrl);
  if (await getCurrentUser()) redirect(callbackUrl);
  const errorCode = typeof sp.error === "string" ? sp.error : null;
  const demo = await listDemoAccounts();
  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          Vitrine
        </div>
        <h1>Sign in</h1>
        <p className="muted">Supply-chain evidence for your organisation.</p>
        <SignInForm
          callbackUrl={callbackUrl}
          initialError={errorCode ? (MESSAGES[errorCode] ?? "Sign-in failed. Try again.") : null}
          oidc={isOidcEnabled() ? { name: "Sign in with single sign-on" } : null}
        />
        {demo.length > 0 ? (
          <div className="alert alert-info" style={{ marginTop: "1rem", marginBottom: 0 }}>
            <strong>Demo data is loaded.</strong> Demo accounts:{" "}
            {demo.map((d, i) => (
              <span key={d.email}>
                {i > 0 ? ", " : ""}
                <code>{d.email}</code>
              </span>
            ))}
            . Their password was printed when Vitrine started (also in <code>.vitrine/demo-credentials.txt</code>).
          </div>
        ) : null}
      </div>
    </main>
  );
}

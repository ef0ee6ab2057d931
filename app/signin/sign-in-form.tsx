"use client";

import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";

export function SignInForm(props: { callbackUrl: string; initialError: string | null; oidc: { name: string } | null }) {
  const [error, setError] = useState<string | null>(props.initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { email, password, redirect: false, callbackUrl: props.callbackUrl });
    if (!result || result.error) {
      setPending(false);
      setError(
        result?.error === "RateLimited"
          ? "Too many sign-in attempts. Wait a few minutes and try again."
          : "The email or password is not right.",
      );
      return;
    }
    window.location.assign(props.callbackUrl);
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby={error ? "signin-error" : undefined}>
      {error ? (
        <div className="alert alert-bad" role="alert" id="signin-error">
          {error}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required aria-invalid={error ? true : undefined} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={error ? true : undefined}
        />
      </div>
      <button className="btn btn-primary" type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {props.oidc ? (
        <>
          <div className="divider">or</div>
          <button className="btn" type="button" onClick={() => signIn("oidc", { callbackUrl: props.callbackUrl })}>
            {props.oidc.name}
          </button>
        </>
      ) : null}
    </form>
  );
}

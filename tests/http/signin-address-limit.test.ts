// Per-address sign-in limits hold even when the client names its own X-Forwarded-For.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/lib/server/users/create-user";
import { type AppServer, startAppServer } from "../helpers/app-server";
import { databaseKind, databaseUrl, resetDatabase, setupTestDatabase } from "../helpers/db";

setupTestDatabase();
let server: AppServer;

async function attempt(email: string, password: string, forwardedFor: string): Promise<string> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": forwardedFor },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  return (await res.text()) + (res.headers.get("location") ?? "");
}

describe("sign-in limits per client address", () => {
  beforeAll(async () => {
    await resetDatabase();
    for (const n of [1, 2, 3, 4, 5]) {
      await createUser({
        actor: { kind: "system", name: "test" },
        input: { email: `u${n}@limits.test`, role: "viewer", password: "right-password-123" },
        now: new Date(),
      });
    }
    server = await startAppServer({
      databaseUrl: databaseUrl(),
      embedded: databaseKind() === "embedded",
      port: 3950 + Math.floor(Math.random() * 40),
      env: { VITRINE_SIGNIN_MAX_PER_ADDRESS: "3", VITRINE_SIGNIN_MAX_PER_ACCOUNT: "100" },
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("counts the real peer, whatever X-Forwarded-For the client sends", async () => {
    const answers: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) answers.push(await attempt(`u${n}@limits.test`, "wrong-password-123", `203.0.113.${n}`));
    expect(answers.slice(0, 3).every((a) => !a.includes("RateLimited"))).toBe(true);
    expect(answers.slice(3).every((a) => a.includes("RateLimited"))).toBe(true);
    // Even the right password is refused from this address now.
    expect(await attempt("u1@limits.test", "right-password-123", "198.51.100.7")).toContain("RateLimited");
  }, 60_000);
});

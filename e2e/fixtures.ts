// Constants shared by the browser tests and scripts/e2e-server.ts, which creates these users in a
// fresh database before it starts `next start`. Pure: no Playwright import, so the server can use it.
import { join } from "node:path";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const BASE_URL = `http://127.0.0.1:${E2E_PORT}`;

/** Every test user has this password. */
export const E2E_PASSWORD = "e2e-password-123456";

/** next-auth secret of the test server (known, so a test can mint an expired session cookie). */
export const E2E_NEXTAUTH_SECRET = "e2e-only-nextauth-secret-not-for-production-0123456789";

/** next-auth's session cookie name on plain http. */
export const SESSION_COOKIE = "next-auth.session-token";

export const E2E_ROLES = ["admin", "security", "compliance", "oncall", "viewer"] as const;
export type E2eRole = (typeof E2E_ROLES)[number];

export const E2E_SCOPES = ["ingest", "read", "admin", "admission"] as const;
export type E2eScope = (typeof E2E_SCOPES)[number];

export const USERS: Record<E2eRole, { email: string; name: string }> = {
  admin: { email: "admin@e2e.test", name: "E2E Admin" },
  security: { email: "security@e2e.test", name: "E2E Security" },
  compliance: { email: "compliance@e2e.test", name: "E2E Compliance" },
  oncall: { email: "oncall@e2e.test", name: "E2E Oncall" },
  viewer: { email: "viewer@e2e.test", name: "E2E Viewer" },
};

/** Used only by the per-account rate-limit test, which locks it for the rest of the run. */
export const RATE_LIMIT_USER = { email: "ratelimit@e2e.test", name: "E2E Rate limit", role: "viewer" as E2eRole };

/** Used only by the wrong-password test, so its failed attempt never counts against another test's account. */
export const WRONG_PASSWORD_USER = { email: "wrongpass@e2e.test", name: "E2E Wrong password", role: "viewer" as E2eRole };

/** Sign-in limits the server runs with (per account is the app default; per address is raised for the suite). */
export const SIGNIN_MAX_PER_ACCOUNT = 10;
export const SIGNIN_WINDOW_SECONDS = 900;
export const SIGNIN_MAX_PER_ADDRESS = 10_000;

export const RESULTS_DIR = join(process.cwd(), "test-results");
export const SCREENSHOTS_DIR = join(RESULTS_DIR, "screenshots");

/** Where the setup project saves each role's signed-in cookies. */
export function authFile(role: E2eRole): string {
  return join(RESULTS_DIR, ".auth", `${role}.json`);
}

// Sign-in through the real form, sign-out, wrong passwords, anonymous redirects, per-account rate limiting.
import { expect, type Page, test } from "@playwright/test";
import {
  BASE_URL,
  E2E_PASSWORD,
  E2E_ROLES,
  type E2eRole,
  RATE_LIMIT_USER,
  SESSION_COOKIE,
  SIGNIN_MAX_PER_ACCOUNT,
  SIGNIN_WINDOW_SECONDS,
  USERS,
  WRONG_PASSWORD_USER,
} from "./fixtures";
import { anonymousContext, signInOverHttp } from "./support/api";
import { discoverRoutes } from "./support/routes";

const WRONG_CREDENTIALS = "The email or password is not right.";
const RATE_LIMITED = "Too many sign-in attempts";

/** Where each role asks to go before signing in (each a page the role may see; one with a query string). */
const LANDING: Record<E2eRole, string> = {
  admin: "/settings/tokens",
  security: "/settings",
  compliance: "/ledger",
  oncall: "/alerts",
  viewer: "/artifacts?q=e2e",
};

async function submitSignInForm(page: Page, email: string, password: string): Promise<void> {
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The form's error (Next's route announcer is a second role=alert element on every page). */
function signInError(page: Page) {
  return page.locator("form [role=alert]#signin-error");
}

async function sessionOf(page: Page): Promise<Record<string, unknown>> {
  const res = await page.request.get("/api/auth/session");
  expect(res.status()).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

test.describe("sign-in form", () => {
  for (const role of E2E_ROLES) {
    test(`${role} signs in and lands on the page from callbackUrl`, async ({ page }) => {
      const target = LANDING[role];
      await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
      await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
      await submitSignInForm(page, USERS[role].email, E2E_PASSWORD);
      await page.waitForURL((url) => url.pathname + url.search === target);
      await expect(page.getByTestId("current-role")).toHaveText(role);
      await expect(page.getByTestId("current-user")).toHaveText(USERS[role].name);
      // The session cookie is HttpOnly and SameSite=Lax: scripts cannot read it, other sites do not send it on POSTs.
      const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
      expect(cookie, "session cookie").toBeDefined();
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe("Lax");
    });
  }

  test("sign-out ends the session", async ({ page }) => {
    await page.goto("/signin?callbackUrl=%2Falerts");
    await submitSignInForm(page, USERS.oncall.email, E2E_PASSWORD);
    await page.waitForURL("**/alerts");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/signin");
    expect(await sessionOf(page)).toEqual({});
    expect((await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    await page.goto("/alerts");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Falerts$/);
  });

  test("a wrong password shows an error and creates no session", async ({ page }) => {
    await page.goto("/signin?callbackUrl=%2F");
    await submitSignInForm(page, WRONG_PASSWORD_USER.email, "not-the-password-at-all");
    await expect(signInError(page)).toHaveText(WRONG_CREDENTIALS);
    await expect(page.locator("#password")).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2F$/);
    expect((await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    expect(await sessionOf(page)).toEqual({});
  });

  test("an unknown account is refused with the same message", async ({ page }) => {
    await page.goto("/signin");
    await submitSignInForm(page, "nobody@e2e.test", E2E_PASSWORD);
    await expect(signInError(page)).toHaveText(WRONG_CREDENTIALS);
    expect(await sessionOf(page)).toEqual({});
  });

  test("an empty form is refused before it is sent", async ({ page }) => {
    await page.goto("/signin");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(signInError(page)).toHaveText("Enter your email and password.");
  });

  test("an off-site callbackUrl is not followed", async ({ page }) => {
    await page.goto(`/signin?callbackUrl=${encodeURIComponent("https://evil.example/")}`);
    await submitSignInForm(page, USERS.viewer.email, E2E_PASSWORD);
    await page.waitForURL((url) => url.pathname === "/");
    expect(new URL(page.url()).origin).toBe(BASE_URL);
    await expect(page.getByTestId("current-role")).toHaveText("viewer");
  });
});

test.describe("anonymous visitors", () => {
  const pages = discoverRoutes()
    .pages.map((p) => p.path)
    .filter((p) => p !== "/signin" && !p.includes("["));

  test("the page list is discovered from app/", () => {
    expect(pages).toEqual(expect.arrayContaining(["/", "/artifacts", "/ledger", "/settings", "/settings/tokens"]));
  });

  for (const path of [...pages, "/artifacts?q=abc&cursor=x"]) {
    test(`visiting ${path} redirects to /signin?callbackUrl=...`, async ({ page }) => {
      await page.goto(path);
      await expect(page).toHaveURL((url) => url.pathname === "/signin" && url.searchParams.get("callbackUrl") === path);
      await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
      await expect(page.locator("[data-testid=current-role]")).toHaveCount(0);
    });
  }
});

test.describe("per-account rate limiting", () => {
  test(`after ${SIGNIN_MAX_PER_ACCOUNT} attempts even the right password is refused`, async ({ page }) => {
    test.setTimeout(120_000);
    // The limit is a fixed window; do not straddle a window boundary, where the count starts again.
    const windowMs = SIGNIN_WINDOW_SECONDS * 1000;
    const left = windowMs - (Date.now() % windowMs);
    if (left < 30_000) await page.waitForTimeout(left + 1_000);

    const http = await anonymousContext();
    try {
      for (let i = 1; i < SIGNIN_MAX_PER_ACCOUNT; i++) {
        expect(await signInOverHttp(http, RATE_LIMIT_USER.email, `wrong-password-${i}`)).toMatchObject({
          ok: false,
          error: "CredentialsSignin",
        });
      }
      // The last attempt within the limit, through the form: still an ordinary wrong-password answer.
      await page.goto("/signin");
      await submitSignInForm(page, RATE_LIMIT_USER.email, "wrong-password-last");
      await expect(signInError(page)).toHaveText(WRONG_CREDENTIALS);

      // Over the limit: the right password is refused too, and no session is made.
      await page.goto("/signin");
      await submitSignInForm(page, RATE_LIMIT_USER.email, E2E_PASSWORD);
      await expect(signInError(page)).toContainText(RATE_LIMITED);
      expect(await sessionOf(page)).toEqual({});
      expect(await signInOverHttp(http, RATE_LIMIT_USER.email, E2E_PASSWORD)).toMatchObject({ ok: false, error: "RateLimited" });

      // The sign-in page names the reason when next-auth sends the visitor back with ?error=RateLimited.
      await page.goto("/signin?error=RateLimited");
      await expect(signInError(page)).toContainText(RATE_LIMITED);

      // The limit is per account: another account from the same address still signs in.
      expect(await signInOverHttp(http, USERS.viewer.email, E2E_PASSWORD)).toMatchObject({ ok: true });
    } finally {
      await http.dispose();
    }
  });
});

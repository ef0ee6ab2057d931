// Role-gated navigation: each role sees exactly the sections its permissions allow (DESIGN.md
// "Roles"), each visible link opens, and a direct visit to a forbidden page (per the access table
// in support/access.ts) is a 403 page in the browser.
import { expect, test } from "@playwright/test";
import { authFile, E2E_ROLES, type E2eRole } from "./fixtures";
import { forbiddenPages } from "./support/access";

const READ_SECTIONS = [
  { label: "Overview", href: "/" },
  { label: "Artefacts", href: "/artifacts" },
  { label: "Lineage", href: "/lineage" },
  { label: "Environments", href: "/environments" },
  { label: "Compliance", href: "/compliance" },
  { label: "Alerts", href: "/alerts" },
];
const LEDGER = { label: "Ledger", href: "/ledger" };
const SETTINGS = { label: "Settings", href: "/settings" };

/** What each role's sidebar must show, in order. Written from DESIGN.md, not from the code. */
const NAV: Record<E2eRole, Array<{ label: string; href: string }>> = {
  admin: [...READ_SECTIONS, LEDGER, SETTINGS],
  security: [...READ_SECTIONS, LEDGER, SETTINGS],
  compliance: [...READ_SECTIONS, LEDGER],
  oncall: [...READ_SECTIONS, LEDGER],
  viewer: READ_SECTIONS,
};

for (const role of E2E_ROLES) {
  test.describe(`${role}`, () => {
    test.use({ storageState: authFile(role) });

    test("sees exactly the nav items its role allows, and each opens", async ({ page }) => {
      await page.goto("/");
      await expect(page.getByTestId("current-role")).toHaveText(role);
      const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
      await expect(links).toHaveText(NAV[role].map((n) => n.label));
      for (const item of NAV[role]) {
        const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: item.label, exact: true });
        await expect(link).toHaveAttribute("href", item.href);
        await link.click();
        await page.waitForURL((url) => url.pathname === item.href);
        await expect(link).toHaveAttribute("aria-current", "page");
        await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
        await expect(page.getByRole("heading", { level: 1 })).not.toContainText("403");
      }
    });

    test("only an admin is offered Settings > API tokens", async ({ page }) => {
      if (!NAV[role].includes(SETTINGS)) {
        // No Settings at all: the section is absent and the page is forbidden (below).
        await page.goto("/");
        await expect(page.getByRole("link", { name: "Settings" })).toHaveCount(0);
        return;
      }
      await page.goto("/settings");
      await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
      await expect(page.getByRole("link", { name: "Manage API tokens" })).toHaveCount(role === "admin" ? 1 : 0);
    });

    for (const path of forbiddenPages(role)) {
      test(`a direct visit to ${path} is a 403 page`, async ({ page }) => {
        const response = await page.goto(path);
        expect(response?.status(), `document status of ${path}`).toBe(403);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText("403 · Not allowed");
        await expect(page.getByRole("link", { name: "Back to the overview" })).toBeVisible();
        await expect(page).toHaveURL((url) => url.pathname === path);
      });
    }
  });
}

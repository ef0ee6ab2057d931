// Settings > Policies: security sets an environment's policy as YAML in the UI, a bad document is
// refused with its JSON paths, and the saved policy is listed (as YAML, ready for git).
import { expect, test } from "@playwright/test";
import { authFile } from "./fixtures";
import { uniqueName } from "./support/events";

test.use({ storageState: authFile("security") });

test("set a policy in YAML, see a bad one refused with its paths", async ({ page }) => {
  const environment = uniqueName("e2e-env").replace(/[^\w.-]/g, "-");
  await page.goto("/settings/policies");
  await expect(page.getByRole("heading", { level: 1, name: "Trust policies" })).toBeVisible();

  await test.step("a document with a wrong type and an unknown field is refused", async () => {
    await page.getByLabel("Environment").fill(environment);
    await page.getByLabel("Policy (YAML)").fill("requireDigestPinning: maybe\ncolour: red\n");
    await page.getByRole("button", { name: "Save policy" }).click();
    // (Next.js has a route announcer with role alert too: take the form's own.)
    const alert = page.locator("form [role=alert]");
    await expect(alert).toContainText("$.requireDigestPinning");
  });

  await test.step("a good document is saved and listed", async () => {
    await page
      .getByLabel("Policy (YAML)")
      .fill("requireDigestPinning: true\nsignatures:\n  required: 1\n  signers: [release-key]\nmovableTags: [latest]\n");
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect(page.getByRole("status")).toContainText(`The policy for ${environment} is saved`);
    const card = page.getByRole("region", { name: environment });
    await expect(card).toContainText("release-key");
    await expect(card).toContainText("latest");
  });
});

// Settings > Trust end to end: an admin trusts a key in the UI, a bad key is refused with the reason
// under its field, the key is revoked through the confirm dialog with a reason; a token with the
// `admin` scope manages trust over the API (trust from git), and the page shows what it did.
import { generateKeyPairSync } from "node:crypto";
import { expect, test } from "@playwright/test";
import { authFile } from "./fixtures";
import { createToken, tokenContext } from "./support/api";
import { uniqueName } from "./support/events";

const pem = (bits?: number) =>
  (bits ? generateKeyPairSync("rsa", { modulusLength: bits }).publicKey : generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey)
    .export({ type: "spki", format: "pem" })
    .toString();

test.describe("as an admin", () => {
  test.use({ storageState: authFile("admin") });

  test("add a key, see a bad key refused, revoke with a reason", async ({ page }) => {
    const name = uniqueName("e2e-key");
    await page.goto("/settings/trust");
    await expect(page.getByRole("heading", { level: 1, name: "Trust" })).toBeVisible();
    await expect(page.getByRole("tab", { name: "Keys" })).toHaveAttribute("aria-selected", "true");

    await test.step("an RSA 1024 key is refused, the reason under the field", async () => {
      await page.getByLabel("Name", { exact: true }).fill(uniqueName("e2e-weak"));
      await page.getByLabel("Public key").fill(pem(1024));
      await page.getByRole("button", { name: "Add key" }).click();
      await expect(page.locator("#trust-keys-publicKey-error")).toContainText("at least 2048");
      await expect(page.getByLabel("Public key")).toHaveAttribute("aria-invalid", "true");
    });

    await test.step("a P-256 key is trusted and listed with its fingerprint", async () => {
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Public key").fill(pem());
      await page.getByLabel("Environments").fill("prod, staging");
      await page.getByRole("button", { name: "Add key" }).click();
      await expect(page.getByRole("status")).toContainText(`“${name}” is now trusted`);
      const row = page.getByTestId("trust-row").filter({ hasText: name });
      await expect(row).toContainText("ecdsa-p256");
      await expect(row).toContainText("sha256:");
      await expect(row).toContainText("prod, staging");
      await expect(row).toContainText("active");
    });

    await test.step("revoking needs a reason, then the row shows it", async () => {
      const row = page.getByTestId("trust-row").filter({ hasText: name });
      await row.getByRole("button", { name: `Revoke ${name}` }).click();
      const dialog = page.getByRole("dialog", { name: `Revoke “${name}”?` });
      await expect(dialog).toBeVisible();
      await expect(dialog.getByLabel("Reason")).toBeFocused();
      await dialog.getByRole("button", { name: "Revoke" }).click();
      await expect(dialog.locator("#revoke-reason-error")).toBeVisible();
      await dialog.getByLabel("Reason").fill("key leaked in e2e");
      await dialog.getByRole("button", { name: "Revoke" }).click();
      await expect(dialog).toBeHidden();
      await expect(row).toContainText("revoked");
      await expect(row).toContainText("key leaked in e2e");
      await expect(row.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);
    });

    await test.step("the tabs are keyboard-operable", async () => {
      await page.getByRole("tab", { name: "Keys" }).focus();
      await page.keyboard.press("ArrowRight");
      await expect(page.getByRole("tab", { name: "Identities" })).toBeFocused();
      await expect(page.getByRole("tabpanel")).toContainText("Keyless signers");
      await page.keyboard.press("End");
      await expect(page.getByRole("tab", { name: "X.509 roots" })).toHaveAttribute("aria-selected", "true");
    });
  });
});

test("a token with the admin scope manages trust over the API; the page shows it", async ({ browser }) => {
  const token = await createToken(["admin"], uniqueName("e2e-trust-from-git"));
  const api = await tokenContext(token.secret);
  const name = uniqueName("e2e-wf");
  try {
    const created = await api.post("/api/v1/trust/identities", {
      data: {
        name,
        subject: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main",
        subjectPattern: false,
        issuer: "https://token.actions.githubusercontent.com",
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const bad = await api.post("/api/v1/trust/identities", {
      data: { name: uniqueName("e2e-bad"), subject: "(a)\\1", subjectPattern: true, issuer: "http://x" },
    });
    expect(bad.status()).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toContain("$.issuer");
    const revoked = await api.post(`/api/v1/trust/identities/${id}/revoke`, { data: { reason: "workflow retired" } });
    expect(revoked.status(), await revoked.text()).toBe(200);
    expect(await revoked.json()).toMatchObject({ id, status: "revoked", revokedReason: "workflow retired" });
  } finally {
    await api.dispose();
  }
  const context = await browser.newContext({ storageState: authFile("security") });
  const page = await context.newPage();
  await page.goto("/settings/trust");
  await page.getByRole("tab", { name: "Identities" }).click();
  const row = page.getByTestId("trust-row").filter({ hasText: name });
  await expect(row).toContainText("workflow retired");
  // Security manages trust too: the form is there.
  await expect(page.getByRole("heading", { name: "Add an identity" })).toBeVisible();
  await context.close();
});

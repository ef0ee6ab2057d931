// Settings > Notifications: security creates a webhook channel (its secret is shown once), sends a
// test to a local receiver and sees the status code, sees a bad URL refused under its field, and
// sets the escalation times; everything from the keyboard and the visible labels.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { authFile } from "./fixtures";
import { uniqueName } from "./support/events";

test.use({ storageState: authFile("security") });

type Received = { headers: http.IncomingHttpHeaders; body: string };

test("create a webhook channel, send it a test, refuse a URL with credentials, set escalation times", async ({ page }) => {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vitrine?token=e2e-query-secret`;
  const name = uniqueName("e2e-hook");
  try {
    await page.goto("/settings/notifications");
    await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();

    let secret = "";
    await test.step("create: the secret is shown once", async () => {
      await page.getByLabel("Kind").selectOption("webhook");
      await page.getByLabel("Name").fill(name);
      await page.getByLabel("URL").fill(url);
      await page.getByLabel("Lowest severity").selectOption("high");
      await page.getByLabel("Environments").fill("prod");
      await page.getByLabel("Environments").press("Enter");
      await expect(page.getByTestId("channel-secret")).toBeVisible();
      secret = (await page.getByTestId("channel-secret").textContent())?.trim() ?? "";
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      await page.getByRole("button", { name: "Done" }).click();
      await expect(page.getByTestId("channel-secret")).toHaveCount(0);
      const row = page.getByTestId("channel-row").filter({ hasText: name });
      await expect(row).toContainText("high and worse");
      await expect(row).toContainText("environments: prod");
      await expect(row).toContainText("token=…");
      await expect(row).not.toContainText("e2e-query-secret");
      await expect(page.locator("body")).not.toContainText(secret);
    });

    await test.step("send test: the receiver's status code is shown, and the signature verifies", async () => {
      await page.getByRole("button", { name: `Send a test notification to ${name}` }).click();
      const row = page.getByTestId("channel-row").filter({ hasText: name });
      await expect(row.getByTestId("channel-test-result")).toContainText("HTTP 202");
      expect(received).toHaveLength(1);
      const [{ headers, body }] = received as [Received];
      expect(JSON.parse(body)).toMatchObject({ specversion: "1.0", source: "vitrine", type: "dev.vitrine.notification.test" });
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers["vitrine-signature"])) ?? [];
      expect(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")).toBe(v1);
    });

    await test.step("disable it", async () => {
      await page.getByRole("button", { name: `Disable ${name}` }).click();
      await expect(page.getByTestId("channel-row").filter({ hasText: name })).toContainText("disabled");
    });

    await test.step("a URL with credentials is refused under its field", async () => {
      await page.getByLabel("Name").fill(`${name}-bad`);
      await page.getByLabel("URL").fill("https://user:password@example.com/hook");
      await page.getByRole("button", { name: "Create channel" }).click();
      await expect(page.locator("#channel-url-error")).toContainText("must not carry credentials");
      await expect(page.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByTestId("channel-row").filter({ hasText: `${name}-bad` })).toHaveCount(0);
    });

    await test.step("escalation times", async () => {
      await page.getByLabel("critical (minutes)").fill("0");
      await page.getByRole("button", { name: "Save escalation times" }).click();
      await expect(page.locator("#escalation-critical-error")).toBeVisible();
      await page.getByLabel("critical (minutes)").fill("10");
      await page.getByLabel("low (minutes)").fill("");
      await page.getByRole("button", { name: "Save escalation times" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Escalation times saved" })).toBeVisible();
      await page.reload();
      await expect(page.getByLabel("critical (minutes)")).toHaveValue("10");
      // Back to the default, for the other specs.
      await page.getByLabel("critical (minutes)").fill("15");
      await page.getByRole("button", { name: "Save escalation times" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Escalation times saved" })).toBeVisible();
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

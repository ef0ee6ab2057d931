// Settings > Notifications: security creates a webhook channel (its secret is shown once), sends a
// test to a local receiver and sees the status code, sees a bad URL refused under its field, and
// sets the escalation times; everything from the keyboard and the visible labels. Then the alert
// page's delivery log: an unsigned deployment notifies three channels (one answers 200, one 503, one
// a redirect whose Location holds markup), shown with status codes and errors as text, at 1280 and
// 390 px; channel URLs on loopback, private and metadata addresses are refused. The test server names
// 127.0.0.1 (these receivers) in VITRINE_NOTIFY_ALLOWED_HOSTS and nothing else (playwright.config.ts).
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { authFile, SCREENSHOTS_DIR } from "./fixtures";
import { createToken, expectProblem, sessionContext, tokenContext } from "./support/api";
import { postEvents, randomHex64, uniqueName } from "./support/events";

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

type Delivery = {
  id: string;
  channel: { id: string; name: string; kind: string };
  state: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
};
type DeliveryPage = { items: Delivery[]; nextCursor: string | null; counts: { total: number } };

/** What a hostile receiver may put in a Location header: it comes back in the delivery log's error text. */
const MARKUP = `"><img src=x onerror="window.__vitrineXss=1">`;

test("the alert page lists its notifications with status codes and errors as text; private addresses are refused", async ({ page }) => {
  test.setTimeout(120_000);
  const answers: Record<string, number> = { "/ok": 200, "/down": 503, "/moved": 302 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = answers[req.url ?? ""] ?? 404;
      if (status === 302) res.setHeader("location", `https://elsewhere.example/${MARKUP}`);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const environment = uniqueName("e2e-notify");
  const names = { ok: uniqueName("hook-ok"), down: uniqueName("hook-down"), moved: uniqueName("hook-moved") };
  const security = await sessionContext("security");
  const channelIds: string[] = [];
  try {
    await test.step("channel URLs on loopback, private, CGNAT and metadata addresses are refused (422 naming $.url)", async () => {
      for (const [url, why] of [
        ["http://localhost:8080/hook", "loopback"],
        ["http://0x7f000002/hook", "loopback"],
        ["http://[::ffff:127.0.0.1]/hook", "loopback"],
        ["http://10.0.0.8/hook", "private"],
        ["http://100.64.0.1/hook", "carrier-grade NAT"],
        ["http://169.254.169.254/latest/meta-data/", "link-local"],
        ["http://[fd00::1]/hook", "unique-local"],
      ] as const) {
        const problem = await expectProblem(
          await security.post("/api/v1/notifications/channels", { data: { kind: "webhook", name: uniqueName("refused"), url } }),
          422,
        );
        const field = problem.errors?.find((e) => e.path === "$.url");
        expect(field?.message, url).toContain(why);
      }
      // And in the form, under the URL field.
      await page.goto("/settings/notifications");
      await page.getByLabel("Kind").selectOption("webhook");
      await page.getByLabel("Name").fill(uniqueName("metadata"));
      await page.getByLabel("URL").fill("http://169.254.169.254/latest/meta-data/");
      await page.getByRole("button", { name: "Create channel" }).click();
      await expect(page.locator("#channel-url-error")).toContainText("link-local");
      await expect(page.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");
    });

    await test.step("three channels for a fresh environment, and an unsigned deployment there", async () => {
      for (const [key, name] of Object.entries(names)) {
        const res = await security.post("/api/v1/notifications/channels", {
          data: { kind: "webhook", name, url: `${base}/${key}`, environments: [environment] },
        });
        expect(res.status(), await res.text()).toBe(201);
        channelIds.push(((await res.json()) as { id: string }).id);
      }
      const token = await createToken(["ingest"], "e2e notifications");
      const ingest = await tokenContext(token.secret);
      try {
        const workload = uniqueName("payments");
        const name = uniqueName("e2e-unsigned");
        const res = await postEvents(ingest, {
          context: {
            specversion: "0.5.1",
            id: `${environment}-${workload}`,
            source: "/e2e/argo",
            type: "dev.cdevents.service.deployed.0.3.0",
            timestamp: new Date().toISOString(),
          },
          subject: {
            id: workload,
            content: {
              environment: { id: environment },
              artifactId: `pkg:oci/${name}@sha256%3A${randomHex64()}?repository_url=registry.e2e.test/${name}`,
            },
          },
        });
        expect(res.status(), await res.text()).toBe(201);
      } finally {
        await ingest.dispose();
      }
    });

    let alertId = "";
    let deliveries: Delivery[] = [];
    await test.step("the alert fires and its deliveries are logged: one delivered, two retrying with their answers", async () => {
      await expect
        .poll(
          async () => {
            const res = await security.get("/api/v1/alerts", { params: { environment, status: "open" } });
            alertId = ((await res.json()) as { items: Array<{ id: string }> }).items[0]?.id ?? "";
            if (!alertId) return "no alert";
            const log = await security.get(`/api/v1/alerts/${alertId}/deliveries`);
            deliveries = ((await log.json()) as DeliveryPage).items;
            return deliveries
              .map((d) => `${d.channel.name}:${d.attemptCount > 0 ? d.lastStatusCode : "-"}`)
              .sort()
              .join(" ");
          },
          { message: "the alert is notified to the three channels", timeout: 30_000, intervals: [250, 500, 1000] },
        )
        .toBe([`${names.down}:503`, `${names.moved}:302`, `${names.ok}:200`].sort().join(" "));
      const byName = Object.fromEntries(deliveries.map((d) => [d.channel.name, d]));
      expect(byName[names.ok]).toMatchObject({ status: "delivered", state: "open:1", lastError: null, nextAttemptAt: null });
      expect(byName[names.down]).toMatchObject({ status: "pending", lastError: "HTTP 503" });
      expect(byName[names.moved]).toMatchObject({ status: "pending", lastError: expect.stringContaining(MARKUP) });
    });

    await test.step("the log's API: pages with a cursor, 422 for a bad cursor or limit, 404 and 422 for the id", async () => {
      const first = await security.get(`/api/v1/alerts/${alertId}/deliveries`, { params: { limit: "2" } });
      const page1 = (await first.json()) as DeliveryPage;
      expect(page1.items).toHaveLength(2);
      expect(page1.counts.total).toBe(3);
      const second = await security.get(`/api/v1/alerts/${alertId}/deliveries`, { params: { limit: "2", cursor: page1.nextCursor ?? "" } });
      const page2 = (await second.json()) as DeliveryPage;
      expect(page2.items).toHaveLength(1);
      expect(page2.nextCursor).toBeNull();
      for (const [params, path] of [
        [{ cursor: "not a cursor" }, "$.query.cursor"],
        [{ cursor: "bm90IGEgY3Vyc29y" }, "$.query.cursor"],
        [{ limit: "0" }, "$.query.limit"],
        [{ limit: "201" }, "$.query.limit"],
        [{ limit: "ten" }, "$.query.limit"],
      ] as const) {
        const problem = await expectProblem(await security.get(`/api/v1/alerts/${alertId}/deliveries`, { params }), 422);
        expect(problem.errors?.map((e) => e.path)).toContain(path);
      }
      await expectProblem(await security.get("/api/v1/alerts/00000000-0000-4000-8000-000000000000/deliveries"), 404);
      const bad = await expectProblem(await security.get("/api/v1/alerts/not-an-id/deliveries"), 422);
      expect(bad.errors?.map((e) => e.path)).toContain("$.params.id");
    });

    await test.step("the alert page shows each delivery, the receiver's answers as text", async () => {
      await page.goto(`/alerts/${alertId}`);
      const section = page.getByTestId("alert-notifications");
      await expect(section.getByRole("heading", { name: "Notifications" })).toBeVisible();
      await expect(section.getByTestId("delivery-row")).toHaveCount(3);
      await expect(section.getByTestId("notifications-summary")).toContainText("3 deliveries");
      const row = (name: string) => section.locator(`[data-testid="delivery-row"][data-channel="${name}"]`);
      await expect(row(names.ok).getByTestId("delivery-status")).toHaveText(/Delivered/);
      await expect(row(names.ok).getByTestId("delivery-answer")).toContainText("HTTP 200");
      await expect(row(names.down).getByTestId("delivery-status")).toHaveText(/Retrying/);
      await expect(row(names.down).getByTestId("delivery-answer")).toContainText("HTTP 503");
      await expect(row(names.moved).getByTestId("delivery-answer")).toContainText("HTTP 302");
      await expect(row(names.moved).getByTestId("delivery-answer")).toContainText(
        `redirect to https://elsewhere.example/${MARKUP} not followed`,
      );
      await expect(row(names.down)).toContainText("Opened");
      await expect(row(names.ok).getByTestId("delivery-when")).toContainText("delivered");
      await expect(row(names.down).getByTestId("delivery-when")).toContainText("next attempt");
      // The markup is text: no element of it, nothing ran.
      await expect(section.locator("img")).toHaveCount(0);
      expect(await page.evaluate(() => (window as unknown as { __vitrineXss?: number }).__vitrineXss)).toBeUndefined();
      // Each attempt, on request.
      await row(names.down)
        .getByText(/attempts?$/)
        .click();
      await expect(row(names.down).locator("details li").first()).toContainText("HTTP 503");
    });

    await test.step("screenshots at 1280 and 390 px without sideways scrolling", async () => {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      for (const size of [
        { width: 1280, height: 900 },
        { width: 390, height: 844 },
      ]) {
        await page.setViewportSize(size);
        await page.goto(`/alerts/${alertId}`, { waitUntil: "networkidle" });
        await expect(page.getByTestId("delivery-row")).toHaveCount(3);
        await expectNoSidewaysScroll(page);
        await page.getByTestId("alert-notifications").scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENSHOTS_DIR, `alert-notifications-${size.width}.png`), fullPage: true });
        await page
          .getByTestId("alert-notifications")
          .screenshot({ path: join(SCREENSHOTS_DIR, `alert-notifications-section-${size.width}.png`) });
      }
    });
  } finally {
    // Stop the retries: the receiver goes away with this test.
    for (const id of channelIds) await security.patch(`/api/v1/notifications/channels/${id}`, { data: { enabled: false } });
    await security.dispose();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
}

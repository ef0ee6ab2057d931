// Alert triage in the browser (issue 6): two unsigned images deployed to a fresh environment fire
// unsigned-deployed through the real rule engine; the on-call engineer filters the queue, moves
// with j/k, acknowledges with `a`, opens the alert with Enter, comments and resolves it with a note,
// and the ledger records each step. Then assign and suppress from the alert page, a 409 for a
// refused transition, a viewer who sees no triage controls and gets 403 from the API, and
// screenshots of the queue, an alert and the Overview at 1280 and 390 px without sideways scrolling.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { authFile, SCREENSHOTS_DIR } from "./fixtures";
import { createToken, expectProblem, ledgerEntriesAfter, ledgerHead, sessionContext, tokenContext } from "./support/api";
import { postEvents, randomHex64, uniqueName } from "./support/events";

test.describe.configure({ mode: "serial" });

type AlertItem = { id: string; rule: string; severity: string; status: string; environment: string | null; summary: string };
type AlertDetail = AlertItem & {
  timeline: Array<{ kind: string; note: string | null; ledgerSequence: string | null; actor: { label: string } }>;
};

const environment = uniqueName("e2e-alerts");
const workloads = [uniqueName("checkout"), uniqueName("billing")] as const;
let alerts: AlertItem[] = [];
/** The alert the first test acknowledges, comments on and resolves (its timeline is the richest). */
let handled = "";

function deployed(options: { environment: string; workload: string; name: string }) {
  return {
    context: {
      specversion: "0.5.1",
      id: `${options.environment}-${options.workload}`,
      source: "/e2e/argo",
      type: "dev.cdevents.service.deployed.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: {
      id: options.workload,
      content: {
        environment: { id: options.environment },
        artifactId: `pkg:oci/${options.name}@sha256%3A${randomHex64()}?repository_url=registry.e2e.test/${options.name}`,
      },
    },
  };
}

async function alertsOf(ctx: APIRequestContext, query: Record<string, string>): Promise<AlertItem[]> {
  const res = await ctx.get("/api/v1/alerts", { params: query });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { items: AlertItem[] }).items;
}

async function detailOf(ctx: APIRequestContext, id: string): Promise<AlertDetail> {
  const res = await ctx.get(`/api/v1/alerts/${id}`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as AlertDetail;
}

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
}

test.beforeAll(async () => {
  // A deployment of an unsigned image to an environment with no policy of its own: the built-in
  // default policy wants a verified signature, so the rule engine fires unsigned-deployed.
  const token = await createToken(["ingest"], "e2e alerts");
  const ingest = await tokenContext(token.secret);
  const oncall = await sessionContext("oncall");
  try {
    for (const workload of workloads) {
      const res = await postEvents(ingest, deployed({ environment, workload, name: uniqueName("e2e-unsigned") }));
      expect(res.status(), await res.text()).toBe(201);
    }
    await expect
      .poll(
        async () => {
          alerts = await alertsOf(oncall, { environment, rule: "unsigned-deployed" });
          return alerts.length;
        },
        {
          message: "the rule engine fires unsigned-deployed for both deployments",
          timeout: 30_000,
          intervals: [250, 500, 1000],
        },
      )
      .toBe(2);
    for (const a of alerts) expect(a).toMatchObject({ severity: "critical", status: "open", environment });
  } finally {
    await ingest.dispose();
    await oncall.dispose();
  }
});

test.describe("on call", () => {
  test.use({ storageState: authFile("oncall") });

  test("filter the queue, j/k and a to acknowledge, Enter to open, comment, resolve with a note; the ledger has each step", async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const api = await sessionContext("oncall");
    const before = await ledgerHead(api);
    try {
      await page.goto("/alerts");
      await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();

      await test.step("filter by environment and severity: the URL keeps the filters", async () => {
        await page.getByLabel("Environment").selectOption(environment);
        await page.getByTestId("count-critical").click();
        await expect(page).toHaveURL(new RegExp(`environment=${environment}`));
        await expect(page).toHaveURL(/severity=critical/);
        await expect(page.getByTestId("count-critical")).toHaveAttribute("aria-pressed", "true");
        await expect(page.getByTestId("alert-row")).toHaveCount(2);
        await expect(page.getByTestId("queue-summary")).toContainText("2 alerts");
        await expect(page.getByTestId("count-critical")).toContainText("2");
      });

      let acknowledged = "";
      await test.step("j, j, k select; a acknowledges the selected alert", async () => {
        const rows = page.getByTestId("alert-row");
        await page.keyboard.press("j");
        await expect(rows.nth(0)).toHaveAttribute("data-selected", "true");
        await expect(rows.nth(0).locator("a[data-row-link]")).toBeFocused();
        await page.keyboard.press("j");
        await expect(rows.nth(1)).toHaveAttribute("data-selected", "true");
        await page.keyboard.press("k");
        await expect(rows.nth(0)).toHaveAttribute("data-selected", "true");
        acknowledged = (await rows.nth(0).getAttribute("data-alert-id")) ?? "";
        expect(alerts.map((a) => a.id)).toContain(acknowledged);
        handled = acknowledged;
        const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/alerts/${acknowledged}/acknowledge`));
        await page.keyboard.press("a");
        expect((await answer).status()).toBe(200);
        await expect(page.getByTestId("queue-announcement")).toContainText("Acknowledged");
        const row = page.locator(`[data-alert-id="${acknowledged}"]`);
        await expect(row.locator("[data-status]")).toHaveAttribute("data-status", "acknowledged");
        await expect(row).toContainText("acknowledged");
        // Acknowledging again is refused before it reaches the server, with the reason.
        await page.keyboard.press("a");
        await expect(page.getByTestId("queue-announcement")).toContainText("already acknowledged");
      });

      await test.step("? shows the shortcuts; Escape closes them", async () => {
        await page.locator("h1").click();
        await page.keyboard.press("?");
        const help = page.getByTestId("shortcut-help");
        await expect(help).toBeVisible();
        await expect(help.getByRole("heading", { name: "Keyboard shortcuts" })).toBeVisible();
        await expect(help).toContainText("Acknowledge the selected alert");
        await page.keyboard.press("Escape");
        await expect(help).toBeHidden();
      });

      await test.step("Enter opens the selected alert", async () => {
        await page.keyboard.press("j");
        await page.keyboard.press("k");
        await expect(page.locator(`[data-alert-id="${acknowledged}"]`)).toHaveAttribute("data-selected", "true");
        await page.keyboard.press("Enter");
        await expect(page).toHaveURL(new RegExp(`/alerts/${acknowledged}$`));
        await expect(page.locator("h1")).toContainText("without the verified signature");
        await expect(page.getByTestId("alert-subject")).toContainText("deployment");
        await expect(page.getByTestId("alert-timeline")).toContainText("Acknowledged");
        await expect(page.getByTestId("alert-timeline")).toContainText("E2E Oncall");
      });

      await test.step("comment, then resolve with a note (an empty note is refused in the form)", async () => {
        await page.getByLabel("Comment", { exact: true }).fill("Deployed by hand during the incident; rolling back.");
        await page.getByRole("button", { name: "Add comment" }).click();
        await expect(page.getByTestId("alert-timeline")).toContainText("Deployed by hand during the incident");
        await page.getByRole("button", { name: "Resolve", exact: true }).click();
        await expect(page.getByText("A resolution needs a note.")).toBeVisible();
        await page.getByLabel("Resolution note").fill("Rolled back to the signed release.");
        const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/alerts/${acknowledged}/resolve`));
        await page.getByRole("button", { name: "Resolve", exact: true }).click();
        const resolved = await answer;
        expect(resolved.status()).toBe(200);
        expect(((await resolved.json()) as AlertItem).status).toBe("resolved");
        await expect(page.getByTestId("alert-timeline")).toContainText("Rolled back to the signed release.");
        await expect(page.getByTestId("alert-timeline").locator('[data-kind="resolved"]')).toContainText("ledger #");
      });

      await test.step("the timeline and the ledger record acknowledge, comment and resolve, each with its ledger entry", async () => {
        const detail = await detailOf(api, acknowledged);
        const actions = detail.timeline.filter((e) => ["acknowledged", "commented", "resolved"].includes(e.kind));
        expect(actions.map((e) => e.kind)).toEqual(["acknowledged", "commented", "resolved"]);
        for (const e of actions) expect(e.ledgerSequence).toMatch(/^\d+$/);
        expect(actions[2]?.note).toBe("Rolled back to the signed release.");
        // The people's entries (the rule engine may add its own, e.g. a reopening while the image still runs).
        const entries = (await ledgerEntriesAfter(api, before)).filter(
          (e) => e.subject === `alert:${acknowledged}` && e.actor.startsWith("user:"),
        );
        expect(entries.map((e) => e.kind).sort()).toEqual(["alert.acknowledged", "alert.commented", "alert.resolved"]);
        expect(entries.map((e) => e.sequence).sort()).toEqual(actions.map((e) => e.ledgerSequence).sort());
      });

      await test.step("a refused transition is a 409 that says why", async () => {
        const status = (await detailOf(api, acknowledged)).status;
        // The rule engine may already have reopened it (its condition still holds); then resolve it again first.
        if (status !== "resolved") {
          const res = await api.post(`/api/v1/alerts/${acknowledged}/resolve`, { data: { note: "again" } });
          expect(res.status()).toBe(200);
        }
        const problem = await expectProblem(await api.post(`/api/v1/alerts/${acknowledged}/acknowledge`), 409);
        expect(problem.detail).toMatch(/resolved alert cannot be acknowledged/);
        const bad = await expectProblem(await api.post(`/api/v1/alerts/${acknowledged}/comment`, { data: { note: "" } }), 422);
        expect(bad.errors?.map((e) => e.path)).toContain("$.note");
      });
    } finally {
      await api.dispose();
    }
  });

  test("assign to me and suppress for an hour from the alert page", async ({ page }) => {
    // The other alert: the first test left it alone.
    const target = alerts.find((a) => a.id !== handled)!;
    expect(handled).not.toBe("");
    await page.goto(`/alerts/${target.id}`);
    await page.getByRole("button", { name: "Assign to me" }).click();
    await expect(page.getByTestId("alert-assignee")).toHaveText("E2E Oncall");
    await expect(page.getByTestId("alert-timeline")).toContainText("to E2E Oncall");
    await page.getByLabel("Justification").fill("Known image, the signed rebuild ships within the hour.");
    await page.getByRole("button", { name: "1 hour" }).click();
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/alerts/${target.id}/suppress`));
    await page.getByRole("button", { name: "Suppress", exact: true }).click();
    expect((await answer).status()).toBe(200);
    await expect(page.getByRole("note")).toContainText("Suppressed until");
    await expect(page.getByTestId("alert-timeline")).toContainText("Known image, the signed rebuild ships within the hour.");
    // The queue's default view (what needs attention) no longer lists it; the Suppressed tab does.
    await page.goto(`/alerts?environment=${environment}`);
    await expect(page.locator(`[data-alert-id="${target.id}"]`)).toHaveCount(0);
    await page.getByRole("button", { name: /^Suppressed/ }).click();
    await expect(page).toHaveURL(/status=suppressed/);
    await expect(page.locator(`[data-alert-id="${target.id}"]`)).toContainText("assigned to E2E Oncall");
  });
});

test.describe("viewer", () => {
  test.use({ storageState: authFile("viewer") });

  test("sees alerts but no triage controls, and the API answers 403", async ({ page }) => {
    const id = alerts[0]!.id;
    await page.goto(`/alerts?environment=${environment}&status=all`);
    await expect(page.getByTestId("alert-row")).toHaveCount(2);
    await expect(page.getByRole("button", { name: /^Acknowledge: / })).toHaveCount(0);
    await page.keyboard.press("j");
    await page.keyboard.press("a");
    await expect(page.getByTestId("queue-announcement")).toContainText("not triage");
    await page.goto(`/alerts/${id}`);
    await expect(page.getByTestId("alert-timeline")).toBeVisible();
    await expect(page.getByTestId("alert-actions")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Acknowledge|Resolve|Suppress|Assign|Add comment/ })).toHaveCount(0);
    await expect(page.getByText("Your role (viewer) may read alerts")).toBeVisible();
    const viewer = await sessionContext("viewer");
    try {
      for (const [action, data] of [
        ["acknowledge", {}],
        ["comment", { note: "from a viewer" }],
        ["resolve", { note: "from a viewer" }],
      ] as const) {
        const problem = await expectProblem(await viewer.post(`/api/v1/alerts/${id}/${action}`, { data }), 403);
        expect(problem.detail).toContain("alerts:triage");
      }
      const users = await expectProblem(await viewer.get("/api/v1/users"), 403);
      expect(users.detail).toContain("alerts:triage");
    } finally {
      await viewer.dispose();
    }
  });
});

test.describe("screenshots", () => {
  test.use({ storageState: authFile("oncall") });

  for (const size of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    test(`queue, alert and overview at ${size.width} px`, async ({ page }) => {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      const errors: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      await page.setViewportSize(size);
      const shots: Array<[string, string]> = [
        ["alerts-queue", `/alerts?environment=${environment}&status=all`],
        ["alert-detail", `/alerts/${handled || alerts[0]!.id}`],
        ["overview-alerts", "/"],
      ];
      for (const [name, url] of shots) {
        const response = await page.goto(url, { waitUntil: "networkidle" });
        expect(response?.status(), url).toBe(200);
        await expect(page.locator("h1")).toHaveCount(1);
        await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-${size.width}.png`), fullPage: true });
        await expectNoSidewaysScroll(page);
      }
      expect(errors).toEqual([]);
    });
  }
});

test.describe("notifications section", () => {
  test.use({ storageState: authFile("admin") });

  test("shows a loading state, then that no notification was sent, with the way to Settings for admin and security", async ({
    page,
    browser,
  }) => {
    // No channel routes this test's environment: its alerts notify nobody.
    const id = alerts[0]!.id;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route(`**/api/v1/alerts/${id}/deliveries*`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`/alerts/${id}`);
    const section = page.getByTestId("alert-notifications");
    await expect(section.getByRole("heading", { name: "Notifications" })).toBeVisible();
    await expect(section.getByTestId("notifications-loading")).toBeVisible();
    await expect(section.getByTestId("notifications-empty")).toHaveCount(0);
    release();
    await expect(section.getByTestId("notifications-empty")).toContainText("No notifications sent for this alert");
    await expect(section.getByTestId("notifications-loading")).toHaveCount(0);
    await expect(section.getByRole("link", { name: "Settings > Notifications" })).toHaveAttribute("href", "/settings/notifications");

    // On call reads the same log, without a link to a page it may not open.
    const oncall = await browser.newContext({ storageState: authFile("oncall") });
    try {
      const other = await oncall.newPage();
      await other.goto(new URL(`/alerts/${id}`, page.url()).toString());
      const empty = other.getByTestId("alert-notifications").getByTestId("notifications-empty");
      await expect(empty).toContainText("No notifications sent for this alert");
      await expect(empty).toContainText("configured by admin and security");
      await expect(empty.getByRole("link")).toHaveCount(0);
    } finally {
      await oncall.close();
    }
  });
});

// The compliance view (issue 7 item 1) as a compliance officer uses it: a seeded environment whose right
// answers are known in advance (signed and pinned, unsigned, deployed by tag, externally admitted, one
// deployment that ended inside the window and one that ended long before, an exception granted by
// on-call), the figures checked, drilled into, and the window changed. Screenshots at 1280 and 390 px
// (test-results/screenshots/compliance-*.png); no page may scroll sideways.
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { authFile, SCREENSHOTS_DIR } from "./fixtures";
import { createToken, sessionContext, tokenContext } from "./support/api";
import { postEvents, randomHex64, uniqueName } from "./support/events";

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const REGISTRY = "registry.e2e.test";

function cosign(digest: string, name: string, privateKey: KeyObject) {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": `${REGISTRY}/${name}` },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
  return {
    artifact: digest,
    format: "cosign",
    payload: payload.toString("base64"),
    signature: sign("sha256", payload, privateKey).toString("base64"),
  };
}

function cdevent(type: string, at: string, subject: unknown) {
  return {
    context: { specversion: "0.5.1", id: randomUUID(), source: "/e2e/argo", type: `dev.cdevents.${type}.0.3.0`, timestamp: at },
    subject,
  };
}

function deployed(options: { environment: string; workload: string; name: string; at: string; digest?: string; tag?: string }) {
  const repository = `${REGISTRY}/${options.name}`;
  const artifactId = options.digest
    ? `pkg:oci/${options.name}@sha256%3A${options.digest.slice(7)}?repository_url=${repository}`
    : `pkg:oci/${options.name}?repository_url=${repository}&tag=${options.tag}`;
  return cdevent("service.deployed", options.at, {
    id: options.workload,
    content: { environment: { id: options.environment }, artifactId },
  });
}

async function accepted(res: Awaited<ReturnType<APIRequestContext["post"]>>) {
  expect([200, 201], `${res.url()}: ${await res.text()}`).toContain(res.status());
}

/** A full-page screenshot at 1280 px and at 390 px (no sideways scrolling there), then back to 1280. */
async function screenshots(page: Page, name: string) {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 1280 ? 800 : 844 });
    await expect(page.locator("h1")).toHaveCount(1);
    // The chart sizes itself to its container: let it settle at the new width.
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `compliance-${name}-${width}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test.describe("the compliance view, as the compliance officer reads it", () => {
  test.use({ storageState: authFile("compliance"), viewport: { width: 1280, height: 800 } });

  test("figures of a seeded environment, their drill-down, other windows and environments", async ({ page }) => {
    // Generous: policy results and alerts come from the job queue, and a busy machine slows every page.
    test.setTimeout(300_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    const env = uniqueName("e2e-comp");
    const other = uniqueName("e2e-comp-other");
    const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const app = uniqueName("e2e-comp-app");
    const [A, B, C, D, E, F] = Array.from({ length: 6 }, () => `sha256:${randomHex64()}`) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const reader = await sessionContext("compliance");

    /** The API's counts for the seeded environment over the last `days` days. */
    const counts = async (days: number, environment = env) => {
      const res = await reader.get(`/api/v1/compliance?environment=${environment}&from=${daysAgo(days)}`);
      expect(res.status(), await res.text()).toBe(200);
      return ((await res.json()) as { deployments: Record<string, number> }).deployments;
    };

    await test.step("seed: a trusted key, signatures, deployments over 40 days, a claim, an exception", async () => {
      const security = await sessionContext("security");
      const key = await security.post("/api/v1/trust/keys", {
        data: { name: uniqueName("e2e-comp-key"), publicKey: release.publicKey.export({ type: "spki", format: "pem" }).toString() },
      });
      expect(key.status(), await key.text()).toBe(201);
      await security.dispose();

      const token = await createToken(["ingest"], "e2e compliance");
      const ci = await tokenContext(token.secret);
      for (const digest of [A, B, D, E, F])
        await accepted(await ci.post("/api/v1/signatures", { data: cosign(digest, app, release.privateKey) }));
      // D is what the tag 2.0 names: deployed by tag, so not pinned.
      await accepted(
        await postEvents(
          ci,
          cdevent("artifact.published", daysAgo(45), {
            id: `pkg:oci/${app}@sha256%3A${D.slice(7)}?repository_url=${REGISTRY}/${app}&tag=2.0`,
            content: {},
          }),
        ),
      );
      // E ran 40 to 35 days ago, F 15 to 10 days ago: each is evaluated while it runs, then removed.
      for (const [workload, digest, from, to] of [
        ["legacy", E, 40, 35],
        ["batch", F, 15, 10],
      ] as const) {
        await accepted(await postEvents(ci, deployed({ environment: env, workload, name: app, digest, at: daysAgo(from) })));
        await expect.poll(async () => (await counts(from + 1)).compliant, { timeout: 60_000 }).toBe(1);
        await accepted(
          await postEvents(ci, cdevent("service.removed", daysAgo(to), { id: workload, content: { environment: { id: env } } })),
        );
      }
      await accepted(await postEvents(ci, deployed({ environment: env, workload: "api", name: app, digest: A, at: daysAgo(20) })));
      await accepted(await postEvents(ci, deployed({ environment: env, workload: "web", name: app, digest: B, at: daysAgo(3) })));
      await accepted(await postEvents(ci, deployed({ environment: env, workload: "vendor", name: app, digest: C, at: daysAgo(2) })));
      await accepted(await postEvents(ci, deployed({ environment: env, workload: "edge", name: app, tag: "2.0", at: daysAgo(1) })));
      await accepted(await postEvents(ci, deployed({ environment: other, workload: "api", name: app, digest: A, at: daysAgo(5) })));
      // An external verifier passed A in this environment.
      await accepted(
        await ci.post("/api/v1/verifications", {
          data: {
            apiVersion: "vitrine.dev/v1",
            kind: "AdmissionDecision",
            verifier: "policy-controller",
            allowed: true,
            image: `${REGISTRY}/${app}@${A}`,
            environment: env,
          },
        }),
      );
      await ci.dispose();
      await expect.poll(async () => (await counts(30)).compliant, { timeout: 90_000 }).toBe(3);

      // On-call suppresses the unsigned vendor image's alert with a justification: an exception.
      const oncall = await sessionContext("oncall");
      let alertId = "";
      await expect
        .poll(
          async () => {
            const res = await oncall.get(`/api/v1/alerts?environment=${env}&rule=unsigned-deployed`);
            const items = ((await res.json()) as { items: Array<{ id: string }> }).items;
            alertId = items[0]?.id ?? "";
            return items.length;
          },
          { timeout: 90_000 },
        )
        .toBe(1);
      const suppress = await oncall.post(`/api/v1/alerts/${alertId}/suppress`, {
        data: { justification: "Vendor image; signed build due with 4.2", until: new Date(Date.now() + 14 * DAY).toISOString() },
      });
      expect(suppress.status(), await suppress.text()).toBe(200);
      await oncall.dispose();
    });

    await test.step("the figures for the last 30 days", async () => {
      expect(await counts(30)).toEqual({ total: 5, pinned: 4, verifiedSignature: 4, verifiedProvenance: 0, admitted: 1, compliant: 3 });
      await page.goto(`/compliance?environment=${env}`);
      await expect(page.getByRole("heading", { level: 1, name: "Compliance" })).toBeVisible();
      await expect(page.getByTestId("figure-total-value")).toHaveText("5");
      await expect(page.getByTestId("figure-pinned-count")).toHaveText("4 of 5");
      await expect(page.getByTestId("figure-pinned-share")).toHaveText("80%");
      await expect(page.getByTestId("figure-verifiedSignature-count")).toHaveText("4 of 5");
      await expect(page.getByTestId("figure-verifiedProvenance-count")).toHaveText("0 of 5");
      await expect(page.getByTestId("figure-verifiedProvenance-share")).toHaveText("0%");
      await expect(page.getByTestId("figure-admitted-count")).toHaveText("1 of 5");
      await expect(page.getByTestId("figure-admitted-share")).toHaveText("20%");
      await expect(page.getByTestId("figure-compliant-count")).toHaveText("3 of 5");
      await expect(page.getByTestId("figure-compliant-share")).toHaveText("60%");
      await expect(page.getByTestId("figure-compliant-missed")).toHaveText("2 fail the policy");
      await expect(page.getByTestId("failures-digest-pinning")).toContainText("1 failing");
      await expect(page.getByTestId("failures-signatures")).toContainText("1 failing");
      await expect(page.getByTestId("failures-attestations")).toContainText("none failing");
      // The tag deployment's alert is open; the vendor image's is an exception, not a violation.
      const violation = page.getByTestId("violation-row").filter({ hasText: "Deployed by tag, not digest" });
      await expect(violation).toHaveCount(1);
      await expect(violation.getByRole("link")).toHaveAttribute("href", `/alerts?rule=mutable-reference-deployed&environment=${env}`);
      await expect(page.getByTestId("violation-row").filter({ hasText: "unsigned-deployed" })).toHaveCount(0);
      const exception = page.getByTestId("exception-row");
      await expect(exception).toHaveCount(1);
      await expect(exception).toContainText("Vendor image; signed build due with 4.2");
      await expect(exception).toContainText("E2E Oncall");
      await expect(exception).toContainText("vendor in");
      // The trend: a chart, its summary, and the numbers as a table.
      await expect(page.getByTestId("trend-summary")).toContainText(`passed the policy`);
      await page.getByText("Show the numbers").click();
      const trendRows = page.locator("details table tbody tr");
      await expect(trendRows).toHaveCount(30);
      await expect(trendRows.last().locator("td").first()).toHaveText("4");
      await screenshots(page, "view");
    });

    await test.step("drill down: the two that fail the policy, then the other way round", async () => {
      await page.getByTestId("figure-compliant-missed").click();
      await expect(page).toHaveURL(/\/compliance\/deployments\?.*measure=compliant.*value=false/);
      await expect(page.getByRole("heading", { level: 1 })).toContainText("Fail the policy");
      await expect(page.getByTestId("drill-total")).toHaveText("2");
      const rows = page.getByTestId("drill-row");
      await expect(rows).toHaveCount(2);
      await expect(rows.nth(0)).toContainText("edge");
      await expect(rows.nth(0)).toContainText("by tag");
      await expect(rows.nth(0)).toContainText(`${REGISTRY}/${app}:2.0`);
      await expect(rows.nth(1)).toContainText("vendor");
      await expect(rows.nth(1)).toContainText("not signed");
      await screenshots(page, "drill-down");
      await page.getByRole("link", { name: "Show the others: pass the policy" }).click();
      await expect(page.getByTestId("drill-total")).toHaveText("3");
      await expect(page.getByTestId("drill-row")).toHaveCount(3);
      await expect(page.getByTestId("drill-row").filter({ hasText: "batch" })).toContainText("removed");
      await page.getByRole("link", { name: "Back to the figures" }).click();
      await expect(page.getByTestId("figure-total-value")).toHaveText("5");
      // Every figure is a link to its list, and the list is as long as the figure.
      await page.getByTestId("figure-pinned-count").click();
      await expect(page.getByTestId("drill-total")).toHaveText("4");
      await expect(page.getByTestId("drill-row")).toHaveCount(4);
      await page.goBack();
    });

    await test.step("change the window: 7 days, 90 days, a custom range, one with nothing in it", async () => {
      await page.getByText("7 days", { exact: true }).click();
      await expect(page).toHaveURL(/window=7d/);
      await expect(page.getByTestId("figure-total-value")).toHaveText("4");
      await expect(page.getByTestId("figure-compliant-count")).toHaveText("2 of 4");
      await page.getByText("90 days", { exact: true }).click();
      await expect(page).toHaveURL(/window=90d/);
      await expect(page.getByTestId("figure-total-value")).toHaveText("6");
      await page.getByText("Custom", { exact: true }).click();
      await page.getByLabel("From", { exact: true }).fill(isoDay(new Date(Date.now() - 39 * DAY)));
      await page.getByLabel("To (inclusive)").fill(isoDay(new Date(Date.now() - 37 * DAY)));
      await page.getByRole("button", { name: "Apply" }).click();
      await expect(page).toHaveURL(/window=custom/);
      await expect(page.getByTestId("figure-total-value")).toHaveText("1");
      await expect(page.getByTestId("compliance-scope")).toContainText(isoDay(new Date(Date.now() - 39 * DAY)));
      await page.getByLabel("From", { exact: true }).fill(isoDay(new Date(Date.now() - 300 * DAY)));
      await page.getByLabel("To (inclusive)").fill(isoDay(new Date(Date.now() - 290 * DAY)));
      await page.getByRole("button", { name: "Apply" }).click();
      await expect(page.getByTestId("compliance-empty")).toContainText(`No deployments in ${env} in this window`);
      await screenshots(page, "empty");
    });

    await test.step("another environment from the picker", async () => {
      await page.goto(`/compliance?environment=${env}&window=7d`);
      await page.getByLabel("Environment").selectOption(other);
      await expect(page).toHaveURL(new RegExp(`environment=${other}`));
      await expect(page.getByTestId("figure-total-value")).toHaveText("1");
      await expect(page.getByTestId("figure-compliant-count")).toHaveText("1 of 1");
      // A bad custom window falls back to 30 days, and says so.
      await page.goto(`/compliance?environment=${env}&window=custom&from=2026-02-31&to=2026-03-05`);
      await expect(page.locator(".alert-warn")).toContainText("valid start date");
      await expect(page.getByTestId("figure-total-value")).toHaveText("5");
    });

    await reader.dispose();
    expect(errors).toEqual([]);
  });
});

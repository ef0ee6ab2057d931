// Every page at desktop (1280x800) and phone (390x844) width, as an admin (and /signin signed
// out): a full-page screenshot in test-results/screenshots/<name>-<width>.png, exactly one h1, no
// console errors (CSP violations and hydration errors land there), and no sideways scrolling.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { authFile, SCREENSHOTS_DIR } from "./fixtures";
import { createToken, tokenContext } from "./support/api";
import { ingestArtifact, uniqueName } from "./support/events";
import { discoverRoutes } from "./support/routes";

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

/** Pages of the artefact ingested below: its own page and its lineage graph (the digest is appended). */
const DIGEST_PAGE = "/artifacts/";
const LINEAGE_PAGE = "/lineage?digest=";
const WITH_DIGEST = [DIGEST_PAGE, LINEAGE_PAGE];

/** Every page in app/ (new pages are screenshotted without editing this file), plus the pages of an ingested artefact. */
const PAGES = [
  ...discoverRoutes()
    .pages.map((p) => p.path)
    .filter((p) => !p.includes("[")),
  ...WITH_DIGEST,
];

function shotName(path: string): string {
  if (path === "/") return "overview";
  if (path === DIGEST_PAGE) return "artifact-digest";
  if (path === LINEAGE_PAGE) return "lineage-digest";
  return path.slice(1).replace(/[^a-z0-9]+/gi, "-");
}

let digest = "";

test.beforeAll(async () => {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const token = await createToken(["ingest"], "e2e screenshots");
  const ctx = await tokenContext(token.secret);
  try {
    digest = await ingestArtifact(ctx, uniqueName("e2e-shot"));
  } finally {
    await ctx.dispose();
  }
});

for (const size of SIZES) {
  test.describe(`${size.width}x${size.height}`, () => {
    test.use({ viewport: size });

    for (const path of PAGES) {
      const signedOut = path === "/signin";
      test.describe(() => {
        test.use({ storageState: signedOut ? { cookies: [], origins: [] } : authFile("admin") });

        test(`${path}${WITH_DIGEST.includes(path) ? "<ingested>" : ""}`, async ({ page }) => {
          const errors: string[] = [];
          page.on("console", (msg) => {
            if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
          });
          page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
          const url = WITH_DIGEST.includes(path) ? `${path}${encodeURIComponent(digest)}` : path;
          const response = await page.goto(url, { waitUntil: "networkidle" });
          expect(response?.status(), `status of ${url}`).toBe(200);
          expect(new URL(page.url()).pathname, "not redirected").toBe(new URL(url, "http://x").pathname);
          if (!signedOut) await expect(page.getByTestId("current-role")).toHaveText("admin");
          if (WITH_DIGEST.includes(path)) await expect(page.getByText(digest).first()).toBeVisible();
          // The graph is drawn in the browser (layout included): wait for its nodes.
          if (path === LINEAGE_PAGE) await expect(page.locator(".react-flow__node").first()).toBeVisible({ timeout: 30_000 });
          await page.screenshot({ path: join(SCREENSHOTS_DIR, `${shotName(path)}-${size.width}.png`), fullPage: true });
          await expect(page.locator("h1")).toHaveCount(1);
          await expect(page.locator("h1")).toBeVisible();
          // KNOWN APP BUG (fails at 390 px on /lineage?digest=, /ledger and /settings/ingestion): a long
          // unbreakable <code> (purl, key fingerprint) or a 1fr grid column (.two-col) widens the page
          // past the viewport. See the report for the CSS patch.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
          expect(errors).toEqual([]);
        });
      });
    }
  });
}

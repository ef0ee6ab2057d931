// Browser and HTTP end-to-end tests (e2e/). `npx playwright test` builds the current code, starts it
// on a fresh database (scripts/e2e-server.ts: a new database on DATABASE_URL's server, else embedded
// PGlite in memory), signs in one user per role (e2e/auth.setup.ts), then runs the specs.
import { defineConfig } from "@playwright/test";
import { BASE_URL, E2E_PORT } from "./e2e/fixtures";

const CI = Boolean(process.env.CI);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  forbidOnly: CI,
  retries: 0,
  workers: 2,
  fullyParallel: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: CI ? [["list"], ["html", { open: "never" }]] : [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Never downloaded: the machine's Chromium.
      executablePath: process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts$/ },
    { name: "chromium", use: { browserName: "chromium" }, dependencies: ["setup"] },
  ],
  webServer: {
    // Build first, every time: the suite must test the code as it is now, not a stale .next.
    // (scripts/test-all.sh builds once for the integration and browser tests and sets E2E_SKIP_BUILD.)
    command: `${process.env.E2E_SKIP_BUILD ? "" : "npx next build && "}node --conditions=react-server --import tsx scripts/e2e-server.ts`,
    url: `${BASE_URL}/api/health`,
    // Its own build folder (gitignored .next-*), so a developer's `next build` of .next does not race it.
    env: {
      E2E_PORT: String(E2E_PORT),
      NEXT_TELEMETRY_DISABLED: "1",
      VITRINE_NEXT_DIST_DIR: process.env.VITRINE_NEXT_DIST_DIR || ".next-e2e",
      // Notification receivers of the specs listen on 127.0.0.1, which the default policy refuses: that host only.
      VITRINE_NOTIFY_ALLOWED_HOSTS: "127.0.0.1",
    },
    timeout: 300_000,
    reuseExistingServer: !CI,
    stdout: "pipe",
    stderr: "pipe",
    // SIGTERM lets scripts/e2e-server.ts stop `next start` and drop its database.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});

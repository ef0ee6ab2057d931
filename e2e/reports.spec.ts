// Signed reports through the Reports page (issue 7, done-when), as a compliance officer: a small
// environment is seeded over the API; CSV, JSON and PDF are exported through the form and downloaded
// (with the .sig); the PDF is rendered to PNG with pdftoppm and its pages must exist; each file is
// verified in the page's drop zone (valid, with its report id and checkpoint) and a copy with one
// changed byte is not. /reports is screenshotted at 1280 and 390 px and must not scroll sideways.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { authFile, RESULTS_DIR, SCREENSHOTS_DIR } from "./fixtures";
import { createToken, sessionContext, tokenContext } from "./support/api";
import { postEvents, randomHex64, uniqueName } from "./support/events";

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

function cosign(digest: string, repository: string, privateKey: KeyObject) {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": repository },
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

function deployed(options: { name: string; environment: string; workload: string; at: string; digest?: string; tag?: string }) {
  const repository = `registry.e2e.test/${options.name}`;
  const artifactId = options.digest
    ? `pkg:oci/${options.name}@sha256%3A${options.digest.slice(7)}?repository_url=${repository}`
    : `pkg:oci/${options.name}?repository_url=${repository}&tag=${options.tag}`;
  return {
    context: {
      specversion: "0.5.1",
      id: randomUUID(),
      source: "/e2e/argo",
      type: "dev.cdevents.service.deployed.0.3.0",
      timestamp: options.at,
    },
    subject: { id: options.workload, content: { environment: { id: options.environment }, artifactId } },
  };
}

async function accepted(res: Awaited<ReturnType<APIRequestContext["post"]>>) {
  expect([200, 201], `${res.url()}: ${await res.text()}`).toContain(res.status());
}

async function screenshots(page: Page, name: string) {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 1280 ? 800 : 844 });
    await expect(page.locator("h1")).toHaveCount(1);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-${width}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

type Downloaded = { file: string; sig: string; reportId: string };

test.describe("signed reports, as the compliance officer", () => {
  test.use({ storageState: authFile("compliance"), viewport: { width: 1280, height: 800 } });

  test("export CSV, JSON and PDF; the PDF renders; each verifies in the drop zone; a changed byte does not", async ({ page }) => {
    test.setTimeout(300_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const dir = join(RESULTS_DIR, "reports", randomUUID());
    mkdirSync(dir, { recursive: true });
    const environment = uniqueName("e2e-reports");
    const name = uniqueName("e2e-reports-app");
    const repository = `registry.e2e.test/${name}`;

    await test.step("seed: a trusted key; in one environment a signed, an unsigned and a tag-named deployment", async () => {
      const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const security = await sessionContext("security");
      const key = await security.post("/api/v1/trust/keys", {
        data: { name: uniqueName("e2e-reports-key"), publicKey: release.publicKey.export({ type: "spki", format: "pem" }).toString() },
      });
      expect(key.status(), await key.text()).toBe(201);
      await security.dispose();
      const token = await createToken(["ingest"], "e2e reports");
      const pipeline = await tokenContext(token.secret);
      const [signed, unsigned] = [`sha256:${randomHex64()}`, `sha256:${randomHex64()}`];
      await accepted(await pipeline.post("/api/v1/signatures", { data: cosign(signed, repository, release.privateKey) }));
      for (const event of [
        deployed({ name, environment, workload: "api", digest: signed, at: minutesAgo(60) }),
        deployed({ name, environment, workload: "web", digest: unsigned, at: minutesAgo(50) }),
        deployed({ name, environment, workload: "worker", tag: "1.0", at: minutesAgo(40) }),
      ]) {
        await accepted(await postEvents(pipeline, event));
      }
      await pipeline.dispose();
    });

    await page.goto("/reports");
    await expect(page.getByRole("heading", { level: 1, name: "Reports" })).toBeVisible();
    const form = page.getByTestId("export-form");
    const downloaded: Record<string, Downloaded> = {};

    for (const format of ["CSV", "JSON", "PDF"] as const) {
      await test.step(`export ${format} through the form and download it with its .sig`, async () => {
        await form.getByLabel("Environment").selectOption(environment);
        await form.getByLabel("7 days").check();
        await form.getByLabel(format, { exact: true }).check();
        await form.getByRole("button", { name: "Export signed report" }).click();
        const ready = page.getByTestId("export-ready");
        await expect(ready).toBeVisible({ timeout: 60_000 });
        await expect(ready).toContainText(`${environment}`);
        await expect(ready).toContainText("3 deployments");
        const [file] = await Promise.all([page.waitForEvent("download"), ready.getByTestId("export-download").click()]);
        expect(file.suggestedFilename()).toMatch(new RegExp(`^vitrine-compliance-${environment}-.*\\.${format.toLowerCase()}$`));
        const path = join(dir, file.suggestedFilename());
        await file.saveAs(path);
        const [sig] = await Promise.all([page.waitForEvent("download"), ready.getByTestId("export-signature").click()]);
        expect(sig.suggestedFilename()).toBe(`${file.suggestedFilename()}.sig`);
        await sig.saveAs(`${path}.sig`);
        const reportId = /report=([0-9a-f-]{36})/.exec(readFileSync(`${path}.sig`, "utf8"))?.[1] ?? "";
        expect(reportId).toMatch(/^[0-9a-f-]{36}$/);
        downloaded[format] = { file: path, sig: `${path}.sig`, reportId };
      });
    }

    await test.step("the files are what they claim: CSV rows, JSON summary, PDF pages rendered by pdftoppm", async () => {
      const csv = readFileSync(downloaded.CSV!.file, "utf8").trimEnd().split("\r\n");
      expect(csv[0]).toMatch(/^deployment_id,environment,cluster,namespace,workload,reference,digest,pinned,/);
      expect(csv).toHaveLength(4);
      const json = JSON.parse(readFileSync(downloaded.JSON!.file, "utf8")) as {
        environment: string;
        summary: { total: number; pinned: number };
        rows: unknown[];
        signature: { keyId: string };
      };
      expect(json).toMatchObject({ environment, summary: { total: 3, pinned: 2 } });
      expect(json.rows).toHaveLength(3);
      const pdf = downloaded.PDF!.file;
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
      const render = spawnSync("pdftoppm", ["-png", "-r", "50", pdf, join(dir, "page")], { encoding: "utf8" });
      expect(render.status, render.stderr).toBe(0);
      const pages = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f));
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const p of pages) expect(readFileSync(join(dir, p)).length).toBeGreaterThan(1000);
      const text = spawnSync("pdftotext", [pdf, "-"], { encoding: "utf8" });
      expect(text.stdout).toContain(environment);
      expect(text.stdout).toContain("2 of 3");
    });

    const input = page.getByTestId("verify-file-input");
    const result = page.getByTestId("verify-result");

    for (const format of ["CSV", "JSON", "PDF"] as const) {
      await test.step(`${format}: valid in the drop zone, with its report id and checkpoint`, async () => {
        const d = downloaded[format]!;
        await input.setInputFiles(format === "CSV" ? [d.file, d.sig] : [d.file]);
        await expect(result).toHaveAttribute("data-valid", "true", { timeout: 30_000 });
        await expect(result).toContainText("Valid.");
        await expect(page.getByTestId("verify-report-id")).toHaveText(d.reportId);
        await expect(page.getByTestId("verify-checkpoint")).toContainText(/ledger entry #\d+/);
      });
    }

    await test.step("a file dropped on the zone is verified too", async () => {
      const bytes = readFileSync(downloaded.JSON!.file);
      await page.getByTestId("verify-drop-zone").evaluate((zone, data) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], "dropped.json", { type: "application/json" }));
        zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, Array.from(bytes));
      await expect(result).toHaveAttribute("data-valid", "true", { timeout: 30_000 });
      await expect(result).toContainText("dropped.json");
    });

    for (const format of ["CSV", "JSON", "PDF"] as const) {
      await test.step(`${format} with one changed byte: not valid`, async () => {
        const d = downloaded[format]!;
        const bytes = readFileSync(d.file);
        const at = Math.floor(bytes.length / 2);
        bytes[at] = (bytes[at] ?? 0) ^ 0x01;
        const changed = join(dir, `changed-${format.toLowerCase()}.${format.toLowerCase()}`);
        writeFileSync(changed, bytes);
        await input.setInputFiles(format === "CSV" ? [changed, d.sig] : [changed]);
        await expect(result).toHaveAttribute("data-valid", "false", { timeout: 30_000 });
        await expect(result).toContainText("Not valid.");
      });
    }

    await test.step("the history lists the three exports by the officer, with hash and files", async () => {
      await page.reload();
      const rows = page.getByTestId("history-row");
      for (const d of Object.values(downloaded)) {
        const row = rows.and(page.locator(`[data-report-id="${d.reportId}"]`));
        await expect(row).toContainText("compliance@e2e.test");
        await expect(row).toContainText(environment);
        await expect(row.getByRole("link", { name: ".sig" })).toHaveAttribute("href", `/api/v1/reports/exports/${d.reportId}/signature`);
      }
    });

    await test.step("screenshots at 1280 and 390 px, no sideways scrolling", async () => {
      // A verification result on screen, as an officer would see it.
      await input.setInputFiles([downloaded.PDF!.file]);
      await expect(result).toHaveAttribute("data-valid", "true", { timeout: 30_000 });
      await screenshots(page, "reports");
    });
    expect(errors).toEqual([]);
  });
});

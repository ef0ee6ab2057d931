// The thin slice, end to end: an admin creates an ingest token in the UI, a pipeline sends a
// CDEvents artifact.published event with it, the artefact shows on /artifacts and its own page, a
// replay is a duplicate, and revoking the token in the UI shuts the pipeline out.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { authFile } from "./fixtures";
import { expectProblem, tokenContext } from "./support/api";
import { artifactPublished, conformanceArtifactPublished, type ItemResult, postEvents, uniqueName } from "./support/events";

test.use({ storageState: authFile("admin") });

test("ingest token from the UI -> event -> artefact on /artifacts and /artifacts/{digest} -> duplicate -> revoke", async ({ page }) => {
  const tokenName = uniqueName("e2e-pipeline");
  let secret = "";

  await test.step("create an ingest token at /settings/tokens", async () => {
    await page.goto("/settings/tokens");
    await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
    await page.locator("#token-name").fill(tokenName);
    const scopes = page.getByRole("group", { name: "Scopes" });
    await expect(scopes.getByRole("checkbox", { name: /^ingest\b/ })).toBeChecked();
    for (const other of ["read", "admin", "admission"]) {
      await expect(scopes.getByRole("checkbox", { name: new RegExp(`^${other}\\b`) })).not.toBeChecked();
    }
    await page.getByRole("button", { name: "Create token" }).click();
    const shown = page.getByTestId("token-secret");
    await expect(shown).toBeVisible();
    secret = (await shown.textContent())?.trim() ?? "";
    expect(secret).toMatch(/^vtr_[A-Za-z0-9_-]{43}$/);
    const row = page.getByTestId("token-row").filter({ hasText: tokenName });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("ingest");
    await expect(row).toContainText("active");
    // Shown once: the list holds only the prefix, and a reload does not show the secret again.
    await expect(row).not.toContainText(secret);
    await page.reload();
    await expect(page.getByTestId("token-secret")).toHaveCount(0);
    await expect(page.getByText(secret)).toHaveCount(0);
  });

  const pipeline = await tokenContext(secret);
  const name = uniqueName("e2e-app");
  const { event: doc, digest } = artifactPublished({ name });
  const body = JSON.stringify(doc);
  let firstId = "";

  try {
    await test.step("the conformance example (a purl without a digest) is kept as evidence, no artefact", async () => {
      const res = await postEvents(pipeline, conformanceArtifactPublished());
      expect(res.status(), await res.text()).toBe(201);
      const result = (await res.json()) as ItemResult;
      expect(result).toMatchObject({ status: "accepted", artifact: null });
      expect(result.id).toEqual(expect.any(String));
      expect(res.headers()["x-request-id"]).toBeTruthy();
    });

    await test.step("a pinned artifact.published event is accepted (201) and names its artefact", async () => {
      const res = await postEvents(pipeline, body);
      expect(res.status(), await res.text()).toBe(201);
      const result = (await res.json()) as ItemResult;
      expect(result).toMatchObject({ status: "accepted", artifact: digest });
      firstId = result.id ?? "";
      expect(firstId).toMatch(/^[0-9a-f-]{36}$/);
    });

    await test.step("the artefact is found on /artifacts by its name", async () => {
      await page.goto("/artifacts");
      await page.locator("#q").fill(name);
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL((url) => url.searchParams.get("q") === name);
      const rows = page.getByTestId("artifact-row");
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toContainText(`registry.e2e.test/${name}`);
      await expect(rows.first()).toContainText("1.0");
      await expect(rows.first().getByRole("link", { name: digest.slice(0, "sha256:".length + 16) })).toHaveAttribute(
        "href",
        `/artifacts/${encodeURIComponent(digest)}`,
      );
    });

    await test.step("and on its own page, /artifacts/{digest}", async () => {
      await page.goto(`/artifacts/${encodeURIComponent(digest)}`);
      await expect(page.getByRole("heading", { level: 1, name: `registry.e2e.test/${name}` })).toBeVisible();
      await expect(page.locator(".page-header")).toContainText(digest);
      const identity = page.locator("section", { has: page.getByRole("heading", { name: /^Identity/ }) });
      await expect(identity).toContainText(`registry.e2e.test/${name}`);
      const tags = page.locator("section", { has: page.getByRole("heading", { name: "Tag history" }) });
      await expect(tags).toContainText(`registry.e2e.test/${name}:1.0`);
      await expect(tags).toContainText("current");
      const evidence = page.locator("section", { has: page.getByRole("heading", { name: "Evidence in the ledger" }) });
      await expect(evidence).toContainText("document.accepted");
    });

    await test.step("replaying the same event answers 200 duplicate with the same id", async () => {
      const res = await postEvents(pipeline, body);
      expect(res.status(), await res.text()).toBe(200);
      expect(await res.json()).toMatchObject({ status: "duplicate", id: firstId });
      // Same context.id and source, different bytes: still the same document.
      const reworded = await postEvents(pipeline, { ...doc, subject: { ...doc.subject, content: { user: "someone-else" } } });
      expect(reworded.status(), await reworded.text()).toBe(200);
      expect(await reworded.json()).toMatchObject({ status: "duplicate", id: firstId });
    });

    await test.step("revoking the token in the UI makes the next POST a 401", async () => {
      await page.goto("/settings/tokens");
      const row = page.getByTestId("token-row").filter({ hasText: tokenName });
      page.once("dialog", (dialog) => {
        expect(dialog.type()).toBe("confirm");
        void dialog.accept();
      });
      await row.getByRole("button", { name: "Revoke" }).click();
      await expect(row).toContainText("revoked");
      await expect(row.getByRole("button", { name: "Revoke" })).toHaveCount(0);
      const res = await postEvents(pipeline, artifactPublished({ name, id: randomUUID() }).event);
      const problem = await expectProblem(res, 401);
      expect(res.headers()["www-authenticate"]).toMatch(/^Bearer/);
      expect(problem.detail).toMatch(/revoked/);
    });
  } finally {
    await pipeline.dispose();
  }
});

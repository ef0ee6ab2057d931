// The pages for the other nouns (issue 5 item 5, issue 4 item 5), walked through a seeded story as a
// security lead would: a trusted key signs what one build made from one commit, a tag is pushed and
// then moved, and the artefacts run in two environments. From the artefact page to the key's page
// (its blast radius: per environment, and which deployments have nothing but this key; the CSV),
// then the commit, the build, an environment and the tag (the move called out). Each page is
// screenshotted at 1280 and 390 px (test-results/screenshots/nouns-*.png) and must not scroll sideways.
import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { authFile, SCREENSHOTS_DIR } from "./fixtures";
import { createToken, sessionContext, tokenContext } from "./support/api";
import { artifactPublished, postEvents, randomHex64, uniqueName } from "./support/events";

const pem = (k: KeyObject) => k.export({ type: "spki", format: "pem" }).toString();
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const short = (digest: string) => `sha256:${digest.slice("sha256:".length, "sha256:".length + 12)}`;

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

/** CDEvents service.deployed / upgraded: pinned by digest, or naming only a tag. */
function deployed(options: {
  name: string;
  environment: string;
  workload: string;
  at: string;
  digest?: string;
  tag?: string;
  type?: "deployed" | "upgraded";
}) {
  const repository = `registry.e2e.test/${options.name}`;
  const artifactId = options.digest
    ? `pkg:oci/${options.name}@sha256%3A${options.digest.slice("sha256:".length)}?repository_url=${repository}`
    : `pkg:oci/${options.name}?repository_url=${repository}&tag=${options.tag}`;
  return {
    context: {
      specversion: "0.5.1",
      id: randomUUID(),
      source: "/e2e/argo",
      type: `dev.cdevents.service.${options.type ?? "deployed"}.0.3.0`,
      timestamp: options.at,
    },
    subject: { id: options.workload, content: { environment: { id: options.environment }, artifactId } },
  };
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
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `nouns-${name}-${width}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test.describe("the noun pages, as the security lead walks them", () => {
  test.use({ storageState: authFile("security"), viewport: { width: 1280, height: 800 } });

  test("artefact -> key (blast radius, CSV) -> commit -> build -> environment -> tag", async ({ page }) => {
    // Generous: the policy results come from the job queue, and a busy machine slows every page.
    test.setTimeout(240_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    const release = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const backup = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyName = uniqueName("e2e-nouns-release");
    const backupName = uniqueName("e2e-nouns-backup");
    const name = uniqueName("e2e-nouns");
    const repository = `registry.e2e.test/${name}`;
    const repoUrl = `https://github.com/acme/${name}`;
    const builder = `${repoUrl}/.github/workflows/release.yml@refs/heads/main`;
    const invocation = `${repoUrl}/actions/runs/${Date.now()}`;
    const commit = randomBytes(20).toString("hex");
    const [A, B, C, base] = [randomHex64(), randomHex64(), randomHex64(), randomHex64()].map((h) => `sha256:${h}`) as [
      string,
      string,
      string,
      string,
    ];
    const prod = uniqueName("e2e-prod");
    const staging = uniqueName("e2e-staging");
    let keyId = "";

    await test.step("seed: two trusted keys, a build from a commit, signatures, a moved tag, deployments", async () => {
      const security = await sessionContext("security");
      for (const [keyNameN, pair] of [
        [keyName, release],
        [backupName, backup],
      ] as const) {
        const res = await security.post("/api/v1/trust/keys", {
          data: { name: keyNameN, publicKey: pem(pair.publicKey), owner: "release team" },
        });
        expect(res.status(), await res.text()).toBe(201);
        if (keyNameN === keyName) keyId = ((await res.json()) as { id: string }).id;
      }
      await security.dispose();

      const token = await createToken(["ingest"], "e2e nouns");
      const pipeline = await tokenContext(token.secret);
      // SLSA provenance v1: one run of the release workflow built A and B from the commit on top of a base image.
      const statement = {
        _type: "https://in-toto.io/Statement/v1",
        subject: [
          { name: repository, digest: { sha256: A.slice(7) } },
          { name: repository, digest: { sha256: B.slice(7) } },
        ],
        predicateType: "https://slsa.dev/provenance/v1",
        predicate: {
          buildDefinition: {
            buildType: "https://actions.github.io/buildtypes/workflow/v1",
            externalParameters: { workflow: { ref: "refs/heads/main", repository: repoUrl, path: ".github/workflows/release.yml" } },
            resolvedDependencies: [
              { uri: `git+${repoUrl}@refs/heads/main`, digest: { gitCommit: commit } },
              { uri: `pkg:oci/base@sha256%3A${base.slice(7)}?repository_url=registry.e2e.test/base`, digest: { sha256: base.slice(7) } },
            ],
          },
          runDetails: {
            builder: { id: builder },
            metadata: { invocationId: invocation, startedOn: minutesAgo(40), finishedOn: minutesAgo(36) },
          },
        },
      };
      await accepted(await pipeline.post("/api/v1/attestations", { data: { statement } }));
      // The tag 1.0 first points at A, then moves to C.
      for (const [hex, at] of [
        [A.slice(7), minutesAgo(35)],
        [C.slice(7), minutesAgo(20)],
      ] as const) {
        const { event } = artifactPublished({ name, hex, tag: "1.0" });
        event.context.timestamp = at;
        await accepted(await postEvents(pipeline, event));
      }
      // A is signed by the release key only; B by both keys; C by the backup key only.
      for (const body of [
        cosign(A, repository, release.privateKey),
        cosign(B, repository, release.privateKey),
        cosign(B, repository, backup.privateKey),
        cosign(C, repository, backup.privateKey),
      ]) {
        await accepted(await pipeline.post("/api/v1/signatures", { data: body }));
      }
      for (const event of [
        deployed({ name, environment: prod, workload: "api", digest: B, at: minutesAgo(30) }),
        deployed({ name, environment: prod, workload: "api", digest: A, at: minutesAgo(25), type: "upgraded" }),
        deployed({ name, environment: staging, workload: "api", digest: A, at: minutesAgo(24) }),
        deployed({ name, environment: staging, workload: "worker", digest: B, at: minutesAgo(23) }),
        deployed({ name, environment: staging, workload: "web", tag: "1.0", at: minutesAgo(10) }),
      ]) {
        await accepted(await postEvents(pipeline, event));
      }
      await pipeline.dispose();
    });

    await test.step("artefact page: the signer links to the key's page", async () => {
      await page.goto(`/artifacts/${encodeURIComponent(A)}`);
      const row = page.getByTestId("signature-row").first();
      await expect(row).toContainText("verified");
      await row.getByRole("link", { name: keyName }).click();
      await page.waitForURL(`**/trust/keys/${keyId}`);
    });

    await test.step("key page: the entry, its blast radius per environment, what it signed", async () => {
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(keyName);
      await expect(page.getByTestId("fingerprint")).toContainText(/^sha256:[0-9a-f]{64}$/);
      await expect(page.getByRole("button", { name: `Revoke ${keyName}` })).toBeVisible();
      await expect(page.getByTestId("radius-artifacts")).toHaveText("2");
      await expect(page.getByTestId("radius-deployments")).toHaveText("3");
      await expect(page.getByTestId("radius-only-trust")).toHaveText("1");
      await expect(page.getByTestId("radius-exposed")).toHaveText("2");
      const envs = page.getByTestId("radius-environment");
      await expect(envs).toHaveCount(2);
      await expect(envs.filter({ hasText: prod })).toContainText("1 only trust");
      await expect(envs.filter({ hasText: staging })).toContainText("2");
      await expect(envs.filter({ hasText: staging })).toContainText("1 only trust");
      const arts = page.getByTestId("radius-artifact");
      await expect(arts).toHaveCount(2);
      // Only-trust artefacts come first: A, which runs in both environments and has nothing else.
      await expect(arts.first()).toContainText(short(A));
      await expect(arts.first()).toContainText("only trust");
      await expect(arts.first()).toContainText(prod);
      await expect(arts.nth(1)).toContainText(short(B));
      await expect(arts.nth(1)).not.toContainText("only trust");
      await expect(page.getByTestId("signed-row")).toHaveCount(2);
      await expect(page.getByTestId("signed-row").first()).toContainText("verified");
      await screenshots(page, "key");
    });

    await test.step("the blast radius downloads as CSV with a row per artefact and deployment", async () => {
      const link = page.getByTestId("radius-csv");
      await expect(link).toHaveAttribute("href", `/api/v1/blast-radius?key=${keyId}&format=csv`);
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toBe(`blast-radius-key-${keyId}.csv`);
      const lines = readFileSync(await download.path(), "utf8")
        .trimEnd()
        .split("\r\n");
      expect(lines[0]).toBe("digest,names,signed_at,other_trusted_signatures,only_trust,environment,cluster,namespace,workload,since");
      const rows = lines.slice(1).map((l) => l.split(","));
      expect(rows).toHaveLength(3);
      const cells = rows.map((r) => [r[0], r[3], r[4], r[5], r[8]]);
      expect(cells).toEqual(
        expect.arrayContaining([
          [A, "0", "true", prod, "api"],
          [A, "0", "true", staging, "api"],
          [B, "1", "false", staging, "worker"],
        ]),
      );
    });

    await test.step("the revoke button opens the Settings dialog (cancelled here)", async () => {
      await page.getByRole("button", { name: `Revoke ${keyName}` }).click();
      const dialog = page.getByRole("dialog", { name: `Revoke “${keyName}”?` });
      await expect(dialog).toBeVisible();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await expect(dialog).toBeHidden();
    });

    await test.step("commit page: the repository, the build that consumed it, what it produced and where that runs", async () => {
      await page.goto(`/artifacts/${encodeURIComponent(A)}`);
      await page
        .getByRole("link", { name: commit.slice(0, 12) })
        .first()
        .click();
      await page.waitForURL(`**/commits/${commit}`);
      await expect(page.getByTestId("commit-sha")).toContainText(commit);
      await expect(page.getByTestId("commit-source")).toContainText(`github.com/acme/${name}`);
      await expect(page.getByTestId("commit-build")).toHaveCount(1);
      await expect(page.getByTestId("commit-build")).toContainText(builder);
      const arts = page.getByTestId("commit-artifact");
      await expect(arts).toHaveCount(2);
      await expect(arts.filter({ hasText: short(A) })).toContainText("verified");
      await expect(arts.filter({ hasText: short(A) })).toContainText(prod);
      await expect(arts.filter({ hasText: short(B) })).toContainText("2 ×");
      // The provenance is a bare statement (never verified): nothing else vouches for either artefact.
      await expect(page.getByTestId("radius-artifacts")).toHaveText("2");
      await expect(page.getByTestId("radius-only-trust")).toHaveText("2");
      await expect(page.getByTestId("radius-csv")).toHaveAttribute("href", `/api/v1/blast-radius?commit=${commit}&format=csv`);
      await screenshots(page, "commit");
      // A prefix is sent on to the full commit.
      await page.goto(`/commits/${commit.slice(0, 10)}`);
      await page.waitForURL(`**/commits/${commit}`);
    });

    await test.step("build page: builder, invocation, sources, inputs, outputs, attestation, the builder's blast radius", async () => {
      await page.getByTestId("commit-build").getByRole("link", { name: builder }).click();
      await page.waitForURL(/\/builds\/[0-9a-f-]{36}$/);
      await expect(page.getByTestId("build-builder")).toHaveText(builder);
      await expect(page.getByText(invocation).first()).toBeVisible();
      await expect(page.getByTestId("build-source")).toContainText(repoUrl);
      await expect(page.getByTestId("build-source").getByRole("link")).toHaveAttribute("href", `/commits/${commit}`);
      await expect(page.getByTestId("build-output")).toHaveCount(2);
      await expect(page.getByTestId("build-input")).toHaveCount(1);
      await expect(page.getByTestId("build-input")).toContainText(short(base));
      await expect(page.getByTestId("build-attestation")).toHaveCount(1);
      await expect(page.getByTestId("build-attestation")).toContainText("https://slsa.dev/provenance/v1");
      await expect(page.getByTestId("build-attestation")).toContainText("this build's provenance");
      await expect(page.getByRole("heading", { name: "Everything this builder built" })).toBeVisible();
      await expect(page.getByTestId("radius-artifacts")).toHaveText("2");
      await expect(page.getByTestId("radius-csv")).toHaveAttribute(
        "href",
        `/api/v1/blast-radius?${new URLSearchParams({ builder, format: "csv" })}`,
      );
      await screenshots(page, "build");
    });

    await test.step("environment pages: what runs there now and what ran before, with policy results", async () => {
      await page.goto("/environments");
      await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Environments" })).toHaveAttribute(
        "aria-current",
        "page",
      );
      const card = page.getByTestId("environment-card").filter({ hasText: staging });
      await expect(card).toContainText("3");
      await expect(card).toContainText("by tag");
      await screenshots(page, "environments");

      await card.getByRole("link", { name: staging }).click();
      await page.waitForURL(`**/environments/${staging}`);
      await expect(page.getByTestId("env-running")).toHaveText("3");
      const running = page.getByTestId("env-running-row");
      await expect(running).toHaveCount(3);
      // The default policy wants digest pinning and a verified signature: the tag-named web fails, the pinned ones pass.
      await expect(async () => {
        await page.reload();
        await expect(page.getByTestId("env-running-row").filter({ hasText: "web" })).toContainText("fails", { timeout: 1000 });
        await expect(page.getByTestId("env-running-row").filter({ hasText: "worker" })).toContainText("passes", { timeout: 1000 });
      }).toPass({ timeout: 90_000 });
      await expect(running.filter({ hasText: "web" })).toContainText(`${repository}:1.0`);
      await expect(running.filter({ hasText: "web" })).toContainText(short(C));
      await screenshots(page, "environment");

      // A page link that was tampered with: the first page, and a note saying so.
      await page.goto(`/environments/${staging}?running=nonsense`);
      await expect(page.locator("main").getByRole("alert")).toContainText("not valid any more");
      await expect(page.getByTestId("env-running-row")).toHaveCount(3);

      await page.goto(`/environments/${prod}`);
      await expect(page.getByTestId("env-running-row")).toHaveCount(1);
      await expect(page.getByTestId("env-running-row")).toContainText(short(A));
      await expect(page.getByTestId("env-ended-row")).toHaveCount(1);
      await expect(page.getByTestId("env-ended-row")).toContainText(short(B));
      await expect(page.getByTestId("env-ended-row")).toContainText("replaced");
    });

    await test.step("tag page: the history as a timeline with the move called out, and who deployed by tag", async () => {
      await page.goto(`/environments/${staging}`);
      await page.getByRole("link", { name: `${repository}:1.0` }).click();
      await page.waitForURL(`**/tags/${repository}:1.0`);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${name}:1.0`);
      await expect(page.getByTestId("tag-current")).toContainText(C);
      await expect(page.getByTestId("tag-interval")).toHaveCount(2);
      const move = page.getByTestId("tag-move");
      await expect(move).toHaveCount(1);
      await expect(move).toContainText(`Moved from ${short(A)} to ${short(C)}`);
      await expect(page.getByTestId("tag-moved-banner")).toContainText("moved once");
      await expect(page.getByTestId("tag-deployment")).toHaveCount(1);
      await expect(page.getByTestId("tag-deployment")).toContainText(staging);
      await screenshots(page, "tag");
      // The lineage graph links a tag as one encoded segment: the same page.
      await page.goto(`/tags/${encodeURIComponent(`${repository}:1.0`)}`);
      await expect(page.getByTestId("tag-current")).toContainText(C);
    });

    expect(errors).toEqual([]);
  });
});

test.describe("bad addresses get a clear answer, never a 500", () => {
  test.use({ storageState: authFile("viewer") });

  test("unknown ids are 404 pages that say what is missing; malformed ones say what is wrong", async ({ page }) => {
    test.setTimeout(120_000);
    for (const [path, status, text] of [
      ["/trust/keys/00000000-0000-4000-8000-000000000000", 404, "No such trusted key"],
      ["/trust/identities/00000000-0000-4000-8000-000000000000", 404, "No such trusted identity"],
      ["/trust/keys/no-such-key-name", 404, "No such trusted key"],
      ["/trust/keys/%20not%20a%20name", 200, "Not a trusted key"],
      [`/commits/${"0".repeat(40)}`, 404, "No such commit"],
      ["/commits/XYZ", 200, "Not a commit"],
      ["/commits/ABCDEF1", 200, "lowercase"],
      ["/builds/00000000-0000-4000-8000-000000000000", 404, "No such build"],
      ["/builds/build-1", 200, "Not a build id"],
      ["/environments/no-such-environment-e2e", 404, "No such environment"],
      ["/tags/registry.example.test/no-such-repository:0", 404, "No such tag"],
      ["/tags/registry.example.test/no-tag-here", 200, "Not a tag"],
    ] as const) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(status);
      await expect(page.getByRole("heading", { level: 1 }), path).toHaveCount(1);
      await expect(page.locator("main"), path).toContainText(text);
    }
  });

  test("a viewer sees the key page without the revoke button", async ({ page }) => {
    const security = await sessionContext("security");
    const { publicKey } = generateKeyPairSync("ed25519");
    const created = await security.post("/api/v1/trust/keys", {
      data: { name: uniqueName("e2e-nouns-viewer"), publicKey: pem(publicKey) },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { id, name } = (await created.json()) as { id: string; name: string };
    await security.dispose();
    await page.goto(`/trust/keys/${id}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    await expect(page.getByTestId("radius-empty")).toBeVisible();
    await expect(page.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
    await expect(page.getByText("No submitted signature relies on it yet.")).toBeVisible();
  });
});

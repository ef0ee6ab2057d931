// Vitrine's own verdicts end to end (issue 4 "Done when"): a trusted key signs artefact A (cosign
// format), an unknown key signs B, C's signature is tampered; their pages show verified, untrusted
// and invalid. A and B run in two environments. Revoking the key in Settings > Trust flips A to
// revoked, and every deployment that relied on it fails its policy, without reloading anything
// by hand beyond the page itself (the job queue does the work within seconds).
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { authFile } from "./fixtures";
import { createToken, sessionContext, tokenContext } from "./support/api";
import { postEvents, randomHex64, uniqueName } from "./support/events";

const pem = (k: KeyObject) => k.export({ type: "spki", format: "pem" }).toString();

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

function deployed(options: { digest: string; name: string; environment: string; workload: string }) {
  const hex = options.digest.slice("sha256:".length);
  return {
    context: {
      specversion: "0.5.1",
      id: randomUUID(),
      source: "/e2e/argo",
      type: "dev.cdevents.service.deployed.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: {
      id: options.workload,
      content: {
        environment: { id: options.environment },
        artifactId: `pkg:oci/${options.name}@sha256%3A${hex}?repository_url=registry.e2e.test/${options.name}`,
      },
    },
  };
}

async function verdictOnPage(page: Page, digest: string) {
  await page.goto(`/artifacts/${encodeURIComponent(digest)}`);
  return page.getByTestId("signature-row").first();
}

test.describe("verification as the security lead sees it", () => {
  test.use({ storageState: authFile("security") });

  test("trusted, unknown and tampered signatures; revoking the key flips A and fails its deployments", async ({ page }) => {
    test.setTimeout(90_000);
    const trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyName = uniqueName("e2e-release");
    const name = uniqueName("e2e-verify");
    const repository = `registry.e2e.test/${name}`;
    const [A, B, C] = [randomHex64(), randomHex64(), randomHex64()].map((h) => `sha256:${h}`) as [string, string, string];
    const prod = uniqueName("e2e-prod");
    const staging = uniqueName("e2e-staging");

    await test.step("the security lead trusts the release key (API, as from git)", async () => {
      const security = await sessionContext("security");
      const res = await security.post("/api/v1/trust/keys", { data: { name: keyName, publicKey: pem(trusted.publicKey) } });
      expect(res.status(), await res.text()).toBe(201);
      await security.dispose();
    });

    const token = await createToken(["ingest"]);
    const pipeline = await tokenContext(token.secret);
    await test.step("the pipeline submits three signatures and two artefacts go to prod and staging", async () => {
      const tampered = cosign(C, repository, trusted.privateKey);
      const bytes = Buffer.from(tampered.signature, "base64");
      bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0x40;
      for (const body of [
        cosign(A, repository, trusted.privateKey),
        { ...cosign(B, repository, stranger.privateKey), publicKey: pem(stranger.publicKey) },
        { ...tampered, signature: bytes.toString("base64") },
      ]) {
        const res = await pipeline.post("/api/v1/signatures", { data: body });
        expect(res.status(), await res.text()).toBe(201);
      }
      for (const [digest, environment, workload] of [
        [A, prod, "api"],
        [A, staging, "api"],
        [B, staging, "worker"],
      ] as const) {
        const res = await postEvents(pipeline, deployed({ digest, name, environment, workload }));
        expect(res.status(), await res.text()).toBe(201);
      }
    });
    await pipeline.dispose();

    await test.step("A is verified, B untrusted, C invalid, each with its reason", async () => {
      const a = await verdictOnPage(page, A);
      await expect(a).toContainText("verified");
      await expect(a).toContainText(keyName);
      await expect(a).toContainText("sha256:");
      const b = await verdictOnPage(page, B);
      await expect(b).toContainText("untrusted");
      await expect(b).toContainText("not a trusted key");
      const c = await verdictOnPage(page, C);
      await expect(c).toContainText("invalid");
      await expect(c).toContainText("does not verify");
    });

    await test.step("A's deployments pass their policy; B's fails (no verified signature)", async () => {
      await page.goto(`/artifacts/${encodeURIComponent(A)}`);
      const rows = page.getByTestId("deployment-row");
      await expect(rows).toHaveCount(2);
      await expect(rows.filter({ hasText: prod })).toContainText("passes", { timeout: 10_000 });
      await expect(rows.filter({ hasText: staging })).toContainText("passes");
      await page.goto(`/artifacts/${encodeURIComponent(B)}`);
      await expect(page.getByTestId("deployment-row").first()).toContainText("fails", { timeout: 10_000 });
      await expect(page.getByTestId("deployment-row").first()).toContainText("needs 1 verified signature");
    });

    await test.step("revoking the key in Settings > Trust", async () => {
      await page.goto("/settings/trust");
      const row = page.getByTestId("trust-row").filter({ hasText: keyName });
      await row.getByRole("button", { name: `Revoke ${keyName}` }).click();
      const dialog = page.getByRole("dialog", { name: `Revoke “${keyName}”?` });
      await dialog.getByLabel("Reason").fill("release key leaked (e2e)");
      await dialog.getByRole("button", { name: "Revoke" }).click();
      await expect(dialog).toBeHidden();
      await expect(row).toContainText("revoked");
    });

    await test.step("within seconds A is revoked and both its deployments fail their policy", async () => {
      await expect(async () => {
        await page.goto(`/artifacts/${encodeURIComponent(A)}`);
        await expect(page.getByTestId("signature-row").first()).toContainText("revoked", { timeout: 1000 });
        const rows = page.getByTestId("deployment-row");
        await expect(rows.filter({ hasText: prod })).toContainText("fails", { timeout: 1000 });
        await expect(rows.filter({ hasText: staging })).toContainText("fails", { timeout: 1000 });
      }).toPass({ timeout: 20_000 });
      await expect(page.getByTestId("signature-row").first()).toContainText(`trusted key "${keyName}"`);
      await expect(page.getByTestId("signature-row").first()).toContainText("was revoked at");
      await expect(page.getByTestId("policy-result").filter({ hasText: prod })).toContainText("not allowed");
    });

    await test.step("the artefact API says the same", async () => {
      const security = await sessionContext("security");
      const res = await security.get(`/api/v1/artifacts/${A}`);
      expect(res.status()).toBe(200);
      const body = (await res.json()) as {
        signatures: Array<{ verdict: string; signer: { keyFingerprint?: string } }>;
        deployments: Array<{ environment: string; policy: { pass: boolean } | null }>;
      };
      expect(body.signatures[0]?.verdict).toBe("revoked");
      expect(body.signatures[0]?.signer.keyFingerprint).toMatch(/^sha256:/);
      expect(body.deployments.map((d) => d.policy?.pass)).toEqual([false, false]);
      const bad = await security.get("/api/v1/artifacts/sha256:NOTHEX");
      expect(bad.status()).toBe(422);
      expect(bad.headers()["content-type"]).toContain("application/problem+json");
      await security.dispose();
    });
  });
});

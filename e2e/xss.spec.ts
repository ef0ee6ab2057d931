// Stored XSS (issue 8 item 3): markup and javascript: URLs sent through every way in that ends up on a page (artefact
// names and repositories, tags, environments, workloads, builders and build ids, source repositories, verifier claims,
// trust owners, identity subjects and issuers, revocation reasons, admission workloads, alert comments, refused
// documents on the Ingestion page) render as inert text on every page that shows them: no dialog, no element or event
// handler of theirs in the DOM, no live javascript: link, no Content-Security-Policy violation, and the text visible
// as text. Names the server refuses outright (trust names, policy environments) are checked to be refused.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { type APIResponse, expect, type Page, test } from "@playwright/test";
import { authFile, BASE_URL } from "./fixtures";
import { createToken, sessionContext, tokenContext } from "./support/api";
import { postEvents, randomHex64, uniqueName } from "./support/events";

// Each run has its own marker: a payload that fires says which one did.
const MARK = uniqueName("xss").replace(/-/g, "");
const payload = {
  img: `<img src=x onerror="alert('${MARK}-img')">`,
  script: `<script>alert('${MARK}-script')</script>`,
  svg: `"><svg/onload=alert('${MARK}-svg')>`,
  js: `javascript:alert('${MARK}-js')`,
  iframe: `<iframe src="javascript:alert('${MARK}-iframe')"></iframe>`,
};
const ALL = Object.values(payload).join(" ");

type Seeded = {
  digest: string;
  environment: string;
  workload: string;
  tagPath: string | null;
  buildId: string | null;
  commit: string;
  keyId: string;
  identityId: string;
  alertId: string | null;
  refused: string[];
};

let seeded: Seeded;

async function json<T>(res: APIResponse, status: number[] = [200, 201]): Promise<T> {
  const text = await res.text();
  expect(status, `${res.url()} answered ${res.status()}: ${text.slice(0, 500)}`).toContain(res.status());
  return JSON.parse(text) as T;
}

function deployment(options: { environment: string; workload: string; artifactId: string }) {
  return {
    context: {
      specversion: "0.5.1",
      id: randomUUID(),
      source: "/e2e/xss",
      type: "dev.cdevents.service.deployed.0.3.0",
      timestamp: new Date().toISOString(),
    },
    subject: { id: options.workload, content: { environment: { id: options.environment }, artifactId: options.artifactId } },
  };
}

async function seed(): Promise<Seeded> {
  const ingest = await tokenContext((await createToken(["ingest"], `xss ingest ${MARK}`)).secret);
  const admission = await tokenContext((await createToken(["admission"], `xss admission ${MARK}`)).secret);
  const admin = await tokenContext((await createToken(["admin"], `xss admin ${MARK}`)).secret);
  const reader = await tokenContext((await createToken(["read"], `xss read ${MARK}`)).secret);
  const oncall = await sessionContext("oncall");
  const refused: string[] = [];
  try {
    // An artefact whose name, repository and tag carry markup (the purl's parts are percent-encoded, as purls are).
    const hex = randomHex64();
    const digest = `sha256:${hex}`;
    const repository = `registry.xss.test/${MARK}${payload.img}`;
    const purl = (tag: string | null) =>
      `pkg:oci/${encodeURIComponent(`${MARK}${payload.svg}`)}@sha256%3A${hex}?repository_url=${encodeURIComponent(repository)}${tag ? `&tag=${encodeURIComponent(tag)}` : ""}`;
    const published = {
      context: {
        specversion: "0.5.1",
        id: randomUUID(),
        source: "/e2e/xss",
        type: "dev.cdevents.artifact.published.0.3.0",
        timestamp: new Date().toISOString(),
      },
      subject: { id: purl(null), content: {} },
    };
    await json(await postEvents(ingest, published), [201]);
    // A tag with markup: the tag grammar may refuse it (then nothing is stored); a valid tag on the markup repository is kept.
    const markupTag = {
      ...published,
      context: { ...published.context, id: randomUUID() },
      subject: { id: purl(`v1${payload.script}`), content: {} },
    };
    const tagged = await postEvents(ingest, markupTag);
    if (tagged.status() !== 201) refused.push(`tag with markup: ${tagged.status()}`);
    const plainTag = { ...published, context: { ...published.context, id: randomUUID() }, subject: { id: purl("v1"), content: {} } };
    await json(await postEvents(ingest, plainTag), [201]);

    // It runs in an environment and a workload named with markup.
    const environment = `xss-${MARK}${payload.img}`;
    const workload = `${MARK}${payload.script}`;
    await json(await postEvents(ingest, deployment({ environment, workload, artifactId: purl(null) })), [201]);

    // A build by a javascript: builder, its invocation id markup; and SLSA provenance from a javascript: source repository.
    const build = {
      context: {
        specversion: "0.5.1",
        id: randomUUID(),
        source: "/e2e/xss",
        type: "dev.cdevents.build.finished.0.3.0",
        timestamp: new Date().toISOString(),
      },
      subject: { id: `${MARK}${payload.svg}`, source: payload.js, content: { artifactId: purl(null) } },
    };
    await json(await postEvents(ingest, build), [201]);
    const commit = randomHex64().slice(0, 40);
    const statement = {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: `${MARK}${payload.img}`, digest: { sha256: hex } }],
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: {
          buildType: payload.js,
          resolvedDependencies: [{ uri: `git+${payload.js}`, digest: { gitCommit: commit } }],
        },
        runDetails: { builder: { id: payload.js }, metadata: { invocationId: `${MARK}${payload.iframe}` } },
      },
    };
    await json(await ingest.post("/api/v1/attestations", { data: { statement } }), [201]);

    // What external verifiers said, in their own words.
    const decision = {
      apiVersion: "vitrine.dev/v1",
      kind: "AdmissionDecision",
      verifier: `${MARK}${payload.script}`,
      allowed: false,
      image: `registry.xss.test/app@${digest}`,
      policy: `${MARK}${payload.svg}`,
      message: `${MARK} ${ALL}`,
      namespace: "xss",
    };
    await json(await ingest.post("/api/v1/verifications", { data: decision }), [201]);

    // Vitrine's own gate, for a workload named with markup.
    const review = {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: randomUUID(),
        kind: { group: "", version: "v1", kind: "Pod" },
        operation: "CREATE",
        namespace: `xss-${MARK.slice(-20).toLowerCase()}`,
        name: `${MARK}${payload.img}`,
        userInfo: { username: `${MARK}${payload.svg}` },
        object: {
          metadata: { name: `${MARK}${payload.img}` },
          spec: { containers: [{ name: "app", image: `registry.xss.test/app@${digest}` }] },
        },
      },
    };
    await json(await admission.post("/api/v1/admission/review", { data: review }), [200]);

    // Trust entries: names are a strict grammar (markup refused); owners, subjects, issuers and reasons are free text.
    for (const name of [`${MARK}${payload.img}`, payload.js]) {
      const res = await admin.post("/api/v1/trust/keys", { data: { name, publicKey: "x" } });
      expect(res.status(), await res.text()).toBe(422);
    }
    const { publicKey } = generateKeyPairSync("ed25519");
    const key = await json<{ id: string }>(
      await admin.post("/api/v1/trust/keys", {
        data: {
          name: `xss-key-${MARK}`,
          owner: `${MARK}${payload.img}`,
          publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
        },
      }),
      [201],
    );
    await json(await admin.post(`/api/v1/trust/keys/${key.id}/revoke`, { data: { reason: `${MARK} ${ALL}` } }));
    const identity = await json<{ id: string }>(
      await admin.post("/api/v1/trust/identities", {
        data: {
          name: `xss-identity-${MARK}`,
          owner: `${MARK}${payload.script}`,
          subject: payload.js,
          issuer: `https://issuer.xss.test/${payload.svg}`,
        },
      }),
      [201],
    );

    // A policy for an environment named with markup is refused (environment names are a strict grammar).
    const policy = await admin.put(`/api/v1/policies/${encodeURIComponent(environment)}`, { data: { environment } });
    expect(policy.status(), await policy.text()).toBeGreaterThanOrEqual(400);
    expect(policy.status()).toBeLessThan(500);

    // A refused document whose problem quotes the markup (the Ingestion page lists refused documents).
    const refusedDoc = { ...published, context: { ...published.context, id: randomUUID(), type: `${MARK}${payload.img}` } };
    expect((await postEvents(ingest, refusedDoc)).status()).toBe(422);

    // The unsigned deployment raises an alert (evaluated by the job queue); on-call comments on it with markup.
    let alertId: string | null = null;
    for (let i = 0; i < 90 && !alertId; i++) {
      const page = await json<{ items: Array<{ id: string }> }>(
        await reader.get("/api/v1/alerts", { params: { environment, status: "open" } }),
      );
      alertId = page.items[0]?.id ?? null;
      if (!alertId) await new Promise((r) => setTimeout(r, 1000));
    }
    if (alertId) await json(await oncall.post(`/api/v1/alerts/${alertId}/comment`, { data: { note: `${MARK} ${ALL}` } }));

    const artifact = await json<{ builds?: Array<{ id: string }>; tags?: Array<{ reference?: string }> }>(
      await reader.get(`/api/v1/artifacts/${encodeURIComponent(digest)}`),
    );
    const tagReference = artifact.tags?.find((t) => t.reference)?.reference ?? null;
    return {
      digest,
      environment,
      workload,
      tagPath: tagReference ? `/tags/${encodeURI(tagReference)}` : null,
      buildId: artifact.builds?.[0]?.id ?? null,
      commit,
      keyId: key.id,
      identityId: identity.id,
      alertId,
      refused,
    };
  } finally {
    for (const ctx of [ingest, admission, admin, reader, oncall]) await ctx.dispose();
  }
}

/** What a page did with the payloads: everything here must be empty. */
async function inspect(page: Page): Promise<string[]> {
  return page.evaluate((mark) => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll("*"))) {
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name.toLowerCase();
        const value = attr.value;
        if (name.startsWith("on") && (value.includes(mark) || /alert\(/.test(value)))
          found.push(`<${el.tagName.toLowerCase()} ${name}="${value}">`);
        if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(name) && /^\s*javascript:/i.test(value)) {
          found.push(`<${el.tagName.toLowerCase()} ${name}="${value.slice(0, 120)}"> (a live javascript: URL)`);
        }
      }
      const tag = el.tagName.toLowerCase();
      // Next's own inline scripts carry the page's data, payloads included, as escaped JSON strings: harmless. A script
      // of the payload is one whose code is the payload.
      if (tag === "script" && /^\s*alert\(/.test(el.textContent ?? "")) found.push("a <script> of the payload");
      if (tag === "img" && el.getAttribute("src") === "x") found.push("an <img src=x> of the payload");
      // The app renders no frames; its own SVG (icons, graph edges) may title itself with a name, as escaped text.
      if (tag === "iframe") found.push(`an <iframe src="${el.getAttribute("src") ?? ""}">`);
    }
    return found;
  }, MARK);
}

test.describe("stored XSS renders inert", () => {
  test.use({ storageState: authFile("admin") });
  // One seeding for both tests: they run in order, in one worker.
  test.describe.configure({ mode: "serial", timeout: 240_000 });

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    seeded = await seed();
  });

  test("every page that shows the hostile names, as admin", async ({ page }) => {
    const s = seeded;
    const dialogs: string[] = [];
    const violations: string[] = [];
    page.on("dialog", async (d) => {
      dialogs.push(`${page.url()}: ${d.type()} "${d.message()}"`);
      await d.dismiss();
    });
    page.on("console", (m) => {
      if (/Content[- ]Security[- ]Policy|Refused to (execute|load|apply|frame)/i.test(m.text()))
        violations.push(`${page.url()}: ${m.text().slice(0, 300)}`);
    });
    page.on("pageerror", (e) => {
      if (e.message.includes(MARK)) violations.push(`${page.url()}: a page error naming the payload: ${e.message.slice(0, 300)}`);
    });

    // [path, does the page show a payload as text]
    const pages: Array<[string, boolean]> = [
      ["/", false],
      [`/artifacts?q=${encodeURIComponent(MARK)}`, true],
      ["/artifacts", false],
      [`/artifacts/${encodeURIComponent(s.digest)}`, true],
      [`/lineage?digest=${encodeURIComponent(s.digest)}`, true],
      ["/environments", true],
      [`/environments/${encodeURIComponent(s.environment)}`, true],
      ...(s.tagPath ? ([[s.tagPath, true]] as Array<[string, boolean]>) : []),
      [`/alerts?environment=${encodeURIComponent(s.environment)}`, s.alertId !== null],
      ...(s.alertId ? ([[`/alerts/${s.alertId}`, true]] as Array<[string, boolean]>) : []),
      ...(s.buildId ? ([[`/builds/${encodeURIComponent(s.buildId)}`, true]] as Array<[string, boolean]>) : []),
      [`/commits/${s.commit}`, true],
      ["/settings/trust", true],
      [`/trust/keys/${s.keyId}`, true],
      [`/trust/identities/${s.identityId}`, true],
      ["/ledger", false],
      ["/settings/ingestion", true],
      ["/settings/admission", false],
      ["/settings/policies", false],
      ["/compliance", false],
    ];
    const problems: string[] = [];
    for (const [path, shows] of pages) {
      await test.step(path, async () => {
        const res = await page.goto(path, { waitUntil: "load" });
        const status = res?.status() ?? 0;
        if (status >= 400) problems.push(`${path}: answered ${status}`);
        // Client components render after hydration; give them a moment, as a person would (the lineage graph lays out first).
        await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => undefined);
        if (path.startsWith("/lineage")) await page.locator(".react-flow__node").first().waitFor({ timeout: 30_000 });
        for (const f of await inspect(page)) problems.push(`${path}: ${f}`);
        if (shows) {
          // What is shown (and named: a graph node's full label is its accessible name), not Next's inline data scripts.
          // biome-ignore lint/performance/useDomNodeTextContent: rendered text is the point
          const shown = await page.locator("body").innerText();
          const named = await page.evaluate(() =>
            Array.from(
              document.querySelectorAll("[aria-label],[title]"),
              (e) => `${e.getAttribute("aria-label") ?? ""} ${e.getAttribute("title") ?? ""}`,
            ).join(" "),
          );
          const text = `${shown} ${named}`;
          if (!text.includes(MARK)) problems.push(`${path}: shows none of the hostile text (the page did not render what was seeded)`);
          else if (!/<(img|script|svg|iframe)|javascript:/.test(text)) problems.push(`${path}: the hostile text is not shown as text`);
        }
      });
    }
    expect(dialogs, "dialogs opened by payloads").toEqual([]);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
    expect(problems).toEqual([]);
    expect(s.alertId, "the unsigned deployment raised an alert to comment on").not.toBeNull();
    test.info().annotations.push({ type: "refused by the server", description: s.refused.join("; ") || "none" });
  });

  test("the on-call view of the alert and its comment", async ({ browser }) => {
    expect(seeded.alertId, "the unsigned deployment raised an alert to comment on").not.toBeNull();
    const context = await browser.newContext({ baseURL: BASE_URL, storageState: authFile("oncall") });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    try {
      await page.goto(`/alerts/${seeded.alertId}`);
      await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => undefined);
      await expect(page.getByText(payload.img, { exact: false }).first()).toBeVisible();
      expect(await inspect(page)).toEqual([]);
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

// Control: the same checks on a page that does inject the payloads find them (so the tests above can fail).
test("the checks find payloads that were injected", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.setContent(`<div>${payload.img}</div><a href="${payload.js}">x</a><script>alert('${MARK}-script')</script>${payload.iframe}`);
  await expect.poll(() => dialogs.length).toBeGreaterThan(0);
  const found = await inspect(page);
  expect(found.some((f) => f.includes("onerror"))).toBe(true);
  expect(found.some((f) => f.includes("a live javascript: URL"))).toBe(true);
  expect(found).toContain("a <script> of the payload");
  expect(found.some((f) => f.startsWith("<iframe") || f.startsWith("an <iframe"))).toBe(true);
});

// A problem answer is never HTML that a browser would render.
test("a refused document's problem is JSON, not markup a browser would render", async () => {
  const ingest = await tokenContext((await createToken(["ingest"], `xss problem ${MARK}`)).secret);
  try {
    const res = await postEvents(ingest, { context: { specversion: "0.5.1", type: payload.script } });
    expect(res.status()).toBe(422);
    expect(res.headers()["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
  } finally {
    await ingest.dispose();
  }
});

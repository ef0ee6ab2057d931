// Security headers on pages and API answers, request ids, and the CSRF guard on cookie-session writes.
import { type APIResponse, expect, test } from "@playwright/test";
import { authFile, BASE_URL } from "./fixtures";
import { anonymousContext, expectProblem, sessionContext } from "./support/api";

function cspDirectives(res: APIResponse): Map<string, string[]> {
  const csp = res.headers()["content-security-policy"] ?? "";
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0] ?? "", d.slice(1)] as const),
  );
}

/** What every answer carries, page or API. */
function expectSecurityHeaders(res: APIResponse): void {
  const h = res.headers();
  expect(cspDirectives(res).get("frame-ancestors"), `CSP of ${res.url()}: ${h["content-security-policy"]}`).toEqual(["'none'"]);
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-request-id"]).toMatch(/^[\w-]{8,100}$/);
  expect(h["x-powered-by"]).toBeUndefined();
}

/** A page's CSP: scripts only by a per-response nonce (no inline scripts, no eval in production), no plugins. */
function expectPageCsp(res: APIResponse): void {
  const csp = cspDirectives(res);
  expect(csp.get("default-src")).toEqual(["'self'"]);
  expect(csp.get("object-src")).toEqual(["'none'"]);
  const scripts = csp.get("script-src") ?? [];
  expect(
    scripts.some((s) => /^'nonce-[A-Za-z0-9+/=]+'$/.test(s)),
    `script-src ${scripts.join(" ")}`,
  ).toBe(true);
  expect(scripts).not.toContain("'unsafe-inline'");
  expect(scripts).not.toContain("'unsafe-eval'");
}

/** An API answer is data: its CSP allows nothing at all. */
function expectApiCsp(res: APIResponse): void {
  expect(cspDirectives(res).get("default-src"), res.headers()["content-security-policy"]).toEqual(["'none'"]);
}

test("a page carries the security headers", async () => {
  const ctx = await anonymousContext();
  try {
    const res = await ctx.get("/signin");
    expect(res.status()).toBe(200);
    expectSecurityHeaders(res);
    expectPageCsp(res);
    // A fresh nonce per response.
    const again = await ctx.get("/signin");
    expect(again.headers()["content-security-policy"]).not.toBe(res.headers()["content-security-policy"]);
    expect(again.headers()["x-request-id"]).not.toBe(res.headers()["x-request-id"]);
  } finally {
    await ctx.dispose();
  }
});

test("a signed-in page carries them too, and is not cached", async () => {
  const ctx = await sessionContext("admin");
  try {
    const res = await ctx.get("/ledger");
    expect(res.status()).toBe(200);
    expectSecurityHeaders(res);
    expectPageCsp(res);
    expect(res.headers()["cache-control"] ?? "").toMatch(/no-store|private|no-cache/);
  } finally {
    await ctx.dispose();
  }
});

test("API answers carry them, success or problem", async () => {
  const ctx = await anonymousContext();
  try {
    const health = await ctx.get("/api/health");
    expect(health.status()).toBe(200);
    expectSecurityHeaders(health);
    expectApiCsp(health);
    expect(health.headers()["content-type"]).toMatch(/^application\/json/);
    const denied = await ctx.get("/api/v1/artifacts");
    await expectProblem(denied, 401);
    expectSecurityHeaders(denied);
    expectApiCsp(denied);
    expect(denied.headers()["cache-control"]).toBe("no-store");
  } finally {
    await ctx.dispose();
  }
});

test("a caller's X-Request-Id is carried through to the answer and the problem", async () => {
  const ctx = await anonymousContext({ "x-request-id": "e2e-trace-0123456789" });
  try {
    const res = await ctx.get("/api/v1/artifacts");
    const problem = await expectProblem(res, 401);
    expect(problem.requestId).toBe("e2e-trace-0123456789");
  } finally {
    await ctx.dispose();
  }
});

test.describe("CSRF: cookie-session writes must come from our own origin", () => {
  const invalidBody = { name: "", scopes: [] };

  test("a foreign Origin is refused 403 before anything is done", async () => {
    const name = `csrf-evil-${Date.now()}`;
    const ctx = await sessionContext("admin", { origin: "https://evil.example" });
    try {
      const res = await ctx.post("/api/v1/tokens", { data: { name, scopes: ["admin"] } });
      const problem = await expectProblem(res, 403);
      expect(problem.detail).toMatch(/origin/i);
      await expectProblem(await ctx.post("/api/v1/tokens/00000000-0000-4000-8000-000000000000/revoke"), 403);
      // The same cookie reads fine (safe method), and shows no token was made.
      const list = await ctx.get("/api/v1/tokens");
      expect(list.status()).toBe(200);
      const names = ((await list.json()) as { items: Array<{ name: string }> }).items.map((t) => t.name);
      expect(names).not.toContain(name);
    } finally {
      await ctx.dispose();
    }
  });

  test("an origin that only shares a prefix, or another port, is foreign too", async () => {
    for (const origin of [`${BASE_URL}.evil.example`, BASE_URL.replace(/:\d+$/, ":1"), "null"]) {
      const ctx = await sessionContext("admin", { origin });
      try {
        await expectProblem(await ctx.post("/api/v1/tokens", { data: invalidBody }), 403);
      } finally {
        await ctx.dispose();
      }
    }
  });

  test("no Origin and no Sec-Fetch-Site is refused 403", async ({ playwright }) => {
    const ctx = await playwright.request.newContext({ baseURL: BASE_URL, storageState: authFile("admin") });
    try {
      await expectProblem(await ctx.post("/api/v1/tokens", { data: invalidBody }), 403);
    } finally {
      await ctx.dispose();
    }
  });

  test("Sec-Fetch-Site: cross-site is refused 403 even with our Origin", async () => {
    const ctx = await sessionContext("admin", { "sec-fetch-site": "cross-site" });
    try {
      await expectProblem(await ctx.post("/api/v1/tokens", { data: invalidBody }), 403);
    } finally {
      await ctx.dispose();
    }
  });

  test("control: our own Origin passes the guard (and the invalid body gets 422)", async () => {
    const ctx = await sessionContext("admin");
    try {
      const problem = await expectProblem(await ctx.post("/api/v1/tokens", { data: invalidBody }), 422);
      expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["$.name", "$.scopes"]));
    } finally {
      await ctx.dispose();
    }
  });
});

// THE authorization matrix: every route and page found in app/ against every principal
// (anonymous, each role's session, each token scope), checked over HTTP against the table in
// e2e/support/access.ts. Plus the edges: revoked tokens, forged, expired and orphaned session
// cookies, tokens on session-only routes, and a token that tries to ride on a session.

import { type APIRequestContext, type APIResponse, expect, request, test } from "@playwright/test";
import { encode } from "next-auth/jwt";
import { ROLES, TOKEN_SCOPES } from "../lib/auth/permissions";
import { BASE_URL, E2E_NEXTAUTH_SECRET, E2E_ROLES, E2E_SCOPES, SESSION_COOKIE } from "./fixtures";
import { ACCESS, type Cell, type Entry, PRINCIPALS, type Principal } from "./support/access";
import { anonymousContext, createToken, expectProblem, revokeToken, sessionContext, tokenContext } from "./support/api";
import { type ApiRoute, discoverRoutes, type PageRoute, routeKey, samplePath } from "./support/routes";

const discovered = discoverRoutes();
const routes: Array<ApiRoute | PageRoute> = [...discovered.api, ...discovered.pages];

const contexts = new Map<Principal, APIRequestContext>();

test.beforeAll(async () => {
  contexts.set("anonymous", await anonymousContext());
  for (const role of E2E_ROLES) contexts.set(role, await sessionContext(role));
  for (const scope of E2E_SCOPES) {
    const token = await createToken([scope], `e2e matrix ${scope}`);
    contexts.set(`token:${scope}`, await tokenContext(token.secret));
  }
});

test.afterAll(async () => {
  for (const ctx of contexts.values()) await ctx.dispose();
  contexts.clear();
});

function ctxFor(p: Principal): APIRequestContext {
  const ctx = contexts.get(p);
  if (!ctx) throw new Error(`no request context for ${p}`);
  return ctx;
}

async function call(ctx: APIRequestContext, method: string, path: string, body?: unknown): Promise<APIResponse> {
  return ctx.fetch(path, {
    method,
    maxRedirects: 0,
    ...(body !== undefined ? { data: Buffer.from(JSON.stringify(body)), headers: { "content-type": "application/json" } } : {}),
  });
}

/** Asserts one API cell; returns a description of the failure instead of throwing, so a test reports every bad cell. */
async function checkApiCell(res: APIResponse, cell: Cell, allowed: number): Promise<string | null> {
  const status = res.status();
  const type = res.headers()["content-type"] ?? "";
  if (status >= 500) return `answered ${status}`;
  if (cell === "allow") return status === allowed ? null : `answered ${status}, expected access (${allowed})`;
  const want = cell === "anon" ? 401 : 403;
  if (status !== want) return `answered ${status}, expected ${want}`;
  if (!/^application\/problem\+json\b/.test(type))
    return `answered ${status} with content-type "${type}", expected application/problem+json`;
  const problem = (await res.json()) as { status?: number; requestId?: string };
  if (problem.status !== want || !problem.requestId) return `answered a problem without status ${want} or requestId`;
  return null;
}

async function checkPageCell(res: APIResponse, cell: Cell, path: string, allowed: number): Promise<string | null> {
  const status = res.status();
  const location = res.headers().location ?? "";
  const toSignin = status >= 300 && status < 400 && new URL(location, BASE_URL).pathname === "/signin";
  if (status >= 500) return `answered ${status}`;
  if (cell === "anon") {
    if (!toSignin) return `answered ${status} ${location}, expected a redirect to /signin`;
    const back = new URL(location, BASE_URL).searchParams.get("callbackUrl");
    return back === path ? null : `redirected to /signin with callbackUrl=${back}, expected ${path}`;
  }
  if (cell === "deny") {
    if (status !== 403) return `answered ${status} ${location}, expected 403`;
    return (await res.text()).includes("403") ? null : "a 403 whose page does not say 403";
  }
  if (status !== allowed || toSignin) return `answered ${status} ${location}, expected access (${allowed})`;
  return null;
}

test("every route and page in app/ has an entry in the access table, and every entry exists", () => {
  const keys = routes.map(routeKey);
  const missing = keys.filter((k) => !(k in ACCESS));
  const stale = Object.keys(ACCESS).filter((k) => !keys.includes(k));
  expect(missing, "routes/pages in app/ with no entry in e2e/support/access.ts: add one").toEqual([]);
  expect(stale, "entries in e2e/support/access.ts for routes/pages that no longer exist: remove them").toEqual([]);
});

test("the table covers every role and token scope the app defines", () => {
  expect([...E2E_ROLES].sort()).toEqual([...ROLES].sort());
  expect([...E2E_SCOPES].sort()).toEqual([...TOKEN_SCOPES].sort());
  for (const [key, entry] of Object.entries(ACCESS)) expect(Object.keys(entry.cells).sort(), key).toEqual([...PRINCIPALS].sort());
});

for (const route of routes) {
  const key = routeKey(route);
  test(`matrix: ${key}`, async () => {
    const entry: Entry | undefined = ACCESS[key];
    expect(entry, `${key} (${route.file}) has no entry in e2e/support/access.ts`).toBeDefined();
    if (!entry) return;
    const path = entry.path ?? samplePath(route.path);
    const failures: string[] = [];
    for (const principal of PRINCIPALS) {
      const cell = entry.cells[principal];
      const res =
        route.kind === "api"
          ? await call(ctxFor(principal), route.method, path, route.method === "GET" ? undefined : (entry.body ?? {}))
          : await call(ctxFor(principal), "GET", path);
      const allowed = typeof entry.allowed === "number" ? entry.allowed : entry.allowed(principal);
      const problem = route.kind === "api" ? await checkApiCell(res, cell, allowed) : await checkPageCell(res, cell, path, allowed);
      if (problem) failures.push(`${principal.padEnd(16)} ${cell.padEnd(5)} -> ${problem}`);
    }
    expect(failures, `${route.kind === "api" ? "" : "GET "}${path}`).toEqual([]);
  });
}

test.describe("edges", () => {
  test("a revoked token is refused with 401 everywhere", async () => {
    const token = await createToken(["ingest", "read"], "e2e matrix revoked");
    const ctx = await tokenContext(token.secret);
    try {
      expect((await ctx.get("/api/v1/artifacts")).status()).toBe(200);
      await revokeToken(token.id);
      await expectProblem(await ctx.get("/api/v1/artifacts"), 401);
      await expectProblem(await ctx.get("/api/v1/ledger/entries"), 401);
      await expectProblem(await call(ctx, "POST", "/api/v1/events", {}), 401);
    } finally {
      await ctx.dispose();
    }
  });

  test("a token sent to a session-only route is 403, whatever its scopes", async () => {
    const token = await createToken(["ingest", "read", "admin", "admission"], "e2e matrix all scopes");
    const ctx = await tokenContext(token.secret);
    try {
      await expectProblem(await ctx.get("/api/v1/tokens"), 403);
      await expectProblem(await call(ctx, "POST", "/api/v1/tokens", { name: "minted by a token", scopes: ["admin"] }), 403);
      await expectProblem(await call(ctx, "POST", `/api/v1/tokens/${token.id}/revoke`), 403);
    } finally {
      await ctx.dispose();
    }
  });

  test("a token does not ride on a session: the Authorization header decides", async () => {
    const token = await createToken(["read"], "e2e matrix with cookie");
    const ctx = await sessionContext("admin", { authorization: `Bearer ${token.secret}` });
    const bad = await sessionContext("admin", { authorization: "Bearer vtr_garbage" });
    try {
      expect((await ctx.get("/api/v1/artifacts")).status()).toBe(200);
      await expectProblem(await ctx.get("/api/v1/tokens"), 403);
      await expectProblem(await bad.get("/api/v1/tokens"), 401);
    } finally {
      await ctx.dispose();
      await bad.dispose();
    }
  });

  async function withSessionCookie(value: string, fn: (ctx: APIRequestContext) => Promise<void>): Promise<void> {
    const url = new URL(BASE_URL);
    const ctx = await request.newContext({
      baseURL: BASE_URL,
      storageState: {
        cookies: [
          { name: SESSION_COOKIE, value, domain: url.hostname, path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" },
        ],
        origins: [],
      },
    });
    try {
      await fn(ctx);
    } finally {
      await ctx.dispose();
    }
  }

  async function expectAnonymous(ctx: APIRequestContext): Promise<void> {
    await expectProblem(await ctx.get("/api/v1/artifacts"), 401);
    const page = await ctx.get("/ledger", { maxRedirects: 0 });
    expect(page.status()).toBe(307);
    expect(page.headers().location).toMatch(/^\/signin\?callbackUrl=%2Fledger$/);
  }

  async function expectNoSession(ctx: APIRequestContext): Promise<void> {
    await expectAnonymous(ctx);
    expect(await (await ctx.get("/api/auth/session")).json()).toEqual({});
  }

  async function adminUserId(): Promise<string> {
    const ctx = await sessionContext("admin");
    try {
      const session = (await (await ctx.get("/api/auth/session")).json()) as { userId?: string };
      expect(session.userId).toMatch(/^[0-9a-f-]{36}$/);
      return session.userId as string;
    } finally {
      await ctx.dispose();
    }
  }

  test("a garbage session cookie is treated as anonymous", async () => {
    await withSessionCookie("garbage", expectNoSession);
    await withSessionCookie(`${"eyJ".padEnd(200, "A")}.x.y.z.w`, expectNoSession);
  });

  test("a session cookie minted with our secret works (control), expired or forged it is anonymous", async () => {
    const sub = await adminUserId();
    const valid = await encode({ token: { sub, email: "admin@e2e.test" }, secret: E2E_NEXTAUTH_SECRET, maxAge: 600 });
    await withSessionCookie(valid, async (ctx) => {
      expect((await ctx.get("/api/v1/tokens")).status()).toBe(200);
    });
    const expired = await encode({ token: { sub }, secret: E2E_NEXTAUTH_SECRET, maxAge: -3600 });
    await withSessionCookie(expired, expectNoSession);
    const forged = await encode({ token: { sub }, secret: "some-other-secret-that-is-long-enough-0123456789", maxAge: 600 });
    await withSessionCookie(forged, expectNoSession);
  });

  test("a valid session cookie for a user that does not exist is anonymous", async () => {
    const orphan = await encode({ token: { sub: "00000000-0000-4000-8000-00000000beef" }, secret: E2E_NEXTAUTH_SECRET, maxAge: 600 });
    // next-auth's own /api/auth/session still echoes the cookie; Vitrine's guards look the user up and find nobody.
    await withSessionCookie(orphan, expectAnonymous);
  });
});

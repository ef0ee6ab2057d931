// HTTP helpers shared by the specs: sign-in over next-auth's credentials endpoint, request contexts
// per principal, API tokens created through the app's own API, and problem+json assertions.
import { type APIRequestContext, type APIResponse, expect, request } from "@playwright/test";
import { authFile, BASE_URL, type E2eRole, type E2eScope } from "../fixtures";

/** A role signed in with a session cookie, an API token with one scope, or nobody. */
export type Principal = "anonymous" | E2eRole | `token:${E2eScope}`;

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: Array<{ path: string; message: string }>;
};

/**
 * Signs in through next-auth's credentials callback, as the sign-in form does (CSRF token from
 * /api/auth/csrf, then the form POST). The session cookie lands in `ctx`'s cookie jar.
 */
export async function signInOverHttp(
  ctx: APIRequestContext,
  email: string,
  password: string,
): Promise<{ ok: boolean; error: string | null; url: string }> {
  const csrf = await ctx.get("/api/auth/csrf");
  expect(csrf.status()).toBe(200);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await ctx.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, callbackUrl: `${BASE_URL}/`, json: "true" },
    maxRedirects: 0,
  });
  // next-auth answers 200 with the URL to go to, or 401 with its error page's URL (?error=...).
  expect([200, 401], await res.text()).toContain(res.status());
  const { url } = (await res.json()) as { url: string };
  const error = new URL(url, BASE_URL).searchParams.get("error");
  return { ok: error === null, error, url };
}

/** A request context with a role's saved session; writes carry our Origin, as a browser's do. */
export function sessionContext(role: E2eRole, extraHeaders: Record<string, string> = {}): Promise<APIRequestContext> {
  return request.newContext({ baseURL: BASE_URL, storageState: authFile(role), extraHTTPHeaders: { origin: BASE_URL, ...extraHeaders } });
}

export function tokenContext(secret: string): Promise<APIRequestContext> {
  return request.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
}

export function anonymousContext(extraHeaders: Record<string, string> = {}): Promise<APIRequestContext> {
  return request.newContext({ baseURL: BASE_URL, extraHTTPHeaders: extraHeaders });
}

export type CreatedToken = { id: string; name: string; scopes: string[]; prefix: string; secret: string };

/** Creates an API token through POST /api/v1/tokens as the admin (session + same-origin Origin). */
export async function createToken(scopes: E2eScope[], name = `e2e ${scopes.join("+")} ${Date.now()}`): Promise<CreatedToken> {
  const admin = await sessionContext("admin");
  try {
    const res = await admin.post("/api/v1/tokens", { data: { name, scopes } });
    expect(res.status(), await res.text()).toBe(201);
    const token = (await res.json()) as CreatedToken;
    expect(token.secret).toMatch(/^vtr_[A-Za-z0-9_-]{43}$/);
    return token;
  } finally {
    await admin.dispose();
  }
}

export async function revokeToken(id: string): Promise<void> {
  const admin = await sessionContext("admin");
  try {
    const res = await admin.post(`/api/v1/tokens/${id}/revoke`);
    expect(res.status(), await res.text()).toBe(200);
  } finally {
    await admin.dispose();
  }
}

/**
 * Asserts an error answer: the status, Content-Type application/problem+json, a body whose status
 * matches, and a requestId equal to the X-Request-Id header. Returns the problem.
 */
export async function expectProblem(res: APIResponse, status: number): Promise<Problem> {
  const text = await res.text();
  expect(res.status(), `${res.url()} answered ${res.status()}: ${text.slice(0, 500)}`).toBe(status);
  expect(res.headers()["content-type"] ?? "", `content-type of ${res.url()}`).toMatch(/^application\/problem\+json\b/);
  const problem = JSON.parse(text) as Problem;
  expect(problem.status).toBe(status);
  expect(typeof problem.title).toBe("string");
  expect(typeof problem.detail).toBe("string");
  expect(problem.requestId, "problem.requestId").toEqual(expect.any(String));
  expect(problem.requestId.length).toBeGreaterThan(0);
  expect(res.headers()["x-request-id"]).toBe(problem.requestId);
  return problem;
}

export type LedgerEntry = { sequence: string; kind: string; actor: string; subject: string | null; documentId: string | null };

/** Every ledger entry with a sequence above `after`, newest first (pages through GET /api/v1/ledger/entries). */
export async function ledgerEntriesAfter(ctx: APIRequestContext, after: bigint): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  let cursor: string | null = null;
  for (;;) {
    const res = await ctx.get("/api/v1/ledger/entries", { params: { limit: "500", ...(cursor ? { cursor } : {}) } });
    expect(res.status(), await res.text()).toBe(200);
    const page = (await res.json()) as { items: LedgerEntry[]; nextCursor: string | null };
    for (const e of page.items) {
      if (BigInt(e.sequence) <= after) return out;
      out.push(e);
    }
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

/** The newest ledger sequence number (0 when the ledger is empty). */
export async function ledgerHead(ctx: APIRequestContext): Promise<bigint> {
  const res = await ctx.get("/api/v1/ledger/entries", { params: { limit: "1" } });
  expect(res.status(), await res.text()).toBe(200);
  const page = (await res.json()) as { items: LedgerEntry[] };
  return page.items[0] ? BigInt(page.items[0].sequence) : 0n;
}

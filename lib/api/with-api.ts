// The wrapper every API route handler goes through: request id, authentication (session or API
// token), permission check, CSRF check for cookie sessions, input validation, problem+json errors.
import "server-only";
import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import type { z } from "zod";
import { type Actor, actorCan } from "@/lib/auth/actor";
import type { Permission } from "@/lib/auth/permissions";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { recordRequestRejection } from "@/lib/server/ingest/rejections";
import { consumeRateLimit } from "@/lib/server/rate-limit/consume-rate-limit";
import { authenticateToken } from "@/lib/server/tokens/authenticate-token";
import { getSessionUser } from "@/lib/server/users/get-session-user";
import { AppError, jsonPath, problemResponse, toAppError, zodProblems } from "./errors";
import { admitIngestRequest, ingestInFlightLimit } from "./load-shedding";
import { parseJsonBody, readBodyWithLimit } from "./read-body";

export type ApiAuth = { permission: Permission; allow?: Array<"session" | "token"> } | "public";

type Options<Q extends z.ZodType | undefined, B extends z.ZodType | undefined> = {
  auth: ApiAuth;
  query?: Q;
  body?: B;
  /** Raw bodies: the handler reads `rawBody` itself (formats other than JSON). */
  rawBody?: boolean;
  maxBodyBytes?: number;
  /** Per-token request budget (VITRINE_INGEST_RATE_PER_MINUTE), answered 429 with Retry-After. */
  rateLimit?: "ingest";
};

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export type ApiContext<Q, B> = {
  req: NextRequest;
  requestId: string;
  actor: Actor | null;
  query: Q;
  body: B;
  rawBody: Uint8Array | null;
  params: Record<string, string>;
  now: Date;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// The token behind a refused request, remembered per request for the Ingestion page.
const tokenOfRequest = new WeakMap<Request, string>();
function tokenIdOf(req: Request): string | null {
  return tokenOfRequest.get(req) ?? null;
}

async function authenticate(req: NextRequest, now: Date): Promise<{ actor: Actor | null; via: "token" | "session" | null }> {
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw new AppError("unauthenticated", "The Authorization header must be 'Bearer <token>'");
    const actor = await authenticateToken({ token: match[1], now });
    if (!actor) throw new AppError("unauthenticated", "The API token is unknown, revoked or expired");
    return { actor, via: "token" };
  }
  const jwt = await getToken({ req, secret: env().NEXTAUTH_SECRET });
  if (!jwt?.sub) return { actor: null, via: null };
  const user = await getSessionUser({ userId: jwt.sub });
  return { actor: user, via: user ? "session" : null };
}

function checkSameOrigin(req: NextRequest): void {
  // Cookie-authenticated writes must come from our own pages (CSRF).
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw new AppError("forbidden", "Cross-site request refused");
  if (origin) {
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (!host || originHost !== host) throw new AppError("forbidden", "Cross-origin request refused");
  } else if (!site) {
    throw new AppError("forbidden", "A cookie-authenticated write must carry an Origin header");
  }
}

export function withApi<Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  options: Options<Q, B>,
  handler: (ctx: ApiContext<Infer<Q>, Infer<B>>) => Promise<Response | unknown>,
) {
  return async (req: NextRequest, routeCtx?: { params?: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 100) || randomUUID();
    const started = performance.now();
    const now = new Date();
    let status = 500;
    let release: (() => void) | null = null;
    try {
      // Over capacity, ingestion is refused before any work (503 + Retry-After): see load-shedding.ts.
      if (options.rateLimit === "ingest") release = admitIngestRequest(ingestInFlightLimit(env().VITRINE_DB_POOL_MAX));
      let actor: Actor | null = null;
      if (options.auth !== "public") {
        const auth = await authenticate(req, now);
        actor = auth.actor;
        if (actor?.kind === "token") tokenOfRequest.set(req, actor.id);
        if (!actor) throw new AppError("unauthenticated", "Sign in or send an API token (Authorization: Bearer vtr_...)");
        const allow = options.auth.allow ?? ["session", "token"];
        if (auth.via && !allow.includes(auth.via)) {
          throw new AppError(
            "forbidden",
            auth.via === "token" ? "This route is not available to API tokens" : "This route needs an API token",
          );
        }
        if (!actorCan(actor, options.auth.permission)) {
          const who =
            actor.kind === "user" ? `role ${actor.role}` : actor.kind === "token" ? `token scopes [${actor.scopes.join(", ")}]` : "actor";
          throw new AppError("forbidden", `This needs the ${options.auth.permission} permission, which ${who} does not grant`);
        }
        if (auth.via === "session" && !SAFE_METHODS.has(req.method)) checkSameOrigin(req);
        if (options.rateLimit && actor.kind === "token") {
          const limit = env().VITRINE_INGEST_RATE_PER_MINUTE;
          const budget = await consumeRateLimit({ key: `ingest:${actor.id}`, limit, windowSeconds: 60, now });
          if (!budget.allowed) {
            throw new AppError(
              "rate_limited",
              `This token may send ${limit} requests a minute; retry after ${budget.retryAfterSeconds} s`,
              {
                retryAfterSeconds: budget.retryAfterSeconds,
              },
            );
          }
        }
      }
      const rawParams = (await routeCtx?.params) ?? {};
      const params = Object.fromEntries(Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
      let query: unknown;
      if (options.query) {
        const sp = req.nextUrl.searchParams;
        const obj: Record<string, string> = {};
        for (const key of new Set(sp.keys())) {
          const all = sp.getAll(key);
          if (all.length > 1)
            throw new AppError("unprocessable", "Repeated query parameter", {
              errors: [{ path: `$.query.${key}`, message: "must be given once" }],
            });
          const value = all[0] ?? "";
          // Postgres text cannot hold NUL: a search for one would fail in the database (a 500), not match nothing.
          if (key.includes("\u0000") || value.includes("\u0000"))
            throw new AppError("unprocessable", "The query string has invalid parameters", {
              errors: [{ path: jsonPath(["query", key]), message: "must not contain NUL characters" }],
            });
          obj[key] = value;
        }
        const parsed = options.query.safeParse(obj);
        if (!parsed.success)
          throw new AppError("unprocessable", "The query string has invalid parameters", { errors: zodProblems(parsed.error, ["query"]) });
        query = parsed.data;
      }
      let body: unknown;
      let rawBody: Uint8Array | null = null;
      if (options.body || options.rawBody) {
        rawBody = await readBodyWithLimit(req, options.maxBodyBytes ?? env().VITRINE_MAX_BODY_BYTES);
        if (options.body) {
          const type = req.headers.get("content-type") ?? "";
          if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
            throw new AppError("unsupported_media_type", `Content-Type must be application/json, got "${type.slice(0, 100) || "none"}"`);
          }
          const parsed = options.body.safeParse(parseJsonBody(rawBody));
          if (!parsed.success)
            throw new AppError("unprocessable", "The request body has invalid fields", { errors: zodProblems(parsed.error) });
          body = parsed.data;
        }
      }
      const result = await handler({ req, requestId, actor, query: query as Infer<Q>, body: body as Infer<B>, rawBody, params, now });
      const response =
        result instanceof Response
          ? result
          : new Response(
              JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
              {
                status: 200,
                headers: { "content-type": "application/json" },
              },
            );
      response.headers.set("x-request-id", requestId);
      if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
      status = response.status;
      return response;
    } catch (error) {
      const appError = toAppError(error);
      if (appError) {
        status = appError.status;
        if (status >= 500 && !appError.extra.shed) log.warn("database unavailable", { requestId, path: req.nextUrl.pathname, error });
        if (
          options.rateLimit === "ingest" &&
          status >= 400 &&
          status < 500 &&
          ![401, 403, 429].includes(status) &&
          !appError.extra.recorded
        ) {
          recordRequestRejection({
            route: req.nextUrl.pathname.replace(/^\/api\/v1\//, ""),
            tokenId: tokenIdOf(req),
            now,
            detail: appError.message,
            errors: appError.extra.errors,
          });
        }
        return problemResponse(appError, requestId);
      }
      log.error("unhandled error", { requestId, method: req.method, path: req.nextUrl.pathname, error });
      status = 500;
      return problemResponse(
        new AppError("internal", "Something went wrong on our side; the request id identifies it in the logs"),
        requestId,
      );
    } finally {
      release?.();
      log.info("request", {
        requestId,
        method: req.method,
        path: req.nextUrl.pathname,
        status,
        ms: Math.round(performance.now() - started),
      });
    }
  };
}

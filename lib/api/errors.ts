// One error type with a closed set of codes, one code -> status map, one problem+json shape.
import { z } from "zod";

export const ERROR_STATUS = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

const TITLES: Record<ErrorCode, string> = {
  bad_request: "Bad request",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  unprocessable: "Validation failed",
  rate_limited: "Too many requests",
  internal: "Internal server error",
  unavailable: "Service unavailable",
};

export type FieldProblem = { path: string; message: string };

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      errors?: FieldProblem[];
      retryAfterSeconds?: number /** already listed as a refused document */;
      recorded?: boolean /** refused by load shedding, before any work (not worth a warning each) */;
      shed?: boolean;
    } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldProblem[];
};

/** JSONPath-like rendering of a zod issue path: $.data.items[2].name */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "$";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (typeof p === "string" && /^[A-Za-z_$][\w$]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

export function zodProblems(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): FieldProblem[] {
  return error.issues.slice(0, 100).map((i) => ({ path: jsonPath([...prefix, ...i.path]), message: i.message }));
}

export function problemBody(error: AppError, requestId?: string): Problem {
  return {
    type: `https://vitrine.dev/problems/${error.code.replace(/_/g, "-")}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(requestId ? { requestId } : {}),
    ...(error.extra.errors ? { errors: error.extra.errors } : {}),
  };
}

export function problemResponse(error: AppError, requestId?: string): Response {
  const headers = new Headers({ "content-type": "application/problem+json", "cache-control": "no-store" });
  if (requestId) headers.set("x-request-id", requestId);
  if (error.extra.retryAfterSeconds !== undefined)
    headers.set("retry-after", String(Math.max(1, Math.ceil(error.extra.retryAfterSeconds))));
  if (error.code === "unauthenticated") headers.set("www-authenticate", 'Bearer realm="vitrine"');
  return new Response(JSON.stringify(problemBody(error, requestId)), { status: error.status, headers });
}

/**
 * Why the database cannot serve a request right now, or null when the error is something else:
 * `unreachable` (refused, reset, terminated by a shutdown or restart, still starting up, gone) or
 * `saturated` (no pooled connection came free within the pool's connectionTimeoutMillis, or the
 * server has no connection slot left). Either way the client should retry: 503 with Retry-After.
 */
export type DatabaseTrouble = "unreachable" | "saturated";

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "57P01", // admin_shutdown: the server is shutting down or restarting (pg_ctl stop/restart -m fast)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up, shutting down, in recovery
  "3D000", // invalid_catalog_name: the database is gone or not created yet
  "08000",
  "08001",
  "08003",
  "08006",
  "P1001", // Prisma: can't reach database server
  "P1002",
  "P1017", // Prisma: server closed the connection
]);
const SATURATED_CODES = new Set([
  "53300", // too_many_connections
  "P2024", // Prisma: timed out fetching a connection from the pool
]);
// @prisma/adapter-pg's error kinds (DriverAdapterError.cause.kind).
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "DatabaseDoesNotExist"]);
const SATURATED_KINDS = new Set(["TooManyConnections"]);
// pg and pg-pool errors carry no code, only these messages.
const UNREACHABLE_MESSAGE =
  /Connection terminated|connect ECONNREFUSED|Can't reach database server|Client has encountered a connection error|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)/i;
const SATURATED_MESSAGE = /timeout exceeded when trying to connect/i;

export function databaseTrouble(error: unknown, depth = 0): DatabaseTrouble | null {
  if (!error || typeof error !== "object" || depth > 5) return null;
  const e = error as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
  for (const c of [e.code, e.originalCode]) {
    if (typeof c !== "string") continue;
    if (UNREACHABLE_CODES.has(c)) return "unreachable";
    if (SATURATED_CODES.has(c)) return "saturated";
  }
  if (typeof e.kind === "string") {
    if (UNREACHABLE_KINDS.has(e.kind)) return "unreachable";
    if (SATURATED_KINDS.has(e.kind)) return "saturated";
  }
  if (typeof e.message === "string") {
    if (UNREACHABLE_MESSAGE.test(e.message)) return "unreachable";
    if (SATURATED_MESSAGE.test(e.message)) return "saturated";
  }
  // Prisma keeps the driver's error under meta.driverAdapterError (a P2010 whose cause is a 57P01, say).
  const driverError = e.meta && typeof e.meta === "object" ? (e.meta as { driverAdapterError?: unknown }).driverAdapterError : undefined;
  return databaseTrouble(e.cause, depth + 1) ?? databaseTrouble(driverError, depth + 1);
}

/** True when the error means "the database cannot serve this right now" (answered 503, not 500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseTrouble(error) !== null;
}

/** Seconds a client is told to wait (Retry-After) when the database is unreachable or saturated. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const trouble = databaseTrouble(error);
  if (trouble === "unreachable")
    return new AppError("unavailable", "The database is unreachable; retry shortly", { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
  if (trouble === "saturated")
    return new AppError("unavailable", "Vitrine is over capacity: no database connection came free in time; retry shortly", {
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    });
  if (error instanceof z.ZodError) return new AppError("unprocessable", "The request has invalid fields", { errors: zodProblems(error) });
  return null;
}

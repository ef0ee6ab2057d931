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
      recorded?: boolean;
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

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "3D000", // invalid_catalog_name: the database is gone or not created yet
  "08000",
  "08001",
  "08003",
  "08006",
  "P1001", // Prisma: can't reach database server
  "P1002",
  "P1017", // Prisma: server closed the connection
  "P2024", // Prisma: timed out fetching a connection from the pool
]);

/** True when the error means "the database cannot be reached right now" (answered 503, not 500). */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as { code?: unknown; cause?: unknown; message?: unknown; originalCode?: unknown; kind?: unknown };
  for (const c of [e.code, e.originalCode]) if (typeof c === "string" && UNAVAILABLE_CODES.has(c)) return true;
  if (
    typeof e.message === "string" &&
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Can't reach database server/i.test(e.message)
  ) {
    return true;
  }
  return isDatabaseUnavailable(e.cause, depth + 1);
}

export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error))
    return new AppError("unavailable", "The database is unreachable; retry shortly", { retryAfterSeconds: 5 });
  if (error instanceof z.ZodError) return new AppError("unprocessable", "The request has invalid fields", { errors: zodProblems(error) });
  return null;
}

// Which failures are "retry shortly" (503 with Retry-After) rather than 500. The shapes are those
// pg, pg-pool, @prisma/adapter-pg and Prisma Client produced against a Postgres that was restarted
// (pg_ctl restart -m fast), stopped, or whose pool was exhausted (see scripts/bench/bench-overload.ts).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, DATABASE_RETRY_AFTER_SECONDS, databaseTrouble, problemResponse, toAppError } from "./errors";

function pgError(code: string, message: string) {
  // pg's DatabaseError: code, severity, message.
  return Object.assign(new Error(message), { code, severity: "FATAL", length: 100 });
}

function prismaError(code: string, message: string, cause: Record<string, unknown>) {
  // PrismaClientKnownRequestError: the driver's error under meta.driverAdapterError.cause.
  const driverAdapterError = Object.assign(new Error("DriverAdapterError"), { name: "DriverAdapterError", cause });
  return Object.assign(new Error(message), { name: "PrismaClientKnownRequestError", code, meta: { driverAdapterError } });
}

const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: "connect", errno: -111 });

describe("databaseTrouble", () => {
  it.each([
    ["a query cut off by a restart (pg, 57P01)", pgError("57P01", "terminating connection due to administrator command")],
    [
      "a query cut off by a restart (Prisma P2010 around 57P01)",
      prismaError("P2010", "Raw query failed. Code: `57P01`. Message: `terminating connection due to administrator command`", {
        originalCode: "57P01",
        originalMessage: "terminating connection due to administrator command",
        kind: "postgres",
        code: "57P01",
        severity: "FATAL",
      }),
    ],
    ["a server starting up (57P03)", pgError("57P03", "the database system is starting up")],
    ["a refused connection (pg)", socketError("ECONNREFUSED")],
    [
      "a refused connection (Prisma P2010, DatabaseNotReachable)",
      prismaError("P2010", "Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:5432`", {
        kind: "DatabaseNotReachable",
        host: "127.0.0.1",
        port: 5432,
      }),
    ],
    ["a refused connection (Prisma P1001)", prismaError("P1001", "Can't reach database server", { kind: "DatabaseNotReachable" })],
    ["a reset connection (Prisma, ConnectionClosed)", prismaError("P2010", "Raw query failed", { kind: "ConnectionClosed" })],
    ["a connection that died mid-query", new Error("Connection terminated unexpectedly")],
    ["a checked-out client whose connection died", new Error("Client has encountered a connection error and is not queryable")],
    ["a database that is gone (3D000)", pgError("3D000", 'database "vitrine" does not exist')],
    ["an error whose cause is one of those", new Error("commit failed", { cause: pgError("57P01", "terminating connection") })],
  ])("%s is unreachable", (_label, error) => {
    expect(databaseTrouble(error)).toBe("unreachable");
  });

  it.each([
    ["no pooled connection within connectionTimeoutMillis (pg-pool)", new Error("timeout exceeded when trying to connect")],
    ["too many connections (53300)", pgError("53300", "sorry, too many clients already")],
    ["too many connections (Prisma)", prismaError("P2010", "Raw query failed", { kind: "TooManyConnections", cause: "sorry" })],
    ["Prisma's own pool timeout (P2024)", Object.assign(new Error("Timed out fetching a new connection"), { code: "P2024" })],
  ])("%s is saturated", (_label, error) => {
    expect(databaseTrouble(error)).toBe("saturated");
  });

  it.each([
    ["a unique violation", pgError("23505", "duplicate key value violates unique constraint")],
    [
      "a Prisma unique violation",
      prismaError("P2002", "Unique constraint failed", { kind: "UniqueConstraintViolation", constraint: { fields: ["x"] } }),
    ],
    ["a syntax error", pgError("42601", "syntax error at or near")],
    ["a programming error", new TypeError("Cannot read properties of undefined")],
    ["a string", "boom"],
    ["nothing", undefined],
  ])("%s is not database trouble", (_label, error) => {
    expect(databaseTrouble(error)).toBeNull();
  });

  it("stops at a cycle of causes", () => {
    const a: { message: string; cause?: unknown } = { message: "a" };
    a.cause = a;
    expect(databaseTrouble(a)).toBeNull();
  });
});

describe("toAppError", () => {
  it("answers an unreachable database 503 with Retry-After as problem+json", async () => {
    const app = toAppError(prismaError("P2010", "Raw query failed", { kind: "postgres", code: "57P01", originalCode: "57P01" }));
    expect(app?.status).toBe(503);
    expect(app?.extra.retryAfterSeconds).toBe(DATABASE_RETRY_AFTER_SECONDS);
    const res = problemResponse(app!, "req-1");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("retry-after")).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
    expect(((await res.json()) as { code: string }).code).toBe("unavailable");
  });

  it("answers an exhausted pool 503 with Retry-After, saying Vitrine is over capacity", () => {
    const app = toAppError(new Error("timeout exceeded when trying to connect"));
    expect(app?.status).toBe(503);
    expect(app?.message).toMatch(/over capacity/);
    expect(problemResponse(app!).headers.get("retry-after")).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
  });

  it("keeps 429 with its own Retry-After, and 422 for zod errors", () => {
    const limited = new AppError("rate_limited", "slow down", { retryAfterSeconds: 42.2 });
    expect(toAppError(limited)).toBe(limited);
    expect(problemResponse(limited).headers.get("retry-after")).toBe("43");
    const zodError = z.object({ a: z.string() }).safeParse({ a: 1 }).error!;
    expect(toAppError(zodError)?.status).toBe(422);
  });

  it("leaves anything else to the 500 path", () => {
    expect(toAppError(new Error("something else"))).toBeNull();
    expect(toAppError(pgError("23505", "duplicate key"))).toBeNull();
  });
});

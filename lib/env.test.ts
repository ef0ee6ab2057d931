import { describe, expect, it } from "vitest";
import { EnvError, isOidcEnabled, parseEnv } from "./env";

/** The problems parseEnv reports for `source`, or fails the test if it accepts it. */
function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

const OIDC = { OIDC_ISSUER: "https://login.example.com/realms/acme", OIDC_CLIENT_ID: "vitrine", OIDC_CLIENT_SECRET: "s3cret" };

describe("parseEnv", () => {
  it("gives the documented defaults for an empty environment", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      VITRINE_DATA_DIR: ".vitrine",
      VITRINE_DB_POOL_MAX: 10,
      VITRINE_LOG_LEVEL: "info",
      VITRINE_MAX_BODY_BYTES: 5 * 1024 * 1024,
      VITRINE_SIGNIN_MAX_PER_ACCOUNT: 10,
      VITRINE_SIGNIN_MAX_PER_ADDRESS: 50,
      VITRINE_SIGNIN_WINDOW_SECONDS: 900,
      VITRINE_TRUST_PROXY: "false",
      OIDC_NAME: "Single sign-on",
      OIDC_ROLE_CLAIM: "groups",
      OIDC_ROLE_MAP: {},
      OIDC_DEFAULT_ROLE: "none",
      VITRINE_CHECKPOINT_INTERVAL_SECONDS: 300,
      VITRINE_INGEST_RATE_PER_MINUTE: 6000,
      VITRINE_RETIRED_SIGNING_KEYS: [],
    });
    // Unset optional values stay unset.
    for (const name of ["DATABASE_URL", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]) {
      expect(env[name as keyof typeof env], name).toBeUndefined();
    }
    expect(isOidcEnabled(env)).toBe(false);
  });

  it("treats empty strings as unset", () => {
    const env = parseEnv({ DATABASE_URL: "", VITRINE_DB_POOL_MAX: "", OIDC_ISSUER: "", NEXTAUTH_SECRET: "" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.VITRINE_DB_POOL_MAX).toBe(10);
  });

  it("ignores variables it does not know", () => {
    expect(parseEnv({ PATH: "/usr/bin", HOME: "/root" })).not.toHaveProperty("PATH");
  });

  it("reads good values", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgresql://vitrine@db:5432/vitrine",
      VITRINE_DB_POOL_MAX: " 25 ",
      VITRINE_SIGNIN_MAX_PER_ACCOUNT: "3",
      VITRINE_LOG_LEVEL: "silent",
      VITRINE_TRUST_PROXY: "true",
      NEXTAUTH_SECRET: "x".repeat(32),
      NEXTAUTH_URL: "https://vitrine.example.com",
    });
    expect(env).toMatchObject({
      NODE_ENV: "production",
      DATABASE_URL: "postgresql://vitrine@db:5432/vitrine",
      VITRINE_DB_POOL_MAX: 25,
      VITRINE_SIGNIN_MAX_PER_ACCOUNT: 3,
      VITRINE_LOG_LEVEL: "silent",
      VITRINE_TRUST_PROXY: "true",
    });
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db" }).DATABASE_URL).toBe("postgres://u@h/db");
  });

  it.each([
    ["DATABASE_URL", "mysql://root@db/vitrine"],
    ["DATABASE_URL", "db.example.com:5432"],
    ["NODE_ENV", "staging"],
    ["VITRINE_DATA_DIR", "   "],
    ["VITRINE_DB_POOL_MAX", "0"],
    ["VITRINE_DB_POOL_MAX", "-1"],
    ["VITRINE_DB_POOL_MAX", "ten"],
    ["VITRINE_DB_POOL_MAX", "2.5"],
    ["VITRINE_LOG_LEVEL", "verbose"],
    ["VITRINE_MAX_BODY_BYTES", "5MB"],
    ["VITRINE_SIGNIN_MAX_PER_ACCOUNT", "0"],
    ["VITRINE_SIGNIN_MAX_PER_ADDRESS", "many"],
    ["VITRINE_SIGNIN_WINDOW_SECONDS", "1e3"],
    ["VITRINE_TRUST_PROXY", "yes"],
    ["VITRINE_CHECKPOINT_INTERVAL_SECONDS", "5m"],
    ["VITRINE_INGEST_RATE_PER_MINUTE", "0"],
    ["VITRINE_SIGNING_KEY_FILE", "  "],
    ["NEXTAUTH_SECRET", "too-short"],
    ["NEXTAUTH_URL", "vitrine.example.com"],
    ["OIDC_DEFAULT_ROLE", "superuser"],
  ])("names %s when it is %j", (name, value) => {
    const list = problems({ [name]: value });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(new RegExp(`^${name}: `));
  });

  it("reads retired signing key fingerprints as a list, and names a bad one", () => {
    const a = `sha256:${"a".repeat(64)}`;
    const b = `sha256:${"b".repeat(64)}`;
    expect(parseEnv({ VITRINE_RETIRED_SIGNING_KEYS: ` ${a}, ${b},` }).VITRINE_RETIRED_SIGNING_KEYS).toEqual([a, b]);
    const list = problems({ VITRINE_RETIRED_SIGNING_KEYS: `${a},sha256:ABC` });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^VITRINE_RETIRED_SIGNING_KEYS\b.*sha256:<64 hex>/);
  });

  it("reports every bad variable at once, each by name", () => {
    const list = problems({ VITRINE_DB_POOL_MAX: "x", VITRINE_LOG_LEVEL: "loud", DATABASE_URL: "sqlite://x" });
    expect(list.map((p) => p.split(":")[0]).sort()).toEqual(["DATABASE_URL", "VITRINE_DB_POOL_MAX", "VITRINE_LOG_LEVEL"]);
    expect(list.find((p) => p.startsWith("DATABASE_URL"))).toBe("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  });

  it("puts the problems in the error message, one per line", () => {
    try {
      parseEnv({ VITRINE_TRUST_PROXY: "1" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid configuration:\n {2}- VITRINE_TRUST_PROXY: /);
    }
  });

  it("says how to make a NEXTAUTH_SECRET", () => {
    expect(problems({ NEXTAUTH_SECRET: "short" })[0]).toContain("openssl rand");
  });

  it("accepts OIDC when the three variables come together", () => {
    const env = parseEnv(OIDC);
    expect(isOidcEnabled(env)).toBe(true);
  });

  it.each([
    ["the issuer alone", { OIDC_ISSUER: OIDC.OIDC_ISSUER }],
    ["no secret", { OIDC_ISSUER: OIDC.OIDC_ISSUER, OIDC_CLIENT_ID: "vitrine" }],
    ["no issuer", { OIDC_CLIENT_ID: "vitrine", OIDC_CLIENT_SECRET: "s" }],
    ["the secret alone", { OIDC_CLIENT_SECRET: "s" }],
  ])("refuses OIDC with %s, naming all three variables", (_label, source) => {
    expect(problems(source)).toEqual(["OIDC_ISSUER: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together"]);
  });

  it("refuses an OIDC issuer that is not a URL", () => {
    const list = problems({ ...OIDC, OIDC_ISSUER: "login.example.com" });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^OIDC_ISSUER: must be the issuer URL/);
  });

  it("parses OIDC_ROLE_MAP pairs, trimming spaces and skipping empty pairs", () => {
    const env = parseEnv({ OIDC_ROLE_MAP: " sec-team = security, sre=oncall,,auditors=compliance ,", OIDC_DEFAULT_ROLE: "viewer" });
    expect(env.OIDC_ROLE_MAP).toEqual({ "sec-team": "security", sre: "oncall", auditors: "compliance" });
    expect(env.OIDC_DEFAULT_ROLE).toBe("viewer");
  });

  it.each([
    ["an unknown role", "sre=operator", '"sre=operator"'],
    ["a missing role", "sre=", '"sre="'],
    ["a missing claim value", "=admin", '"=admin"'],
    ["no equals sign", "sre", '"sre"'],
    ["a role in the wrong case", "sre=Admin", '"sre=Admin"'],
    ["a bad pair after good ones", "a=admin,b=boss", '"b=boss"'],
  ])("refuses OIDC_ROLE_MAP with %s, quoting the pair", (_label, value, quoted) => {
    const list = problems({ OIDC_ROLE_MAP: value });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^OIDC_ROLE_MAP: /);
    expect(list[0]).toContain(quoted);
    expect(list[0]).toContain("admin|security|compliance|oncall|viewer");
  });
});

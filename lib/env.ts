// The one place that reads process.env. Every variable is validated here; a bad or missing one
// stops the process with a message that names it. Documented in README.md#configuration.
import { z } from "zod";
import { parseAllowedHosts } from "./domain/network-address";

const roles = ["admin", "security", "compliance", "oncall", "viewer"] as const;

const ZPositiveInt = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().positive())
    .optional()
    .transform((v) => v ?? fallback);

const ZEnv = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).optional().default("development"),
    DATABASE_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    VITRINE_DATA_DIR: z.string().trim().min(1).optional().default(".vitrine"),
    VITRINE_DB_POOL_MAX: ZPositiveInt(10),
    VITRINE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).optional().default("info"),
    VITRINE_MAX_BODY_BYTES: ZPositiveInt(5 * 1024 * 1024),
    VITRINE_SIGNIN_MAX_PER_ACCOUNT: ZPositiveInt(10),
    VITRINE_SIGNIN_MAX_PER_ADDRESS: ZPositiveInt(50),
    VITRINE_SIGNIN_WINDOW_SECONDS: ZPositiveInt(900),
    VITRINE_SIGNING_KEY_FILE: z.string().trim().min(1).optional(),
    VITRINE_RETIRED_SIGNING_KEYS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be a comma-separated list of sha256:<64 hex> key fingerprints"))),
    VITRINE_CHECKPOINT_INTERVAL_SECONDS: ZPositiveInt(300),
    VITRINE_INGEST_RATE_PER_MINUTE: ZPositiveInt(6000),
    VITRINE_NEXT_DIST_DIR: z
      .string()
      .trim()
      .regex(/^\.?[\w.-]+$/, "must be a folder name such as .next")
      .optional()
      .default(".next"),
    VITRINE_TRUST_PROXY: z.enum(["true", "false"]).optional().default("false"),
    NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (try: openssl rand -base64 32)").optional(),
    NEXTAUTH_URL: z.url("must be an absolute URL such as https://vitrine.example.com").optional(),
    // Links in notifications point here (default NEXTAUTH_URL); docs/notifications.md.
    VITRINE_PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://vitrine.example.com" })
      .transform((u) => u.replace(/\/+$/, ""))
      .optional(),
    // Email notifications: smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps:// (TLS from the start).
    VITRINE_SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be smtp://[user:password@]host[:port] or smtps://..." }).optional(),
    VITRINE_SMTP_FROM: z.email("must be an email address such as vitrine@example.com").optional(),
    // Notification URLs on loopback, private or CGNAT addresses are refused unless "1" (docs/notifications.md).
    VITRINE_NOTIFY_ALLOW_PRIVATE: z
      .enum(["0", "1"], { error: "must be 0 or 1 (1 allows notification URLs on loopback, private and CGNAT addresses)" })
      .optional()
      .default("0"),
    // host[:port],...: notification receivers called whatever address they have (on-premises receivers).
    VITRINE_NOTIFY_ALLOWED_HOSTS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const parsed = parseAllowedHosts(v ?? "");
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: `must be a comma-separated list of host[:port]: ${parsed.message}` });
          return z.NEVER;
        }
        return parsed.hosts;
      }),
    OIDC_ISSUER: z.url("must be the issuer URL, e.g. https://login.example.com/realms/acme").optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_NAME: z.string().min(1).optional().default("Single sign-on"),
    OIDC_ROLE_CLAIM: z.string().min(1).optional().default("groups"),
    OIDC_ROLE_MAP: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const map: Record<string, (typeof roles)[number]> = {};
        if (!v) return map;
        for (const pair of v
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean)) {
          const [claim, role] = pair.split("=").map((s) => s.trim());
          if (!claim || !role || !(roles as readonly string[]).includes(role)) {
            ctx.addIssue({ code: "custom", message: `"${pair}" must be claimValue=role with role one of ${roles.join("|")}` });
            return z.NEVER;
          }
          map[claim] = role as (typeof roles)[number];
        }
        return map;
      }),
    OIDC_DEFAULT_ROLE: z
      .enum([...roles, "none"])
      .optional()
      .default("none"),
  })
  .superRefine((env, ctx) => {
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together",
      });
    }
    if (Boolean(env.VITRINE_SMTP_URL) !== Boolean(env.VITRINE_SMTP_FROM)) {
      ctx.addIssue({ code: "custom", path: ["VITRINE_SMTP_URL"], message: "VITRINE_SMTP_URL and VITRINE_SMTP_FROM must be set together" });
    }
  });

export type Env = z.infer<typeof ZEnv>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "not set", as shells and .env files often leave them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = ZEnv.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`));
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated configuration, parsed on first use (not at import, so builds need no env). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests and the CLI launcher, which set variables before the app reads them. */
export function resetEnvForTests(): void {
  cached = undefined;
}

export function isOidcEnabled(e: Env = env()): boolean {
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}

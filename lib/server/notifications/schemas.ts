// Notification channels and escalation times: the shapes shared by the routes, the verbs and the
// settings page (no server-only imports).
import { z } from "zod";
import { CHANNEL_KINDS, checkChannelUrl, MAX_ESCALATION_MINUTES, NOTIFY_SEVERITIES } from "@/lib/domain/notifications";

/** The settings row that holds the escalation times: { critical, high, medium, low } in minutes or null. */
export const ESCALATION_SETTING = "alerts.escalation";

export const ZChannelName = z.string().trim().min(1, "a name is required").max(100, "at most 100 characters");

export const ZChannelUrl = z
  .string()
  .max(2000, "at most 2,000 characters")
  .transform((value, ctx) => {
    const check = checkChannelUrl(value);
    if (!check.ok) {
      ctx.addIssue({ code: "custom", message: check.message });
      return z.NEVER;
    }
    return check.url;
  });

const ZRuleName = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]{0,79}$/, "must be a rule name such as unsigned-deployed");
const ZEnvironment = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\s,\p{Cc}]+$/u, "must be an environment name (no spaces or commas)");

const routing = {
  minSeverity: z.enum(NOTIFY_SEVERITIES).default("low"),
  /** Empty: every rule. */
  rules: z.array(ZRuleName).max(50).default([]),
  /** Empty: every environment (and alerts without one). */
  environments: z.array(ZEnvironment).max(100).default([]),
  enabled: z.boolean().default(true),
};

export const ZEmailRecipients = z
  .array(z.email("must be an email address"))
  .min(1, "at least one recipient")
  .max(20, "at most 20 recipients");

export const ZCreateChannel = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("webhook"), name: ZChannelName, url: ZChannelUrl, ...routing }).strict(),
    z.object({ kind: z.literal("slack"), name: ZChannelName, url: ZChannelUrl, ...routing }).strict(),
    z.object({ kind: z.literal("email"), name: ZChannelName, to: ZEmailRecipients, ...routing }).strict(),
  ],
  { error: `must be one of ${CHANNEL_KINDS.join(", ")}` },
);
export type TCreateChannel = z.input<typeof ZCreateChannel>;

export const ZUpdateChannel = z
  .object({
    name: ZChannelName.optional(),
    url: ZChannelUrl.optional(),
    to: ZEmailRecipients.optional(),
    minSeverity: z.enum(NOTIFY_SEVERITIES).optional(),
    rules: z.array(ZRuleName).max(50).optional(),
    environments: z.array(ZEnvironment).max(100).optional(),
    enabled: z.boolean().optional(),
    /** Webhooks: a new secret, shown once in the answer; the old one stops working at once. */
    rotateSecret: z.literal(true).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "change at least one field");
export type TUpdateChannel = z.input<typeof ZUpdateChannel>;

const ZMinutes = z
  .number()
  .int("whole minutes")
  .min(1, "at least 1 minute")
  .max(MAX_ESCALATION_MINUTES, `at most ${MAX_ESCALATION_MINUTES} minutes (a week)`)
  .nullable();

export const ZEscalationTimes = z.object({ critical: ZMinutes, high: ZMinutes, medium: ZMinutes, low: ZMinutes }).strict();

export type ChannelListItem = {
  id: string;
  name: string;
  kind: string;
  /** Redacted: query values (and Slack's secret path) are never shown. */
  url: string | null;
  to: string[];
  hasSecret: boolean;
  minSeverity: string;
  rules: string[];
  environments: string[];
  enabled: boolean;
  createdAt: string;
  createdBy: string;
  deliveries: number;
  lastDelivery: { status: string; at: string; statusCode: number | null; error: string | null } | null;
};

export type ChannelCreated = ChannelListItem & { secret: string | null };

export type EscalationAnswer = {
  times: { critical: number | null; high: number | null; medium: number | null; low: number | null };
  defaults: { critical: number | null; high: number | null; medium: number | null; low: number | null };
  updatedAt: string | null;
};

export type TestResult = { ok: boolean; statusCode: number | null; error: string | null; ms: number };

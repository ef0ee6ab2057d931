// Inputs of the compliance routes: GET /api/v1/compliance and GET /api/v1/compliance/deployments.
import { z } from "zod";
import { AppError } from "@/lib/api/errors";
import { parseInstant, resolveWindow, type Window } from "@/lib/domain/compliance-window";
import { COMPLIANCE_MEASURES } from "./definitions";
import { POLICY_REQUIREMENTS } from "./get-compliance";

/** Environment names as trust policies name them (lib/domain/policy.ts). */
export const ZComplianceEnvironment = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
  .trim()
  .min(1, { message: "is required", abort: true })
  .max(100, "at most 100 characters")
  .regex(/^[A-Za-z0-9][\w.-]*$/, "must be an environment name (letters, digits, . _ -)");

const ZInstant = z.string().transform((text, ctx) => {
  const at = parseInstant(text);
  if (!at) {
    ctx.issues.push({ code: "custom", input: text, message: "must be an ISO 8601 date (2026-07-01) or date-time with an offset" });
    return z.NEVER;
  }
  return at;
});

export const ZComplianceQuery = z.object({
  environment: ZComplianceEnvironment,
  /** Start of the window (inclusive); default 30 days before `to`. */
  from: ZInstant.optional(),
  /** End of the window (exclusive); default now. */
  to: ZInstant.optional(),
});
export type TComplianceQuery = z.output<typeof ZComplianceQuery>;

export const ZComplianceDeploymentsQuery = ZComplianceQuery.extend({
  measure: z.enum(COMPLIANCE_MEASURES, { error: `must be one of ${COMPLIANCE_MEASURES.join(", ")}` }).default("total"),
  /** true: the deployments that meet the measure; false: those that do not. */
  value: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("true")
    .transform((v) => v === "true"),
  /** Only deployments failing this requirement of the environment's policy. */
  requirement: z.enum(POLICY_REQUIREMENTS, { error: `must be one of ${POLICY_REQUIREMENTS.join(", ")}` }).optional(),
  cursor: z.string().max(300, "not a cursor from a previous page").optional(),
  limit: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(1).max(200)).optional(),
});
export type TComplianceDeploymentsQuery = z.output<typeof ZComplianceDeploymentsQuery>;

/** The window of a parsed query (defaults filled in), or a 422 naming $.query.from or $.query.to. */
export function complianceWindowOrThrow(query: { from?: Date; to?: Date }, now: Date): Window {
  const window = resolveWindow(query, now);
  if (!window.ok) {
    throw new AppError("unprocessable", `The window is not valid: ${window.field} ${window.message}`, {
      errors: [{ path: `$.query.${window.field}`, message: window.message }],
    });
  }
  return { from: window.from, to: window.to };
}

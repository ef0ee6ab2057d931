import { z } from "zod";
import { parseInstant } from "@/lib/domain/compliance-window";
import { REPORT_FORMATS } from "@/lib/domain/report-signature";
import { ZComplianceEnvironment } from "@/lib/server/compliance/schemas";

// Inputs of the report routes (docs/reports.md). The scope is the compliance view's: an environment
// name and a window [from, to) with the same rules (lib/domain/compliance-window.ts): a date is
// midnight UTC, a date-time needs an offset; from defaults to 30 days before to, to to now.

const ZInstant = z
  .string()
  .refine((text) => parseInstant(text) !== null, "must be an ISO 8601 date (2026-07-01) or date-time with an offset");

export const ZReportRequest = z
  .object({
    environment: ZComplianceEnvironment,
    from: ZInstant.optional(),
    to: ZInstant.optional(),
    format: z.enum(REPORT_FORMATS, { error: `must be one of ${REPORT_FORMATS.join(", ")}` }).default("csv"),
  })
  .strict();
export type TReportRequest = z.infer<typeof ZReportRequest>;

export const ZListReportsQuery = z.object({
  cursor: z.string().max(300).optional(),
  limit: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(1).max(100)).optional(),
});

export const REPORT_CADENCES = ["weekly", "monthly"] as const;

export const ZCreateSchedule = z
  .object({
    name: z.string({ error: "give the schedule a name" }).trim().min(1, "give the schedule a name").max(100, "at most 100 characters"),
    environment: ZComplianceEnvironment,
    format: z.enum(REPORT_FORMATS, { error: `must be one of ${REPORT_FORMATS.join(", ")}` }),
    cadence: z.enum(REPORT_CADENCES, { error: "must be weekly or monthly" }),
    channelId: z.uuid({ error: "must be a notification channel id" }),
  })
  .strict();
export type TCreateSchedule = z.infer<typeof ZCreateSchedule>;

export const ZUpdateSchedule = z
  .object({
    enabled: z.boolean({ error: "must be true or false" }).optional(),
    channelId: z.uuid({ error: "must be a notification channel id" }).optional(),
  })
  .strict();
export type TUpdateSchedule = z.infer<typeof ZUpdateSchedule>;

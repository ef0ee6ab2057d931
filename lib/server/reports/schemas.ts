import { z } from "zod";
import { REPORT_FORMATS } from "@/lib/domain/report-signature";

// Inputs of the report routes (docs/reports.md). A window is [from, to): from defaults to 30 days
// before `to`, `to` to now; a date without a time is midnight UTC.

const ZInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: "must be an ISO 8601 date or date-time" });

export const DEFAULT_WINDOW_DAYS = 30;

export const ZReportRequest = z
  .object({
    environment: z.string({ error: "name the environment" }).trim().min(1, "name the environment").max(200, "at most 200 characters"),
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
    environment: z.string({ error: "name the environment" }).trim().min(1, "name the environment").max(200, "at most 200 characters"),
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

// The time window of the compliance view: [from, to), in UTC. The API takes explicit instants (default:
// the last 30 days); the page takes a preset or a custom pair of dates, both ends inclusive as people
// read them. Pure: the caller passes `now`.

const DAY_MS = 86_400_000;

/** The longest window the API answers (a year and a bit: a whole audit period with margin). */
export const MAX_WINDOW_DAYS = 400;
export const DEFAULT_WINDOW_DAYS = 30;

export const WINDOW_PRESETS = ["7d", "30d", "90d", "qtd", "custom"] as const;
export type WindowPreset = (typeof WINDOW_PRESETS)[number];

export const PRESET_LABELS: Record<WindowPreset, string> = {
  "7d": "7 days",
  "30d": "30 days",
  "90d": "90 days",
  qtd: "Quarter to date",
  custom: "Custom",
};

export type Window = { from: Date; to: Date };
export type WindowField = "from" | "to";
export type WindowResult = ({ ok: true } & Window) | { ok: false; field: WindowField; message: string };

/** YYYY-MM-DD of the UTC day holding `d`. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date (midnight UTC) or date-time with an offset; null for anything else (or an impossible date). */
export function parseInstant(text: string): Date | null {
  const isDate = DATE.test(text);
  if (!isDate && !DATE_TIME.test(text)) return null;
  // JavaScript rolls 2026-02-31 over to March 3rd: refuse calendar dates that do not exist.
  const [y, m, d] = [text.slice(0, 4), text.slice(5, 7), text.slice(8, 10)].map(Number) as [number, number, number];
  if (utcDay(new Date(Date.UTC(y, m - 1, d))) !== text.slice(0, 10)) return null;
  const at = new Date(isDate ? `${text}T00:00:00Z` : text);
  // Postgres reads years 1-9999 in ISO form; an offset can carry 9999-12-31 into year 10000.
  return Number.isNaN(at.getTime()) || at.getUTCFullYear() < 1 || at.getUTCFullYear() > 9999 ? null : at;
}

/** The API's window: `to` defaults to now, `from` to 30 days before `to`; from < to, at most 400 days. */
export function resolveWindow(input: { from?: Date; to?: Date }, now: Date): WindowResult {
  const to = input.to ?? now;
  const from = input.from ?? addDays(to, -DEFAULT_WINDOW_DAYS);
  if (from.getTime() >= to.getTime())
    return { ok: false, field: input.from ? "from" : "to", message: input.from ? "must be before to" : "must be after from" };
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS)
    return { ok: false, field: input.from ? "from" : "to", message: `the window may be at most ${MAX_WINDOW_DAYS} days` };
  return { ok: true, from, to };
}

export type PageWindow = Window & {
  preset: WindowPreset;
  /** The custom dates as typed (both inclusive), to fill the form again. */
  fromDate: string;
  toDate: string;
  /** Why the custom dates were not used (the page falls back to the default window). */
  error: string | null;
};

/** The page's window from its URL: `window` (a preset, default 30d) and, for custom, `from`/`to` dates (both inclusive). */
export function pageWindow(params: { window?: string; from?: string; to?: string }, now: Date): PageWindow {
  const requested = (WINDOW_PRESETS as readonly string[]).includes(params.window ?? "")
    ? (params.window as WindowPreset)
    : params.from || params.to
      ? "custom"
      : "30d";
  const today = startOfUtcDay(now);
  const preset = (p: Exclude<WindowPreset, "custom">, error: string | null = null): PageWindow => {
    const from =
      p === "qtd"
        ? new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1))
        : addDays(today, -(Number(p.slice(0, -1)) - 1));
    return { preset: p, from, to: now, fromDate: params.from ?? utcDay(from), toDate: params.to ?? utcDay(now), error };
  };
  if (requested !== "custom") return preset(requested);
  const fromText = params.from ?? "";
  const toText = params.to ?? "";
  const from = DATE.test(fromText) ? parseInstant(fromText) : null;
  const toDay = DATE.test(toText) ? parseInstant(toText) : null;
  if (!from) return preset("30d", "The custom window needs a valid start date (YYYY-MM-DD).");
  if (!toDay) return preset("30d", "The custom window needs a valid end date (YYYY-MM-DD).");
  const to = addDays(toDay, 1);
  const checked = resolveWindow({ from, to }, now);
  if (!checked.ok)
    return preset(
      "30d",
      checked.message.startsWith("must")
        ? "The start date must not be after the end date."
        : `A window may be at most ${MAX_WINDOW_DAYS} days.`,
    );
  return { preset: "custom", from, to, fromDate: fromText, toDate: toText, error: null };
}

/** The UTC days of the trend: from the day holding `from` to the day holding the window's last instant, never after today. */
export function trendDays(window: Window, now: Date): string[] {
  const last = Math.min(window.to.getTime() - 1, now.getTime());
  const days: string[] = [];
  for (let d = startOfUtcDay(window.from); d.getTime() <= last; d = addDays(d, 1)) days.push(utcDay(d));
  return days;
}

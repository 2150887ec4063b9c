import { z } from "zod";

/**
 * What /reports and /reports.csv are asked for: a period in the viewer's time zone, one of our
 * numbers or all, one agent or all. Anything unknown falls back to the default rather than
 * failing the page, like the inbox's filters.
 */

export const PERIODS = ["today", "7d", "30d", "90d", "custom"] as const;
export type Period = (typeof PERIODS)[number];

export const PERIOD_LABELS: Record<Period, string> = {
  today: "Today",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  custom: "Choose dates",
};

const PERIOD_DAYS: Record<Exclude<Period, "custom">, number> = { today: 1, "7d": 7, "30d": 30, "90d": 90 };

/** A custom period's limit: a year of bars is as much as a chart can show one by one. */
export const MAX_DAYS = 366;

const isoDate = z.iso.date().nullable().catch(null);

export const ReportQuerySchema = z.object({
  period: z.enum(PERIODS).catch("7d"),
  from: isoDate,
  to: isoDate,
  /** One of our numbers' id, or null for all. */
  number: z.uuid().nullable().catch(null),
  /** An agent's id (conversations assigned to them now), or null for everyone. */
  agent: z.string().max(100).nullable().catch(null),
});
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

export const REPORT_TABLES = ["summary", "daily", "heatmap", "agents", "numbers"] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

export function parseReportQuery(params: URLSearchParams): ReportQuery {
  const query = ReportQuerySchema.parse({
    period: params.get("period") ?? undefined,
    from: params.get("from") || null,
    to: params.get("to") || null,
    number: params.get("number") || null,
    agent: params.get("agent") || null,
  });
  // Dates typed without choosing "custom" in the menu still mean those dates.
  if (query.from && query.to && !params.get("period")) query.period = "custom";
  return query;
}

/** The query string for a report (defaults left out), for links and the CSV downloads. */
export function reportSearch(query: ReportQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (query.period !== "7d") params.set("period", query.period);
  if (query.period === "custom" && query.from) params.set("from", query.from);
  if (query.period === "custom" && query.to) params.set("to", query.to);
  if (query.number) params.set("number", query.number);
  if (query.agent) params.set("agent", query.agent);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const search = params.toString();
  return search ? `?${search}` : "";
}

/** Calendar days as YYYY-MM-DD, counted in UTC so no zone's daylight saving moves them. */
const DAY_MS = 86_400_000;
export const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** Today's date where the viewer is. */
export const localDay = (now: Date, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(now);

/** Local calendar days, `to` included: the period asked for and the one of the same length before it. */
export type ReportDays = { from: string; to: string; days: number; previousFrom: string; previousTo: string };

/** The days a query covers; a custom period without usable dates (or backwards, or too long) says why. */
export function reportDays(
  query: ReportQuery,
  today: string,
): { ok: true; days: ReportDays } | { ok: false; message: string } {
  let from: string;
  let to: string;
  if (query.period === "custom") {
    if (!query.from || !query.to) return { ok: false, message: "Choose both dates, as YYYY-MM-DD." };
    ({ from, to } = query);
    if (to < from) return { ok: false, message: "The end date comes before the start date." };
    if (daysBetween(from, to) + 1 > MAX_DAYS) return { ok: false, message: `Choose at most ${MAX_DAYS} days.` };
  } else {
    to = today;
    from = addDays(today, 1 - PERIOD_DAYS[query.period]);
  }
  const days = daysBetween(from, to) + 1;
  return { ok: true, days: { from, to, days, previousFrom: addDays(from, -days), previousTo: addDays(from, -1) } };
}

/** Every day of a period in order, for charts that show the quiet days too. */
export function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** "1 h 05 min", "4 min 30 s", "45 s": a duration as people read it; null is "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${String(s % 60).padStart(2, "0")} s` : ""}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** The change from the previous period: null when there is nothing to compare with. */
export function change(
  current: number | null,
  previous: number | null,
): { direction: "up" | "down" | "same"; percent: number } | null {
  if (current === null || previous === null || previous === 0) return null;
  const percent = Math.round(((current - previous) / previous) * 100);
  return { direction: percent > 0 ? "up" : percent < 0 ? "down" : "same", percent: Math.abs(percent) };
}

/** "Tue 3 Nov" ("Tue 3 Nov 2026" with the year): a day of the period, in the charts and their tables. */
export function formatReportDay(day: string, withYear = false) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  }).formatToParts(new Date(`${day}T00:00:00Z`));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  return [part("weekday"), part("day"), part("month"), withYear ? part("year") : null].filter(Boolean).join(" ");
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

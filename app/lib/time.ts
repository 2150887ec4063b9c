// The one way Birdline writes a moment. Dates are formatted in the viewer's time zone, known to
// the server through the `tz` cookie, so server HTML and hydrated HTML say the same thing. Until
// the browser has said (no JavaScript), times are in UTC and say so.

export const TIME_ZONE_COOKIE = "tz";
export const FALLBACK_TIME_ZONE = "UTC";

export function isTimeZone(value: string | undefined): value is string {
  if (!value) return false;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Where a time is shown: in which zone, whether to name it (the viewer did not tell us theirs), and what "now" is. */
export type Clock = { timeZone: string; stateZone: boolean; now: Date | string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const dayKey = (date: Date | string, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date(date));

const clockTime = (date: Date | string, { timeZone, stateZone }: Clock, seconds = false) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds ? { second: "2-digit" } : {}),
    ...(stateZone ? { timeZoneName: "short" } : {}),
  }).format(new Date(date));

/** "14:05:09": where seconds matter, e.g. a burst of requests within one minute. */
export const formatSeconds = (date: Date | string, clock: Clock) => clockTime(date, clock, true);

/** "Tue 3 Nov" this year, "3 Nov 2025" in another. */
function calendarDate(date: Date | string, { timeZone, now }: Clock) {
  const sameYear = dayKey(date, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    ...(sameYear ? { weekday: "short" } : { year: "numeric" }),
  }).format(new Date(date));
}

/**
 * How a moment reads on the page. Within the hour: "just now", "12 min ago", "in 9 min".
 * Earlier or later today: "14:05" ("14:05 UTC" when the zone is a guess). Another day:
 * "Tue 3 Nov" this year, "3 Nov 2025" before.
 */
export function formatWhen(date: Date | string, clock: Clock): string {
  const diff = new Date(date).getTime() - new Date(clock.now).getTime();
  const minutes = Math.round(Math.abs(diff) / MINUTE);
  if (Math.abs(diff) < HOUR) {
    if (minutes === 0) return diff <= 0 ? "just now" : "in under a minute";
    return diff < 0 ? `${minutes} min ago` : `in ${minutes} min`;
  }
  if (dayKey(date, clock.timeZone) === dayKey(clock.now, clock.timeZone)) return clockTime(date, clock);
  return calendarDate(date, clock);
}

/** "Wednesday 25 November 2026, 18:30:05 CET": the whole moment, for a `title`. */
export function formatFull(date: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    dateStyle: "full",
    timeStyle: "long",
  }).format(new Date(date));
}

/** "Today", "Yesterday", or the calendar date: a heading over one day's items. */
export function formatDay(date: Date | string, clock: Clock): string {
  const yesterday = new Date(new Date(clock.now).getTime() - 24 * HOUR);
  const day = dayKey(date, clock.timeZone);
  if (day === dayKey(clock.now, clock.timeZone)) return "Today";
  if (day === dayKey(yesterday, clock.timeZone)) return "Yesterday";
  return calendarDate(date, clock);
}

/** Groups items (already in order) by calendar day in the clock's zone. */
export function groupByDay<T>(items: T[], dateOf: (item: T) => Date | string, clock: Clock) {
  const groups: { day: string; label: string; items: T[] }[] = [];
  for (const item of items) {
    const day = dayKey(dateOf(item), clock.timeZone);
    const group = groups.at(-1);
    if (group?.day === day) group.items.push(item);
    else groups.push({ day, label: formatDay(dateOf(item), clock), items: [item] });
  }
  return groups;
}

/** How long until a moment, in words for a countdown: "in 40 s", "in 3 min", "now" once it has come. */
export function formatUntil(date: Date | string, clock: Clock): string {
  const seconds = Math.ceil((new Date(date).getTime() - new Date(clock.now).getTime()) / 1000);
  if (seconds <= 0) return "now";
  if (seconds < 90) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `in ${minutes} min` : `in ${Math.round(minutes / 60)} h`;
}

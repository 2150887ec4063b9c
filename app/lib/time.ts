// Dates are formatted with the viewer's time zone, known to the server through
// the `tz` cookie, so server HTML and hydrated HTML say the same thing.

export const TIME_ZONE_COOKIE = "tz";

export function isTimeZone(value: string | undefined): value is string {
  if (!value) return false;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const formatTime = (date: Date | string, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" }).format(new Date(date));

/** "14:05:09": telling moments within one minute apart. */
export const formatClock = (date: Date | string, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(
    new Date(date),
  );

export const formatDay = (date: Date | string, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(new Date(date));

/** "14:05" today, "Tue 3 Nov" this year, "3 Nov 2025" before. */
export function formatWhen(date: Date | string, timeZone: string, now = new Date()): string {
  const day = (d: Date | string) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date(d));
  if (day(date) === day(now)) return formatTime(date, timeZone);
  const sameYear = day(date).slice(0, 4) === day(now).slice(0, 4);
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    ...(sameYear ? { weekday: "short" } : { year: "numeric" }),
  }).format(new Date(date));
}

/** Groups items (already in order) by calendar day in `timeZone`. */
export function groupByDay<T>(items: T[], dateOf: (item: T) => Date | string, timeZone: string) {
  const groups: { day: string; label: string; items: T[] }[] = [];
  const key = new Intl.DateTimeFormat("en-CA", { timeZone });
  for (const item of items) {
    const day = key.format(new Date(dateOf(item)));
    const group = groups.at(-1);
    if (group?.day === day) group.items.push(item);
    else groups.push({ day, label: formatDay(dateOf(item), timeZone), items: [item] });
  }
  return groups;
}

// A number's weekly opening hours, in its own IANA time zone, and whether a moment falls inside them.
// Hours are wall-clock times: "09:00" means nine on the clocks where the team works, in summer and
// winter alike, so the zone's offset on the day decides and never a fixed one.

/** Monday first, as a week reads on a team's rota. */
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/**
 * One weekday's hours. `to` at or before `from` runs past midnight into the next day (22:00–06:00);
 * the same time for both is open round the clock.
 */
export type DayHours = { open: boolean; from: string; to: string };

/** Seven days, Monday first. */
export type WeeklyHours = DayHours[];

export const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export const OFFICE_HOURS: WeeklyHours = WEEKDAYS.map((_, day) => ({ open: day < 5, from: "09:00", to: "17:00" }));

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** The weekday (Monday = 0) and minutes past midnight that the clocks in `timeZone` show at `at`. */
export function wallClock(at: Date, timeZone: string): { day: number; minutes: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return { day: WEEKDAY_INDEX[part("weekday")]!, minutes: Number(part("hour")) * 60 + Number(part("minute")) };
}

/** Whether `at` falls in the opening hours: today's, or yesterday's when they run past midnight. */
export function isOpenAt(week: WeeklyHours, timeZone: string, at: Date): boolean {
  const { day, minutes } = wallClock(at, timeZone);
  const today = week[day]!;
  const yesterday = week[(day + 6) % 7]!;
  return (today.open && opensTodayAt(today, minutes)) || (yesterday.open && stillOpenFrom(yesterday, minutes));
}

function opensTodayAt({ from, to }: DayHours, minutes: number) {
  const start = minutesOf(from);
  const end = minutesOf(to);
  if (start === end) return true;
  return start < end ? minutes >= start && minutes < end : minutes >= start;
}

/** The early hours of the day after a day whose hours cross midnight. */
function stillOpenFrom({ from, to }: DayHours, minutes: number) {
  const end = minutesOf(to);
  return end < minutesOf(from) && minutes < end;
}

import { describe, expect, test } from "vitest";
import { isOpenAt, OFFICE_HOURS, wallClock, WEEKDAYS, type WeeklyHours } from "~/lib/business-hours";

/** The same hours every day of the week. */
const everyDay = (from: string, to: string): WeeklyHours => WEEKDAYS.map(() => ({ open: true, from, to }));

const open = (week: WeeklyHours, zone: string, iso: string) => isOpenAt(week, zone, new Date(iso));

describe("the clocks in a zone", () => {
  test("read the zone's offset on that day, summer and winter", () => {
    expect(wallClock(new Date("2026-01-14T08:30:00Z"), "Europe/Amsterdam")).toEqual({ day: 2, minutes: 9 * 60 + 30 });
    expect(wallClock(new Date("2026-07-15T08:30:00Z"), "Europe/Amsterdam")).toEqual({ day: 2, minutes: 10 * 60 + 30 });
  });

  test("midnight is 00:00 of the new day, not 24:00 of the old one", () => {
    expect(wallClock(new Date("2026-03-01T05:00:00Z"), "America/New_York")).toEqual({ day: 6, minutes: 0 });
  });
});

describe("office hours (Monday to Friday, 09:00 to 17:00)", () => {
  test("open on a weekday afternoon, closed in the evening and at the weekend", () => {
    expect(open(OFFICE_HOURS, "Europe/Amsterdam", "2026-01-14T13:00:00Z")).toBe(true);
    expect(open(OFFICE_HOURS, "Europe/Amsterdam", "2026-01-14T16:00:00Z")).toBe(false);
    expect(open(OFFICE_HOURS, "Europe/Amsterdam", "2026-01-17T12:00:00Z")).toBe(false);
  });

  test("opening time is open, closing time is closed", () => {
    expect(open(OFFICE_HOURS, "UTC", "2026-01-14T09:00:00Z")).toBe(true);
    expect(open(OFFICE_HOURS, "UTC", "2026-01-14T08:59:59Z")).toBe(false);
    expect(open(OFFICE_HOURS, "UTC", "2026-01-14T17:00:00Z")).toBe(false);
  });

  test("the number's zone decides, not UTC: 16:30 in New York is 21:30 UTC", () => {
    expect(open(OFFICE_HOURS, "America/New_York", "2026-01-14T21:30:00Z")).toBe(true);
    expect(open(OFFICE_HOURS, "UTC", "2026-01-14T21:30:00Z")).toBe(false);
  });
});

describe("hours across midnight", () => {
  const nights = everyDay("22:00", "06:00");

  test("open late in the evening and in the early morning, closed in the day", () => {
    expect(open(nights, "UTC", "2026-01-14T23:30:00Z")).toBe(true);
    expect(open(nights, "UTC", "2026-01-15T05:59:00Z")).toBe(true);
    expect(open(nights, "UTC", "2026-01-15T06:00:00Z")).toBe(false);
    expect(open(nights, "UTC", "2026-01-15T12:00:00Z")).toBe(false);
  });

  test("the early hours belong to the night before: Friday night runs into a closed Saturday", () => {
    const fridayNightOnly = WEEKDAYS.map((_, day) => ({ open: day === 4, from: "22:00", to: "06:00" }));
    expect(open(fridayNightOnly, "UTC", "2026-01-17T03:00:00Z")).toBe(true); // Saturday 03:00
    expect(open(fridayNightOnly, "UTC", "2026-01-16T03:00:00Z")).toBe(false); // Friday 03:00: Thursday was closed
    expect(open(fridayNightOnly, "UTC", "2026-01-17T23:00:00Z")).toBe(false); // Saturday night
  });

  test("the same time twice is open all day", () => {
    expect(open(everyDay("00:00", "00:00"), "UTC", "2026-01-14T03:00:00Z")).toBe(true);
  });
});

describe("daylight saving time changes", () => {
  const nineToFive = everyDay("09:00", "17:00");

  test("Amsterdam on the last Sunday of March: the clocks go forward at 02:00", () => {
    // 07:30 UTC is 09:30 CEST on the day (open), where a fixed winter offset would say 08:30 (closed).
    expect(open(nineToFive, "Europe/Amsterdam", "2026-03-29T07:30:00Z")).toBe(true);
    expect(open(nineToFive, "Europe/Amsterdam", "2026-03-29T06:30:00Z")).toBe(false);
    // The day before, still winter time: 07:30 UTC is 08:30, closed.
    expect(open(nineToFive, "Europe/Amsterdam", "2026-03-28T07:30:00Z")).toBe(false);
  });

  test("Amsterdam on the last Sunday of October: 16:30 UTC is 17:30 after the change, closed", () => {
    expect(open(nineToFive, "Europe/Amsterdam", "2026-10-25T15:30:00Z")).toBe(true);
    expect(open(nineToFive, "Europe/Amsterdam", "2026-10-25T16:30:00Z")).toBe(false);
    expect(open(nineToFive, "Europe/Amsterdam", "2026-10-24T15:30:00Z")).toBe(false);
  });

  test("a night shift over the spring change closes at 06:00 on the new clocks", () => {
    const nights = everyDay("22:00", "06:00");
    // Sunday 29 March: 03:59 UTC is 05:59 CEST (open), 04:00 UTC is 06:00 CEST (closed).
    expect(open(nights, "Europe/Amsterdam", "2026-03-29T03:59:00Z")).toBe(true);
    expect(open(nights, "Europe/Amsterdam", "2026-03-29T04:00:00Z")).toBe(false);
  });

  test("New York on 8 March 2026 and 1 November 2026", () => {
    // Spring: 13:30 UTC is 09:30 EDT (open); the day before, 13:30 UTC was 08:30 EST (closed).
    expect(open(nineToFive, "America/New_York", "2026-03-08T13:30:00Z")).toBe(true);
    expect(open(nineToFive, "America/New_York", "2026-03-07T13:30:00Z")).toBe(false);
    // Autumn: 21:30 UTC is 16:30 EST (open); the day before, 17:30 EDT (closed).
    expect(open(nineToFive, "America/New_York", "2026-11-01T21:30:00Z")).toBe(true);
    expect(open(nineToFive, "America/New_York", "2026-10-31T21:30:00Z")).toBe(false);
  });
});

import { describe, expect, test } from "vitest";
import { change, formatDuration, formatReportDay, parseReportQuery, reportDays, reportSearch } from "~/lib/reports";

const query = (search: string) => parseReportQuery(new URLSearchParams(search));

describe("report periods", () => {
  test("the last 7 days end today, beside the 7 days before", () => {
    expect(reportDays(query(""), "2026-03-08")).toEqual({
      ok: true,
      days: { from: "2026-03-02", to: "2026-03-08", days: 7, previousFrom: "2026-02-23", previousTo: "2026-03-01" },
    });
    expect(reportDays(query("period=today"), "2026-03-01")).toMatchObject({
      days: { from: "2026-03-01", to: "2026-03-01", previousFrom: "2026-02-28", previousTo: "2026-02-28" },
    });
  });

  test("dates typed without choosing the custom period still mean those dates, in the future too", () => {
    expect(query("from=2027-01-01&to=2027-01-31").period).toBe("custom");
    expect(reportDays(query("from=2027-01-01&to=2027-01-31"), "2026-03-08")).toMatchObject({
      days: { days: 31, previousFrom: "2026-12-01", previousTo: "2026-12-31" },
    });
  });

  test("a custom period needs both dates, in order, at most a year apart", () => {
    expect(reportDays(query("period=custom&from=2026-01-01"), "2026-03-08")).toEqual({
      ok: false,
      message: "Choose both dates, as YYYY-MM-DD.",
    });
    expect(reportDays(query("period=custom&from=2026-02-01&to=2026-01-01"), "2026-03-08")).toMatchObject({ ok: false });
    expect(reportDays(query("period=custom&from=2025-01-01&to=2026-01-02"), "2026-03-08")).toEqual({
      ok: false,
      message: "Choose at most 366 days.",
    });
  });

  test("anything unknown falls back instead of failing the page; links leave the defaults out", () => {
    const odd = query("period=forever&from=yesterday&number=42&agent=");
    expect(odd).toEqual({ period: "7d", from: null, to: null, number: null, agent: null });
    expect(reportSearch(odd)).toBe("");
    expect(reportSearch(query("period=custom&from=2026-01-01&to=2026-01-31"), { table: "daily" })).toBe(
      "?period=custom&from=2026-01-01&to=2026-01-31&table=daily",
    );
  });
});

describe("report figures as people read them", () => {
  test("durations", () => {
    expect([null, 45, 90, 600, 3_900, 200_000].map(formatDuration)).toEqual([
      "—",
      "45 s",
      "1 min 30 s",
      "10 min",
      "1 h 05 min",
      "2 d 7 h",
    ]);
  });

  test("the change from the period before, none when there is nothing to compare with", () => {
    expect(change(12, 10)).toEqual({ direction: "up", percent: 20 });
    expect(change(5, 10)).toEqual({ direction: "down", percent: 50 });
    expect(change(10, 10)).toEqual({ direction: "same", percent: 0 });
    expect(change(3, 0)).toBeNull();
    expect(change(null, 60)).toBeNull();
  });

  test("days", () => {
    expect(formatReportDay("2026-03-03")).toBe("Tue 3 Mar");
    expect(formatReportDay("2026-03-03", true)).toBe("Tue 3 Mar 2026");
  });
});

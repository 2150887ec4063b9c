import { WEEKDAYS, type ReportDays, type ReportTable } from "~/lib/reports";
import { CSV_BOM, csvRecord } from "../platform/csv";
import type { NamedFigures } from "./report";

/**
 * A report's tables as spreadsheets, the same figures the page shows: counts as numbers,
 * durations in whole seconds (a spreadsheet formats them), days as the viewer's local dates.
 */

type Cell = string | number | null;

const cell = (value: Cell) => (value === null ? "" : typeof value === "number" ? String(Math.round(value)) : value);

function csv(header: string[], rows: Cell[][]): string {
  return CSV_BOM + csvRecord(header) + rows.map((row) => csvRecord(row.map(cell))).join("");
}

export function reportCsv(table: ReportTable, figures: NamedFigures): string {
  switch (table) {
    case "summary": {
      const { current: now, previous: before, waiting } = figures;
      const row = (figure: string, current: Cell, previous: Cell): Cell[] => [figure, current, previous];
      return csv(
        ["figure", "this period", "previous period"],
        [
          row("conversations started", now.started, before.started),
          row("of which started by the team", now.startedByTeam, before.startedByTeam),
          row("inbound messages", now.inbound, before.inbound),
          row("outbound messages by people", now.byPeople, before.byPeople),
          row("automatic outbound messages", now.automatic, before.automatic),
          row("SMS segments sent", now.segments, before.segments),
          row("first response median (s)", now.firstResponseMedian, before.firstResponseMedian),
          row("first response p90 (s)", now.firstResponseP90, before.firstResponseP90),
          row("resolution median (s)", now.resolutionMedian, before.resolutionMedian),
          row("waiting for a reply now", waiting.conversations, null),
          row("oldest wait since", waiting.oldestSince?.toISOString() ?? null, null),
        ],
      );
    }
    case "daily":
      return csv(
        [
          "day",
          "inbound",
          "outbound by people",
          "automatic outbound",
          "segments",
          "first responses",
          "first response median (s)",
        ],
        figures.daily.map((day) => [
          day.day,
          day.inbound,
          day.byPeople,
          day.automatic,
          day.segments,
          day.responses,
          day.firstResponseMedian,
        ]),
      );
    case "heatmap":
      return csv(
        ["weekday", ...Array.from({ length: 24 }, (_, hour) => `${String(hour).padStart(2, "0")}:00`)],
        figures.heatmap.map((hours, weekday) => [WEEKDAYS[weekday]!, ...hours]),
      );
    case "agents":
      return csv(
        ["agent", "replies", "conversations resolved", "first response median (s)"],
        figures.agents.map((agent) => [agent.name, agent.replies, agent.resolved, agent.firstResponseMedian]),
      );
    case "numbers":
      return csv(
        ["number", "inbound", "outbound by people", "automatic outbound", "segments", "first response median (s)"],
        figures.numbers.map((number) => [
          number.name,
          number.inbound,
          number.byPeople,
          number.automatic,
          number.segments,
          number.firstResponseMedian,
        ]),
      );
  }
}

/** `birdline-report-daily-2026-11-01-to-2026-11-30.csv` */
export const reportFileName = (table: ReportTable, days: ReportDays) =>
  `birdline-report-${table}-${days.from}-to-${days.to}.csv`;

import type { ReactNode } from "react";
import { FigureTable } from "../figure-table";

/**
 * A chart as everyone can read it: an inline SVG drawn on the server (`role="img"`, its title and
 * description named by aria-labelledby), its legend in HTML, and the same numbers as a table in a
 * disclosure, for a screen reader, a keyboard, or anyone who wants the exact figures.
 */

export type ChartTable = { caption: string; columns: string[]; rows: (string | number)[][] };

export function ChartCard({
  id,
  heading,
  legend,
  table,
  children,
}: {
  id: string;
  heading: string;
  legend?: { label: string; swatch: string }[];
  table: ChartTable;
  /** The chart's <svg> (see ChartSvg). */
  children: ReactNode;
}) {
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 id={`${id}-heading`} className="text-base font-semibold text-slate-900">
        {heading}
      </h2>
      {legend ? (
        <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-700">
          {legend.map((entry) => (
            <li key={entry.label} className="flex items-center gap-1.5">
              <span aria-hidden="true" className={`inline-block h-3 w-3 rounded-sm ${entry.swatch}`} />
              {entry.label}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="mt-3">{children}</div>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer font-medium text-brand-700 hover:underline">Show the numbers</summary>
        <FigureTable label={table.caption} columns={table.columns} rows={table.rows} className="mt-2 max-h-80" />
      </details>
    </section>
  );
}

/** The drawing's frame: scales to its container's width; a viewBox in the units the charts draw in. */
export function ChartSvg({
  id,
  title,
  description,
  width,
  height,
  children,
}: {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
  children: ReactNode;
}) {
  return (
    <svg
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      viewBox={`0 0 ${width} ${height}`}
      className="h-auto w-full overflow-visible text-slate-500"
      fontSize={CHART_FONT}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {children}
    </svg>
  );
}

/** Large enough in viewBox units to stay legible when a phone scales a 400-unit chart down to 80 %, and not shouting on a wide one. */
export const CHART_FONT = 13;

/** A round axis maximum at or above `value`: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((step) => step >= value) ?? 10 * power;
}

// Round durations for a time axis: 30 s, 1 min … 12 h, 1 day, 2 days, a week.
const DURATION_STEPS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400, 172_800, 604_800];

/** A round duration (seconds) at or above `seconds`, for a time axis. */
export const niceDuration = (seconds: number) =>
  DURATION_STEPS.find((step) => step >= seconds) ?? niceMax(seconds / 86_400) * 86_400;

/** Which of `count` labels along an axis to print so they do not overlap: every `step`-th. */
export const labelStep = (count: number, room: number) => Math.max(1, Math.ceil(count / room));

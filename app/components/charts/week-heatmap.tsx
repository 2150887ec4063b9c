import { WEEKDAYS } from "~/lib/reports";
import { ChartSvg } from "./chart-card";

/** Counts by weekday (rows, Monday first) and hour (columns), darker for more. */

const WIDTH = 400;
const LEFT = 40;
const TOP = 20;
const CELL_HEIGHT = 22;
const HEIGHT = TOP + 7 * CELL_HEIGHT;

// Five steps from pale to the brand blue; an empty hour stays the page's grey.
const SHADES = [
  "fill-slate-100",
  "fill-brand-100",
  "fill-[#8ec0f0]",
  "fill-brand-500",
  "fill-brand-600",
  "fill-brand-900",
];

export function WeekHeatmap({
  id,
  title,
  description,
  counts,
}: {
  id: string;
  title: string;
  description: string;
  counts: number[][];
}) {
  const max = Math.max(0, ...counts.flat());
  const cell = (WIDTH - LEFT) / 24;
  const shade = (count: number) =>
    SHADES[count === 0 ? 0 : Math.max(1, Math.ceil((count / max) * (SHADES.length - 1)))]!;
  return (
    <ChartSvg id={id} title={title} description={description} width={WIDTH} height={HEIGHT}>
      {[0, 6, 12, 18].map((hour) => (
        <text key={hour} x={LEFT + hour * cell} y={TOP - 7} fill="currentColor">
          {`${String(hour).padStart(2, "0")}:00`}
        </text>
      ))}
      {counts.map((hours, weekday) => (
        <g key={WEEKDAYS[weekday]}>
          <text x={0} y={TOP + weekday * CELL_HEIGHT + CELL_HEIGHT / 2} dominantBaseline="middle" fill="currentColor">
            {WEEKDAYS[weekday]}
          </text>
          {hours.map((count, hour) => (
            <rect
              key={hour}
              x={LEFT + hour * cell + 1}
              y={TOP + weekday * CELL_HEIGHT + 1}
              width={cell - 2}
              height={CELL_HEIGHT - 2}
              rx={2}
              className={shade(count)}
            >
              <title>{`${WEEKDAYS[weekday]} ${String(hour).padStart(2, "0")}:00–${String(hour).padStart(2, "0")}:59: ${count} inbound`}</title>
            </rect>
          ))}
        </g>
      ))}
    </ChartSvg>
  );
}

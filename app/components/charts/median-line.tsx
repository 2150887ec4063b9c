import { formatDuration } from "~/lib/reports";
import { ChartSvg, labelStep, niceDuration } from "./chart-card";

/** A line of durations (seconds) per category; a day without any is a gap, not a zero. */

export type LinePoint = { label: string; fullLabel: string; seconds: number | null };

const WIDTH = 400;
const HEIGHT = 220;
const LEFT = 64;
const RIGHT = 8;
const BOTTOM = 24;
const TOP = 10;

export function MedianLine({
  id,
  title,
  description,
  points,
}: {
  id: string;
  title: string;
  description: string;
  points: LinePoint[];
}) {
  const max = niceDuration(Math.max(0, ...points.map((point) => point.seconds ?? 0)));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT - RIGHT) / Math.max(1, points.length);
  const x = (index: number) => LEFT + index * slot + slot / 2;
  const y = (seconds: number) => TOP + plotHeight - (seconds / max) * plotHeight;
  const every = labelStep(points.length, 5);
  // Runs of consecutive days with a value, each drawn as one line.
  const runs: { index: number; seconds: number }[][] = [];
  points.forEach((point, index) => {
    if (point.seconds === null) return;
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && last.index === index - 1) run.push({ index, seconds: point.seconds });
    else runs.push([{ index, seconds: point.seconds }]);
  });
  return (
    <ChartSvg id={id} title={title} description={description} width={WIDTH} height={HEIGHT}>
      {[0, max / 2, max].map((tick) => (
        <g key={tick}>
          <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(tick)} y2={y(tick)} className="stroke-slate-200" />
          <text x={LEFT - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle" fill="currentColor">
            {formatDuration(tick)}
          </text>
        </g>
      ))}
      {runs.map((run) => (
        <polyline
          key={run[0]!.index}
          points={run.map((point) => `${x(point.index)},${y(point.seconds)}`).join(" ")}
          fill="none"
          strokeWidth={2.5}
          strokeLinejoin="round"
          className="stroke-brand-600"
        />
      ))}
      {points.map((point, index) => (
        <g key={point.fullLabel}>
          {point.seconds !== null ? (
            <>
              <title>{`${point.fullLabel}: ${formatDuration(point.seconds)}`}</title>
              <rect x={LEFT + index * slot} y={TOP} width={slot} height={plotHeight} fill="transparent" />
              <circle cx={x(index)} cy={y(point.seconds)} r={points.length > 31 ? 2 : 4} className="fill-brand-600" />
            </>
          ) : null}
          {index % every === 0 ? (
            <text x={x(index)} y={HEIGHT - 6} textAnchor="middle" fill="currentColor">
              {point.label}
            </text>
          ) : null}
        </g>
      ))}
    </ChartSvg>
  );
}

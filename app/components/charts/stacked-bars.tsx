import { ChartSvg, labelStep, niceMax } from "./chart-card";

/** Bars of stacked parts, one bar per category (a day), with a y axis of counts. */

export type BarSeries = { label: string; fill: string };
export type Bar = { label: string; /** For the bar's tooltip: the whole date. */ fullLabel: string; values: number[] };

const WIDTH = 400;
const HEIGHT = 220;
const LEFT = 40;
const BOTTOM = 24;
const TOP = 10;

export function StackedBars({
  id,
  title,
  description,
  series,
  bars,
}: {
  id: string;
  title: string;
  description: string;
  series: BarSeries[];
  bars: Bar[];
}) {
  const max = niceMax(Math.max(0, ...bars.map((bar) => bar.values.reduce((sum, value) => sum + value, 0))));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / Math.max(1, bars.length);
  const barWidth = Math.max(1, slot * 0.7);
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const every = labelStep(bars.length, 5);
  return (
    <ChartSvg id={id} title={title} description={description} width={WIDTH} height={HEIGHT}>
      {[0, max / 2, max].map((tick) => (
        <g key={tick}>
          <line x1={LEFT} x2={WIDTH} y1={y(tick)} y2={y(tick)} className="stroke-slate-200" />
          <text x={LEFT - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle" fill="currentColor">
            {tick.toLocaleString("en-GB")}
          </text>
        </g>
      ))}
      {bars.map((bar, index) => {
        const x = LEFT + index * slot + (slot - barWidth) / 2;
        let base = 0;
        return (
          <g key={bar.fullLabel}>
            <title>{`${bar.fullLabel}: ${series.map((part, i) => `${bar.values[i]} ${part.label.toLowerCase()}`).join(", ")}`}</title>
            {/* The whole slot takes the pointer, so thin bars still show their tooltip. */}
            <rect x={LEFT + index * slot} y={TOP} width={slot} height={plotHeight} fill="transparent" />
            {bar.values.map((value, part) => {
              const top = y(base + value);
              const height = y(base) - top;
              base += value;
              return value > 0 ? (
                <rect key={part} x={x} y={top} width={barWidth} height={height} className={series[part]!.fill} />
              ) : null;
            })}
            {index % every === 0 ? (
              <text x={x + barWidth / 2} y={HEIGHT - 6} textAnchor="middle" fill="currentColor">
                {bar.label}
              </text>
            ) : null}
          </g>
        );
      })}
    </ChartSvg>
  );
}

/**
 * Line charts drawn on the server as SVG: no chart library, nothing run in the browser. Each
 * chart is an image with a title and a description that says what it shows in words, labelled
 * axes, and a legend in HTML; colours come from CSS classes, and series differ by dash too.
 *
 * @example
 * <LineChart id="loss" title="Loss per iteration" description="Fell from 812 to 95."
 *   xLabel="Iteration" yLabel="Loss" series={[{ name: "Loss", className: "series-loss",
 *   points: [{ x: 1, y: 812 }, { x: 2, y: 95 }] }]} />
 */

export interface ChartPoint {
  x: number;
  y: number;
  /** Shown on hover; `x: y` when absent. */
  label?: string;
}

export interface ChartSeries {
  name: string;
  /** Sets the series' colour and dash (static/app.css). */
  className: string;
  points: ChartPoint[];
}

export interface LineChartProps {
  /** Unique on the page: the title and description are found by it. */
  id: string;
  title: string;
  /** What the chart shows, in a sentence or two, for people who cannot see it. */
  description: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Fixed ends of the y axis; the data's own range (padded) when absent. */
  yMin?: number;
  yMax?: number;
  /** Whole-number x values only (iterations, versions), written by `xTick`. */
  xTick?: (x: number) => string;
}

const width = 480;
const height = 280;
const margin = { top: 14, right: 16, bottom: 56, left: 70 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;
const maxXTicks = 10;
/** Beyond this many points a series is a line alone: marks would run into each other. */
const maxMarkedPoints = 20;

export function LineChart(props: LineChartProps) {
  const points = props.series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xRange = padded(Math.min(...xs), Math.max(...xs), 0.5);
  const yTicks = niceTicks(
    props.yMin ?? Math.min(...ys),
    props.yMax ?? Math.max(...ys),
  );
  const yRange = { min: yTicks[0], max: yTicks[yTicks.length - 1] };
  const x = (value: number) =>
    margin.left + ((value - xRange.min) / (xRange.max - xRange.min)) * plotWidth;
  const y = (value: number) =>
    margin.top + plotHeight - ((value - yRange.min) / (yRange.max - yRange.min)) * plotHeight;
  const xTicks = wholeTicks(Math.ceil(xRange.min), Math.floor(xRange.max));
  const xTick = props.xTick ?? String;
  const titleId = `${props.id}-title`;
  const descriptionId = `${props.id}-desc`;
  return (
    <figure class="chart" id={props.id}>
      {/* Seen by everyone; screen readers get the same words from the image's own title. */}
      <p class="chart-title" aria-hidden="true">{props.title}</p>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${titleId} ${descriptionId}`}
      >
        <title id={titleId}>{props.title}</title>
        <desc id={descriptionId}>{props.description}</desc>
        <g class="grid" aria-hidden="true">
          {yTicks.map((tick) => (
            <line x1={margin.left} x2={width - margin.right} y1={y(tick)} y2={y(tick)} />
          ))}
        </g>
        <g class="axis" aria-hidden="true">
          <line
            x1={margin.left}
            x2={margin.left}
            y1={margin.top}
            y2={margin.top + plotHeight}
          />
          <line
            x1={margin.left}
            x2={width - margin.right}
            y1={margin.top + plotHeight}
            y2={margin.top + plotHeight}
          />
          {yTicks.map((tick) => (
            <text x={margin.left - 8} y={y(tick)} text-anchor="end" dominant-baseline="middle">
              {formatNumber(tick)}
            </text>
          ))}
          {xTicks.map((tick) => (
            <text x={x(tick)} y={margin.top + plotHeight + 24} text-anchor="middle">
              {xTick(tick)}
            </text>
          ))}
          <text
            class="axis-label"
            x={margin.left + plotWidth / 2}
            y={height - 6}
            text-anchor="middle"
          >
            {props.xLabel}
          </text>
          <text
            class="axis-label"
            transform={`translate(18 ${margin.top + plotHeight / 2}) rotate(-90)`}
            text-anchor="middle"
          >
            {props.yLabel}
          </text>
        </g>
        {props.series.map((series) => (
          <g class={`series ${series.className}`}>
            {series.points.length > 1 && (
              <polyline
                fill="none"
                points={series.points.map((p) => `${round(x(p.x))},${round(y(p.y))}`).join(" ")}
              />
            )}
            {series.points.length <= maxMarkedPoints &&
              series.points.map((p) => (
                <circle cx={round(x(p.x))} cy={round(y(p.y))} r="4">
                  <title>{p.label ?? `${series.name}, ${xTick(p.x)}: ${formatNumber(p.y)}`}</title>
                </circle>
              ))}
          </g>
        ))}
      </svg>
      {props.series.length > 1 && (
        <figcaption>
          <ul class="legend">
            {props.series.map((series) => (
              <li class={series.className}>
                <span class="swatch" aria-hidden="true"></span>
                {series.name}
              </li>
            ))}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}

/** A range with room around a single value, so one point sits in the middle. */
function padded(min: number, max: number, pad: number): { min: number; max: number } {
  return min === max ? { min: min - pad, max: max + pad } : { min, max };
}

/** Round tick values (1, 2 or 5 × 10ⁿ apart) covering [min, max], about five of them. */
export function niceTicks(min: number, max: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    [min, max] = [min - pad, max + pad];
  }
  const rough = (max - min) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const first = Math.floor(min / step);
  const ticks: number[] = [];
  for (let n = first; ticks.length === 0 || ticks[ticks.length - 1] < max; n++) {
    ticks.push(Number((n * step).toPrecision(12)));
  }
  return ticks;
}

/** Whole numbers from `from` to `to`, at most `maxXTicks` of them, evenly spaced. */
function wholeTicks(from: number, to: number): number[] {
  if (to < from) return [];
  const step = Math.max(1, Math.ceil((to - from + 1) / maxXTicks));
  const ticks: number[] = [];
  for (let tick = from; tick <= to; tick += step) ticks.push(tick);
  return ticks;
}

/** Short numbers for axes: 0.25, 12, 3.4k, 1.2M. */
export function formatNumber(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e6) return `${trim(value / 1e6)}M`;
  if (size >= 1e4) return `${trim(value / 1e3)}k`;
  if (size >= 100) return String(Math.round(value));
  return trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

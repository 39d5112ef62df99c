/**
 * Charts of a run: Vega specs rendered headless to SVG (files beside report.md) and the same data as
 * Mermaid `xychart-beta` blocks, so the markdown shows charts on GitHub too. Pure apart from Vega's
 * own rendering (no files, no network: data is inline).
 */
import * as vega from 'vega';
import type { CellAnalysis, RunAnalysis } from '../bench/stats/index.js';
import { formatNumber, metricLabel } from '../bench/claims/index.js';
import { metrics, isMetricName } from '../bench/results/index.js';

/** One point of a chart: a category or x value, a series (variant), a value and its CI. */
export interface ChartPoint {
  x: string | number;
  series: string;
  value: number;
  low?: number;
  high?: number;
  /** Separate line within a series (e.g. one per repeat, same colour). */
  line?: string;
}

export interface ChartData {
  /** File name of the SVG beside report.md. */
  name: string;
  title: string;
  /** Scenario whose cells it shows (claim sections link the charts of their scenarios). */
  scenario: string;
  /** Metrics the chart shows: a claim section includes the charts of the metrics it is about. */
  metrics: string[];
  kind: 'bars' | 'lines' | 'steps';
  xTitle: string;
  yTitle: string;
  points: ChartPoint[];
}

const WIDTH = 480;
const HEIGHT = 240;
/** Colour-blind-safe categorical palette (Tableau 10). */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function axisTitle(metric: string): string {
  if (!isMetricName(metric)) return metric;
  const unit = metrics[metric].unit;
  const shown = unit === 'ratio' ? '%' : unit === 'bytes' ? 'MB' : unit === 'rps' ? 'req/s' : unit;
  return `${metrics[metric].label} (${shown})`;
}

/** Scales values for display in the metric's report unit (ratios in %, bytes in MB). */
function display(metric: string, value: number): number {
  if (!isMetricName(metric)) return value;
  const unit = metrics[metric].unit;
  return unit === 'ratio' ? value * 100 : unit === 'bytes' ? value / 1e6 : value;
}

/** Builds a Vega spec for a chart: grouped bars with CI whiskers, or lines (with CI) / steps over x. */
export function createVegaSpec(chart: ChartData): vega.Spec {
  const values = chart.points.map((p) => ({ ...p, low: p.low ?? p.value, high: p.high ?? p.value, xText: String(p.x), line: p.line ?? '' }));
  const seriesNames = [...new Set(chart.points.map((p) => p.series))];
  const color = { name: 'color', type: 'ordinal' as const, domain: seriesNames, range: PALETTE.slice(0, Math.max(1, seriesNames.length)) };
  const legend = seriesNames.length > 1 ? [{ fill: 'color', orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 420 }] : [];
  const base = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: WIDTH,
    height: HEIGHT,
    padding: 8,
    background: 'white',
    title: { text: chart.title, anchor: 'start' as const, fontSize: 14 },
    data: [{ name: 'points', values }],
    legends: legend,
    config: { axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' } },
  };
  const yScale = {
    name: 'y',
    type: 'linear' as const,
    domain: { data: 'points', fields: ['value', 'high'] },
    range: 'height' as const,
    nice: true,
    zero: true,
  };
  const yAxis =
    chart.kind === 'steps'
      ? { orient: 'left' as const, scale: 'y', title: chart.yTitle, grid: true, format: 'd', tickMinStep: 1 }
      : { orient: 'left' as const, scale: 'y', title: chart.yTitle, grid: true, format: '~s' };
  // Value labels on bars only while they fit side by side.
  const barLabels = seriesNames.length <= 3;
  if (chart.kind === 'bars') {
    return {
      ...base,
      scales: [{ name: 'x', type: 'band', domain: { data: 'points', field: 'xText' }, range: 'width', padding: 0.2 }, yScale, color],
      axes: [{ orient: 'bottom', scale: 'x', title: chart.xTitle }, yAxis],
      marks: [
        {
          type: 'group',
          from: { facet: { data: 'points', name: 'facet', groupby: 'xText' } },
          encode: { enter: { x: { scale: 'x', field: 'xText' } } },
          signals: [{ name: 'width', update: "bandwidth('x')" }],
          scales: [{ name: 'inner', type: 'band', range: 'width', domain: { data: 'facet', field: 'series' }, padding: 0.1 }],
          marks: [
            {
              type: 'rect',
              from: { data: 'facet' },
              encode: {
                enter: {
                  x: { scale: 'inner', field: 'series' },
                  width: { scale: 'inner', band: 1 },
                  y: { scale: 'y', field: 'value' },
                  y2: { scale: 'y', value: 0 },
                  fill: { scale: 'color', field: 'series' },
                },
              },
            },
            {
              type: 'rule',
              from: { data: 'facet' },
              encode: {
                enter: {
                  x: { scale: 'inner', field: 'series', band: 0.5 },
                  y: { scale: 'y', field: 'low' },
                  y2: { scale: 'y', field: 'high' },
                  stroke: { value: '#333' },
                  strokeWidth: { value: 1.5 },
                },
              },
            },
            ...(barLabels
              ? [
                  {
                    type: 'text',
                    from: { data: 'facet' },
                    encode: {
                      enter: {
                        x: { scale: 'inner', field: 'series', band: 0.5 },
                        y: { scale: 'y', field: 'high', offset: -4 },
                        text: { signal: "format(datum.value, '.3~s')" },
                        align: { value: 'center' },
                        fontSize: { value: 10 },
                        fill: { value: '#333' },
                      },
                    },
                  },
                ]
              : []),
          ],
        },
      ],
    } as vega.Spec;
  }
  const numericX = chart.points.every((p) => typeof p.x === 'number');
  const xScale = numericX
    ? { name: 'x', type: 'linear' as const, domain: { data: 'points', field: 'x' }, range: 'width' as const, nice: true, zero: chart.kind === 'steps' }
    : { name: 'x', type: 'point' as const, domain: { data: 'points', field: 'xText' }, range: 'width' as const, padding: 0.5 };
  const xField = numericX ? 'x' : 'xText';
  // One mark per series, its x from the chart's field; the steps of a replica curve stay steps.
  const seriesMark = (type: 'area' | 'line' | 'symbol', enter: Record<string, unknown>) => ({
    type,
    from: { data: 'series' },
    encode: { enter: { x: { scale: 'x', field: xField }, ...enter } },
  });
  const seriesColor = { scale: 'color', field: 'series' };
  const interpolate = { value: chart.kind === 'steps' ? 'step-after' : 'linear' };
  return {
    ...base,
    scales: [xScale, yScale, color],
    axes: [{ orient: 'bottom', scale: 'x', title: chart.xTitle, grid: numericX }, yAxis],
    marks: [
      {
        type: 'group',
        from: { facet: { data: 'points', name: 'series', groupby: ['series', 'line'] } },
        marks: [
          seriesMark('area', {
            y: { scale: 'y', field: 'low' },
            y2: { scale: 'y', field: 'high' },
            fill: seriesColor,
            fillOpacity: { value: 0.15 },
            interpolate,
          }),
          seriesMark('line', { y: { scale: 'y', field: 'value' }, stroke: seriesColor, strokeWidth: { value: 2 }, interpolate }),
          ...(chart.kind === 'lines' ? [seriesMark('symbol', { y: { scale: 'y', field: 'value' }, fill: seriesColor, size: { value: 40 } })] : []),
        ],
      },
    ],
  } as vega.Spec;
}

/** Renders a chart to SVG with Vega's headless renderer. */
export async function renderChartSvg(chart: ChartData): Promise<string> {
  const view = new vega.View(vega.parse(createVegaSpec(chart)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function mermaidText(text: string): string {
  return text.replace(/["`]/g, "'");
}

/**
 * The chart as a Mermaid `xychart-beta` block: bars for one series, one line per series otherwise
 * (xychart has no legend, so the caption names the lines in order). Continuous x is shown as category
 * labels, which is what xychart offers.
 */
export function renderMermaidChart(chart: ChartData): string {
  const key = (p: ChartPoint) => (p.line ? `${p.series} ${p.line}` : p.series);
  const series = [...new Set(chart.points.map(key))];
  const xs = [...new Set(chart.points.map((p) => p.x))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : 0));
  const rows = series.map((s) => {
    const own = chart.points.filter((p) => key(p) === s);
    let last = own[0]?.value ?? 0;
    return xs.map((x) => {
      const point = own.find((p) => p.x === x);
      // xychart needs a value at every x: a step curve keeps its last value.
      if (point) last = point.value;
      return Number(formatNumber(point ? point.value : last));
    });
  });
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title "${mermaidText(chart.title)}"`,
    `    x-axis "${mermaidText(chart.xTitle)}" [${xs.map((x) => `"${mermaidText(String(x))}"`).join(', ')}]`,
    `    y-axis "${mermaidText(chart.yTitle)}"`,
    ...rows.map((r) => `    ${series.length === 1 && chart.kind === 'bars' ? 'bar' : 'line'} [${r.join(', ')}]`),
    '```',
  ];
  const caption = series.length > 1 ? `\n*Lines in order: ${series.map((s, i) => `${i + 1} = ${s}`).join('; ')}.*` : '';
  return lines.join('\n') + caption;
}

function labelWithout(cell: CellAnalysis, axis: string): string {
  return (
    cell.label
      .split(',')
      .filter((part) => !part.startsWith(`${axis}=`))
      .join(',') || cell.cell.scenario
  );
}

function metricPoints(
  cells: readonly CellAnalysis[],
  metric: string,
  x: (c: CellAnalysis) => string | number,
  series: (c: CellAnalysis) => string,
): ChartPoint[] {
  return cells.flatMap((c) => {
    const m = c.metrics[metric];
    if (!m || c.counts.completed === 0) return [];
    return [{ x: x(c), series: series(c), value: display(metric, m.median), low: display(metric, m.ci.low), high: display(metric, m.ci.high) }];
  });
}

/** Charts this run can show: only those whose data the run has. */
export function buildCharts(analysis: RunAnalysis): ChartData[] {
  const charts: ChartData[] = [];
  const scenarios = [...new Set(analysis.cells.map((c) => c.cell.scenario))];
  for (const scenario of scenarios) {
    const cells = analysis.cells.filter((c) => c.cell.scenario === scenario);
    const withLatency = cells.filter((c) => c.latency !== null);
    if (withLatency.length > 0) {
      charts.push({
        name: `${scenario}-latency.svg`,
        title: `${scenario}: latency percentiles per variant (pooled requests)`,
        scenario,
        metrics: ['latencyP50Ms', 'latencyP90Ms', 'latencyP99Ms', 'latencyP999Ms'],
        kind: 'bars',
        xTitle: 'percentile',
        yTitle: 'latency (ms)',
        points: withLatency.flatMap((c) => {
          const l = c.latency!;
          return [
            { x: 'P50', series: c.label, value: l.p50Ms },
            { x: 'P90', series: c.label, value: l.p90Ms },
            { x: 'P99', series: c.label, value: l.p99Ms },
            { x: 'P99.9', series: c.label, value: l.p999Ms },
          ];
        }),
      });
    }
    /** One chart per metric over the values of one axis, when the scenario varies it. */
    const byAxis = (
      axis: 'cpuLimit' | 'gc',
      over: readonly CellAnalysis[],
      metrics: readonly string[],
      look: { kind: 'lines' | 'bars'; xTitle: string; titled: string; x: (c: CellAnalysis) => string | number },
    ) => {
      if (new Set(over.map((c) => c.cell.settings[axis])).size < 2) return;
      for (const metric of metrics) {
        const points = metricPoints(over, metric, look.x, (c) => labelWithout(c, axis));
        if (points.length === 0) continue;
        charts.push({
          name: `${scenario}-${metric}.svg`,
          title: `${scenario}: ${metricLabel(metric)} ${look.titled} (median, 95% CI)`,
          scenario,
          metrics: [metric],
          kind: look.kind,
          xTitle: look.xTitle,
          yTitle: axisTitle(metric),
          points,
        });
      }
    };
    const limited = cells.filter((c) => c.cell.settings.cpuLimit !== null);
    byAxis('cpuLimit', limited, ['throughputRps', 'throttledPeriodRatio'], {
      kind: 'lines',
      xTitle: 'CPU limit (cores)',
      titled: 'vs CPU limit',
      x: (c) => c.cell.settings.cpuLimit!,
    });
    // The runtime's GC share with and without idle marking, and the cgroup's CPU per request beside them.
    byAxis('gc', cells, ['gcCpuShare', 'gcCpuShareNoIdle', 'cpuMsPer1k'], {
      kind: 'bars',
      xTitle: 'GC build',
      titled: 'per GC build',
      x: (c) => c.cell.settings.gc,
    });
    const curves = cells.filter((c) => c.replicas.length > 0);
    if (curves.length > 0) {
      charts.push({
        name: `${scenario}-replicas.svg`,
        title: `${scenario}: replicas over time (one line per repeat)`,
        scenario,
        metrics: ['maxReplicas', 'replicaSeconds', 'scaleEvents', 'flaps', 'timeToScaleUpMs'],
        kind: 'steps',
        xTitle: 'time since load start (s)',
        yTitle: 'replicas',
        points: curves.flatMap((c) =>
          c.replicas.flatMap((r) => r.samples.map((s) => ({ x: s.tMs / 1000, series: c.label, line: `#${r.repeat + 1}`, value: s.replicas }))),
        ),
      });
    }
  }
  return charts;
}

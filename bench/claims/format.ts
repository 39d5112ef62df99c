/** Text for numbers in reports: units from the metric vocabulary, 3 significant digits. Pure. */
import { metrics, isMetricName } from '../results/index.js';
import type { Interval } from '../stats/index.js';

/** 3 significant digits, no exponent, no trailing zeros past the point (1234 → "1234", 0.01234 → "0.0123"). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  const digits = Math.min(6, 2 - Math.floor(Math.log10(abs)));
  return String(Number(value.toFixed(digits)));
}

/** A metric value with its unit: bytes in MB (10⁶), ratios in %, rates per second. */
export function formatMetricValue(metric: string, value: number): string {
  const unit = isMetricName(metric) ? metrics[metric].unit : undefined;
  switch (unit) {
    case 'bytes':
      return `${formatNumber(value / 1e6)} MB`;
    case 'ratio':
      return `${formatNumber(value * 100)}%`;
    case 'ms':
      return `${formatNumber(value)} ms`;
    case 'rps':
      return `${formatNumber(value)}/s`;
    case 'cores':
      return `${formatNumber(value)} cores`;
    case 'replica-s':
      return `${formatNumber(value)} replica·s`;
    default:
      return formatNumber(value);
  }
}

/** `12.3 MB ±4%` style: the CI as ± half-width relative to the median (benchstat), or absolute when the median is 0. */
export function formatWithCi(metric: string, median: number, ci: Interval): string {
  const half = Math.max(median - ci.low, ci.high - median);
  if (half === 0) return `${formatMetricValue(metric, median)} ±0%`;
  if (median !== 0) return `${formatMetricValue(metric, median)} ±${formatNumber((half / Math.abs(median)) * 100)}%`;
  return `${formatMetricValue(metric, median)} ±${formatMetricValue(metric, half)}`;
}

/** Signed percentage, e.g. `+3.1%`, `−12%`. */
export function formatPct(pct: number): string {
  const text = formatNumber(Math.abs(pct));
  if (Number(text) === 0) return '0%';
  return `${pct < 0 ? '−' : '+'}${text}%`;
}

export function formatPctInterval(ci: Interval): string {
  return `[${formatPct(ci.low)}, ${formatPct(ci.high)}]`;
}

/** p-value as benchstat prints it: `p=0.008`. */
export function formatP(p: number): string {
  return `p=${p < 0.001 ? '<0.001' : p.toFixed(3)}`;
}

export function metricLabel(metric: string): string {
  return isMetricName(metric) ? metrics[metric].label : metric;
}

/** The settings a verdict holds for, as they read in a sentence. */
const scopeParts: Array<[key: string, text: (value: unknown) => string | null]> = [
  ['cpuLimit', (v) => (v === null ? 'no CPU limit' : `CPU limit ${formatNumber(v as number)}`)],
  ['memLimitMiB', (v) => (v === null ? null : `memory limit ${formatNumber(v as number)} MiB`)],
  [
    'maxprocs',
    (v) =>
      v === 'auto'
        ? 'GOMAXPROCS from the runtime'
        : v === 'legacy'
          ? 'GOMAXPROCS container-unaware (containermaxprocs=0)'
          : `GOMAXPROCS ${String(v).replace(/^unaware\((\d+)\)$/, '$1 (unaware)')}`,
  ],
  ['gc', (v) => (v === 'default' ? 'Green Tea GC' : 'the previous GC (nogreenteagc)')],
  ['gogc', (v) => (v === 'unset' ? null : `GOGC=${String(v)}`)],
  ['gomemlimit', (v) => (v === 'unset' ? null : `GOMEMLIMIT ${typeof v === 'number' ? `${formatNumber(v / 2 ** 20)} MiB` : `${String(v)} of the limit`}`)],
  ['workload', (v) => `workload ${String(v)}`],
  ['liveHeapMiB', (v) => ((v as number) > 0 ? `live heap ${formatNumber(v as number)} MiB` : null)],
];

interface ScopedCell {
  /** Load cells name their load; image and start-up cells have none worth naming. */
  kind: string;
  settings: Record<string, unknown>;
  load: { model: 'closed'; connections: number } | { model: 'open'; ratePerSec: number } | { model: 'stages'; stages: ReadonlyArray<{ ratePerSec: number }> };
}

/**
 * The configuration a verdict holds for: the settings its cells share (the compared axis, which differs,
 * is left out) and the load, e.g. `CPU limit 0.5, GOMAXPROCS 2, workload alloc, live heap 64 MiB, 20 req/s`.
 */
export function describeScope(cells: readonly ScopedCell[]): string {
  const first = cells[0];
  if (first === undefined) return '';
  const same = (get: (c: ScopedCell) => unknown) => cells.every((c) => JSON.stringify(get(c)) === JSON.stringify(get(first)));
  const parts: string[] = [];
  const loaded = first.kind === 'load';
  for (const [key, text] of scopeParts) {
    if (!loaded && key === 'workload') continue;
    if (!(key in first.settings) || !same((c) => c.settings[key])) continue;
    const part = text(first.settings[key]);
    if (part !== null) parts.push(part);
  }
  const load = first.load;
  if (loaded && same((c) => c.load)) {
    if (load.model === 'open') parts.push(`${formatNumber(load.ratePerSec)} req/s`);
    else if (load.model === 'closed') parts.push(`closed model, ${load.connections} connection${load.connections === 1 ? '' : 's'}`);
    else parts.push(`stages up to ${formatNumber(Math.max(...load.stages.map((s) => s.ratePerSec)))} req/s`);
  }
  return parts.join(', ');
}

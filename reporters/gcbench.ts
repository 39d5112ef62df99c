/**
 * The standard GC benchmark (`bench gcbench`) as a markdown section, to stand beside the service-level
 * Green Tea result. Pure.
 */
import { formatNumber, formatP, formatPct, formatPctInterval } from '../bench/claims/index.js';
import type { GcBenchResult } from '../bench/gcbench/index.js';

function formatNs(ns: number): string {
  return ns >= 1e6 ? `${formatNumber(ns / 1e6)} ms/op` : ns >= 1e3 ? `${formatNumber(ns / 1e3)} µs/op` : `${formatNumber(ns)} ns/op`;
}

export function renderGcBench(result: GcBenchResult): string {
  const rows = result.comparisons.map((c) => {
    const d = c.difference;
    if (d === null) return `| ${c.benchmark} | n/a | n/a | n/a | | ${c.n.baseline}+${c.n.treatment} |`;
    const delta =
      d.relativePct === null ? 'n/a' : `${d.significant ? formatPct(d.relativePct) : '~'} ${d.relativeCi ? formatPctInterval(d.relativeCi) : ''}`.trimEnd();
    return `| ${c.benchmark} | ${formatNs(d.baseline.median)} | ${formatNs(d.treatment.median)} | ${delta} | ${formatP(d.p)} | ${c.n.baseline}+${c.n.treatment} |`;
  });
  return [
    `### Standard GC benchmark: ${result.module.path}@${result.module.version}`,
    '',
    `${result.goVersion}, ${result.hostCpus} CPUs, ${result.rounds} interleaved rounds of \`go test -bench -benchtime ${result.benchtime}\` per build (${formatNumber(result.durationMs / 1000)} s in all). ` +
      'Baseline: `GOEXPERIMENT=nogreenteagc`; treatment: the default GC (Green Tea). Δ is the Hodges–Lehmann change of ns/op, round by round when every round ran both builds (paired), with its 95% interval; lower is better; `~` = not significant.',
    '',
    '| benchmark | nogreenteagc (median) | default (median) | Δ [CI] | p | n |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    ...result.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/**
 * The standard GC benchmark's comparison, default GC build vs `nogreenteagc`, with the project's
 * statistics (bench/stats). Pure: samples in, comparisons out.
 */
import { comparePaired, compareSamples, type Difference } from '../stats/index.js';

/** The GC builds compared: the baseline is the pre-1.26 collector, the treatment Go's default (Green Tea). */
export const gcBenchBuilds = ['nogreenteagc', 'default'] as const;
export type GcBenchBuild = (typeof gcBenchBuilds)[number];

/** One benchmark result of one `go test -bench` process. */
export interface GcBenchSample {
  round: number;
  build: GcBenchBuild;
  benchmark: string;
  nsPerOp: number;
  bytesPerOp: number | null;
  allocsPerOp: number | null;
}

export interface GcBenchComparison {
  benchmark: string;
  metric: 'nsPerOp';
  baseline: 'nogreenteagc';
  treatment: 'default';
  n: { baseline: number; treatment: number };
  /** `paired` when every round ran both builds (compared round by round), else `independent`. */
  design: 'paired' | 'independent';
  /** `null` when a side has no sample. */
  difference: Difference | null;
}

/**
 * ns/op of each benchmark, default vs nogreenteagc. The rounds ran both builds back to back, so when
 * every round has both they are compared as pairs (per-round ratios, Wilcoxon signed-rank): a drift of
 * the machine between rounds cancels out. Otherwise as independent samples.
 */
export function compareGcBenchSamples(samples: readonly GcBenchSample[], seed: number): GcBenchComparison[] {
  const names = [...new Set(samples.map((s) => s.benchmark))];
  return names.map((benchmark) => {
    const of = (build: GcBenchBuild) => samples.filter((s) => s.benchmark === benchmark && s.build === build);
    const baseline = of('nogreenteagc');
    const treatment = of('default');
    const rounds = [...new Set(baseline.map((s) => s.round))];
    const paired = rounds.length === baseline.length && rounds.length === treatment.length && rounds.every((r) => treatment.some((t) => t.round === r));
    const base = {
      benchmark,
      metric: 'nsPerOp',
      baseline: 'nogreenteagc',
      treatment: 'default',
      n: { baseline: baseline.length, treatment: treatment.length },
    } as const;
    if (baseline.length === 0 || treatment.length === 0) return { ...base, design: 'independent', difference: null };
    if (paired && rounds.length >= 2) {
      const pairs = rounds.map((r) => [baseline.find((s) => s.round === r)!.nsPerOp, treatment.find((s) => s.round === r)!.nsPerOp] as const);
      return { ...base, design: 'paired', difference: comparePaired(pairs, { seed }) };
    }
    return {
      ...base,
      design: 'independent',
      difference: compareSamples(
        baseline.map((s) => s.nsPerOp),
        treatment.map((s) => s.nsPerOp),
        { seed },
      ),
    };
  });
}

/**
 * Order of the `go test` processes: every round runs both builds, which one goes first alternating
 * from round to round, so a drift of the machine (heat, a neighbour's load) falls on both alike.
 */
export function interleavedOrder(rounds: number): Array<{ round: number; build: GcBenchBuild }> {
  const out: Array<{ round: number; build: GcBenchBuild }> = [];
  for (let round = 0; round < rounds; round++) {
    const pair: GcBenchBuild[] = round % 2 === 0 ? ['nogreenteagc', 'default'] : ['default', 'nogreenteagc'];
    for (const build of pair) out.push({ round, build });
  }
  return out;
}

/** What `bench gcbench` writes (JSON). */
export interface GcBenchResult {
  schemaVersion: 1;
  kind: 'gcbench';
  createdAt: string;
  goVersion: string;
  module: { path: string; version: string };
  benchmarks: string[];
  rounds: number;
  benchtime: string;
  hostCpus: number;
  durationMs: number;
  /** Every sample, in run order (raw figures kept). */
  samples: GcBenchSample[];
  comparisons: GcBenchComparison[];
  notes: string[];
}

/**
 * Claim verdicts from a run's analysis, by documented rules with named thresholds:
 *
 * - `not-measurable`: no measurement of the claim runs on this target (or the claim is a note).
 * - `not-run`: a measurement exists for this target but the run has no cell of its scenario.
 * - `inconclusive`: fewer completed repeats than required, a metric missing, or no rule below applies.
 * - baseline → treatment (effect and no-worse checks): one method gives the change, its interval and
 *   significance (bench/stats/difference.ts): the Hodges–Lehmann ratio (median of all pairwise
 *   treatment/baseline ratios, as a % change) with the distribution-free interval that inverts the
 *   Mann–Whitney test; significant ⇔ the interval excludes 0 ⇔ p ≤ α. Every line shows Δ [CI].
 * - multiplicity: the comparisons that can give a verdict within one claim (every pair of every effect
 *   and no-worse check) form a family. Their p-values (from the same Mann–Whitney test) are adjusted by
 *   Holm, and each interval is recomputed at the level 1 − α·p/p_Holm, so a figure is significant after
 *   the correction exactly when its widened interval excludes 0. The level is shown in the reason.
 * - no directional verdict from fewer than MIN_REPEATS_DIRECTIONAL (5) completed repeats a side, nor
 *   from an interval that cannot reach its level (too few values): `inconclusive`.
 * - effect checks, on the interval I of the relative change and the claimed change c:
 *   `refuted` — I entirely on the opposite side of 0, or (c named, or I reaching 0) I entirely within
 *   ±`noEffectMarginPct(c)`; `confirmed` — I excludes 0 on the claimed side and c lies inside I or I
 *   lies beyond c (any I on the claimed side when the claim names no size); `weaker` — I lies entirely short of c
 *   (excluding 0 on the claimed side, or reaching 0: the claimed size is rejected either way, and the
 *   reason says "perhaps none"); else `inconclusive`, saying which effects the interval rules out:
 *   "no effect larger than ±X% at 95%" with X the farther end of I.
 * - no-worse checks: `refuted` if I lies entirely on the worse side; `confirmed` if I's worse end stays
 *   within NO_EFFECT_MARGIN_PCT; else `inconclusive`.
 * - absolute checks: `below`/`at-least`/`about` compare the median's CI with the figure (all of it on
 *   the claimed side → `confirmed`, all of it on the other → `refuted`); `at-most` is about every
 *   repeat: all within → `confirmed`, median beyond → `refuted`, some repeats beyond → `weaker`.
 * - the GOMAXPROCS rule: equal to the limit everywhere → `confirmed`; the Go 1.25 rule
 *   `min(max(2, ceil(limit)), host CPUs)` everywhere and different from the limit somewhere →
 *   `weaker` when the host can tell the rule from the host CPU count, else `inconclusive`; the host
 *   CPU count everywhere on a host where the rule differs → `refuted`.
 * - no-op checks: the runtime reports the same setting for both → `refuted` (the claimed optimisation
 *   does nothing), whatever the other metrics do; a different setting → `inconclusive`.
 * - no-failures checks ("drops no request"): failures and exposed requests summed over a cell's
 *   completed repeats; any failure → `refuted`; none → `confirmed` only when the 95% upper bound on
 *   the failure rate, 3/N (the rule of three), is below the check's `maxFailureRate`, else
 *   `inconclusive` (too few requests exposed for zero to mean anything).
 * - several figures or cells: the worst wins, in the order refuted > weaker > inconclusive > confirmed.
 */
import { isDriftReference, metrics, isMetricName } from '../results/index.js';
import type { ClaimCheck, ClaimSpec, CellSelector } from '../../scenarios/index.js';
import {
  compareCellMetric,
  MIN_REPEATS_DIRECTIONAL,
  type CellAnalysis,
  type RunAnalysis,
  type Difference,
  adjustPValues,
  expectedAutoGomaxprocs,
} from '../stats/index.js';
import { describeScope, formatMetricValue, formatNumber, formatPct, formatPctInterval, formatWithCi, metricLabel } from './format.js';

export type Verdict = 'confirmed' | 'weaker' | 'refuted' | 'inconclusive' | 'not-measurable' | 'not-run';

/** How a verdict reads in reports. */
export const verdictText: Record<Verdict, string> = {
  confirmed: 'confirmed',
  weaker: 'weaker than claimed',
  refuted: 'refuted',
  inconclusive: 'inconclusive',
  'not-measurable': 'not measurable on this target',
  'not-run': 'not run',
};

/** How a verdict reads, with "better than claimed" where a refuted figure misses in the user's favour. */
export function verdictLabel(v: { verdict: Verdict; betterThanClaimed?: boolean }): string {
  return v.verdict === 'refuted' && v.betterThanClaimed === true ? 'refuted — better than claimed' : verdictText[v.verdict];
}

/** The cells a check judged (pairs and single cells), for its scope. */
function judgedCells(result: CheckResult): CellAnalysis[] {
  return [...result.pairs.flatMap((p) => [p.baseline, p.treatment]), ...result.cells.map((c) => c.cell)];
}

/** A non-significant difference whose whole CI lies within ±this % counts as "no effect". */
export const NO_EFFECT_MARGIN_PCT = 5;

/** The no-effect band for a claimed change: never more than half the claimed size. */
export function noEffectMarginPct(claimedChangePct: number | null): number {
  return claimedChangePct === null || claimedChangePct === 0 ? NO_EFFECT_MARGIN_PCT : Math.min(NO_EFFECT_MARGIN_PCT, Math.abs(claimedChangePct) / 2);
}

/** Severity for combining: the worst verdict of a claim's figures is the claim's verdict. */
const severity: Record<Verdict, number> = { confirmed: 0, inconclusive: 1, weaker: 2, refuted: 3, 'not-run': -1, 'not-measurable': -2 };

export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  const measured = verdicts.filter((v) => v !== 'not-run' && v !== 'not-measurable');
  if (measured.length === 0) return verdicts.includes('not-run') ? 'not-run' : 'not-measurable';
  return measured.reduce((worst, v) => (severity[v] > severity[worst] ? v : worst));
}

export interface PairResult {
  baseline: CellAnalysis;
  treatment: CellAnalysis;
  metric: string;
  difference: Difference | null;
  verdict: Verdict;
  reason: string;
}

export interface CellResult {
  cell: CellAnalysis;
  metric: string;
  verdict: Verdict;
  reason: string;
  betterThanClaimed?: true;
}

export interface CheckResult {
  check: ClaimCheck;
  scenario: string;
  verdict: Verdict;
  /** One line: what was measured, with CI. */
  measured: string;
  reason: string;
  pairs: PairResult[];
  cells: CellResult[];
  /** Cells shown beside the judged ones, not judged (a check's `context` selectors). */
  contextCells?: CellAnalysis[];
  /** A refuted figure that misses the document's number in the user's favour (a smaller image than claimed). */
  betterThanClaimed?: boolean;
  /** The configuration the verdict holds for: settings its cells share, and the load (see `describeScope`). */
  scope?: string;
}

export interface ClaimVerdict {
  claim: ClaimSpec;
  verdict: Verdict;
  /** Refuted only by figures better than the document's (every refuted check `betterThanClaimed`). */
  betterThanClaimed?: boolean;
  measured: string;
  reason: string;
  checks: CheckResult[];
  /** Measurements that apply to this target but whose scenario the run did not include. */
  notRun: Array<{ scenario: string; targets: string[] }>;
  /** Where the claim can be measured (for "not run" / "not measurable" rows). */
  coverage: Array<{ scenario: string; targets: string[] }>;
}

function matches(cell: CellAnalysis, selector: CellSelector): boolean {
  return Object.entries(selector).every(([key, value]) => String(cell.cell.settings[key as keyof typeof cell.cell.settings]) === String(value));
}

/** Baseline/treatment cells that differ only in the selectors' axes. */
export function pairCells(cells: readonly CellAnalysis[], baseline: CellSelector, treatment: CellSelector): Array<[CellAnalysis, CellAnalysis]> {
  const varied = new Set([...Object.keys(baseline), ...Object.keys(treatment)]);
  const pairs: Array<[CellAnalysis, CellAnalysis]> = [];
  for (const b of cells.filter((c) => matches(c, baseline))) {
    const t = cells.find(
      (c) =>
        c !== b &&
        matches(c, treatment) &&
        Object.keys(b.cell.settings).every(
          (k) => varied.has(k) || String(b.cell.settings[k as keyof typeof b.cell.settings]) === String(c.cell.settings[k as keyof typeof c.cell.settings]),
        ),
    );
    if (t) pairs.push([b, t]);
  }
  return pairs;
}

function repeatsShort(cells: readonly CellAnalysis[]): string | null {
  const short = cells.filter((c) => !c.enough);
  if (short.length === 0) return null;
  return short.map((c) => `${c.label}: n=${c.counts.completed} < ${c.requiredRepeats} required`).join('; ');
}

/** Direction the claim expects: −1 lower, +1 higher. */
function claimedDirection(metric: string, claimedChangePct: number | null): number {
  if (claimedChangePct !== null && claimedChangePct !== 0) return Math.sign(claimedChangePct);
  return isMetricName(metric) && metrics[metric].better === 'higher' ? 1 : -1;
}

/** `95%`, `98.3%`: a confidence level as text. */
function formatLevel(level: number): string {
  return `${formatNumber(level * 100)}%`;
}

/** The change with its interval: `−12% [−20%, −4%]`, or the absolute shift when there is no ratio. */
export function formatChange(d: Difference, metric: string): string {
  const signed = (x: number) => `${x > 0 ? '+' : ''}${formatMetricValue(metric, x)}`;
  const text =
    d.relativePct !== null && d.relativeCi !== null
      ? `${formatPct(d.relativePct)} ${formatPctInterval(d.relativeCi)}`
      : `${signed(d.absolute)} [${signed(d.absoluteCi.low)}, ${signed(d.absoluteCi.high)}]`;
  return reachedLevel(d) ? text : `${text} (a ${formatLevel(d.achievedLevel)} interval: ${formatLevel(d.level)} is out of reach)`;
}

/** The interval reached the level it was asked for (few values cannot: 3 vs 3 reach 90% at most). */
function reachedLevel(d: Difference): boolean {
  return d.achievedLevel >= d.level - 1e-12;
}

/** What an interval that reaches 0 still says: the effects it rules out, and its resolution. */
function noEffectBeyond(d: Difference, metric: string): string {
  const at = `at ${formatLevel(d.level)}`;
  if (d.relativeCi) {
    const x = Math.max(Math.abs(d.relativeCi.low), Math.abs(d.relativeCi.high));
    return `no effect larger than ±${formatNumber(x)}% ${at} (the interval resolves ±${formatNumber(d.halfWidthPct ?? 0)}%)`;
  }
  return `no effect larger than ±${formatMetricValue(metric, Math.max(Math.abs(d.absoluteCi.low), Math.abs(d.absoluteCi.high)))} ${at}`;
}

function levelNotReached(d: Difference, metric: string): { verdict: Verdict; reason: string } {
  return {
    verdict: 'inconclusive',
    reason: `${formatChange(d, metric)}, the widest interval ${d.baseline.n}+${d.treatment.n} values give: no verdict`,
  };
}

/**
 * Evaluates one baseline → treatment difference against a claimed relative change, on its interval
 * (see the file header). Exported for tests.
 */
export function judgeEffect(d: Difference, metric: string, claimedChangePct: number | null): { verdict: Verdict; reason: string } {
  const direction = claimedDirection(metric, claimedChangePct);
  const claimText = claimedChangePct === null ? 'an improvement' : formatPct(claimedChangePct);
  if (!reachedLevel(d)) return levelNotReached(d, metric);
  const change = `${formatChange(d, metric)} at ${formatLevel(d.level)}`;
  const ci = d.relativeCi ?? d.absoluteCi;
  const opposite = d.significant && (direction < 0 ? ci.low > 0 : ci.high < 0);
  const claimedSide = d.significant && (direction < 0 ? ci.high < 0 : ci.low > 0);
  if (opposite) return { verdict: 'refuted', reason: `${change}: the whole interval is on the opposite side of the claimed ${claimText}` };
  if (d.relativeCi === null) {
    // Baseline values of 0 (e.g. zero failures): only the direction of the absolute shift can be judged.
    if (claimedSide && claimedChangePct === null) return { verdict: 'confirmed', reason: `${change}: the interval excludes 0 in the claimed direction` };
    if (claimedSide) return { verdict: 'inconclusive', reason: `${change}: right direction, but a relative size cannot be measured against a baseline of 0` };
    return { verdict: 'inconclusive', reason: `${change} reaches 0: ${noEffectBeyond(d, metric)}` };
  }
  const margin = noEffectMarginPct(claimedChangePct);
  if ((claimedChangePct !== null || !d.significant) && ci.low >= -margin && ci.high <= margin) {
    return { verdict: 'refuted', reason: `${change}: the whole interval lies within ±${formatNumber(margin)}%, no effect worth ${claimText}` };
  }
  if (claimedSide) {
    if (claimedChangePct === null) return { verdict: 'confirmed', reason: `${change}: the interval excludes 0 in the claimed direction` };
    return (direction < 0 ? ci.low <= claimedChangePct : ci.high >= claimedChangePct)
      ? { verdict: 'confirmed', reason: `${change}: the claimed ${claimText} lies inside the interval or the interval lies beyond it` }
      : { verdict: 'weaker', reason: `${change}: the interval excludes 0 but lies entirely short of the claimed ${claimText}` };
  }
  if (claimedChangePct !== null && (direction < 0 ? ci.low > claimedChangePct : ci.high < claimedChangePct)) {
    // The claimed size is outside the interval as surely as 0 would be: the claim does not hold at its
    // size, whether or not some smaller effect exists.
    return { verdict: 'weaker', reason: `${change} reaches 0 but lies entirely short of the claimed ${claimText}: smaller than claimed, perhaps none` };
  }
  return { verdict: 'inconclusive', reason: `${change} reaches 0: ${noEffectBeyond(d, metric)}` };
}

/** Treatment claimed no worse than baseline. Exported for tests. */
export function judgeNoWorse(d: Difference, metric: string): { verdict: Verdict; reason: string } {
  const worse = isMetricName(metric) && metrics[metric].better === 'higher' ? -1 : 1;
  if (!reachedLevel(d)) return levelNotReached(d, metric);
  const change = `${formatChange(d, metric)} at ${formatLevel(d.level)}`;
  const ci = d.relativeCi ?? d.absoluteCi;
  if (d.significant && (worse > 0 ? ci.low > 0 : ci.high < 0))
    return { verdict: 'refuted', reason: `${change}: significantly worse, the whole interval on the worse side` };
  if (d.relativeCi === null) {
    if (d.absoluteCi.low === 0 && d.absoluteCi.high === 0) return { verdict: 'confirmed', reason: `${change}: no shift anywhere in the interval` };
    return { verdict: 'inconclusive', reason: `${change}, baseline values of 0: ${noEffectBeyond(d, metric)}` };
  }
  const worseEnd = worse > 0 ? ci.high : -ci.low;
  if (worseEnd <= NO_EFFECT_MARGIN_PCT) return { verdict: 'confirmed', reason: `${change}: no worse than the baseline beyond ${NO_EFFECT_MARGIN_PCT}%` };
  return { verdict: 'inconclusive', reason: `${change}: could be up to ${formatPct(worseEnd * worse)} worse; ${noEffectBeyond(d, metric)}` };
}

/** Key of one comparison within a claim's multiplicity family. */
function comparisonKey(baseline: CellAnalysis, treatment: CellAnalysis, metric: string): string {
  return `${baseline.cell.id}→${treatment.cell.id}|${metric}`;
}

/** Why a pair gives no directional verdict (too few completed repeats), or `null`. */
function tooFewForDirection(cells: readonly CellAnalysis[]): string | null {
  const short = repeatsShort(cells);
  if (short) return short;
  const few = cells.filter((c) => c.counts.completed < MIN_REPEATS_DIRECTIONAL);
  if (few.length === 0) return null;
  return `${few.map((c) => `${c.label}: n=${c.counts.completed}`).join('; ')} < ${MIN_REPEATS_DIRECTIONAL} completed repeats a side needed for a directional verdict`;
}

/**
 * Holm-adjusted p of every comparison of a claim that can give a verdict (keyed by `comparisonKey`).
 * The p-values are those of the Mann–Whitney test whose inversion gives the intervals.
 */
function holmFamily(analysis: RunAnalysis, measurements: ReadonlyArray<{ scenario: string; checks: readonly ClaimCheck[] }>): Map<string, number> {
  const members = new Map<string, number>();
  for (const m of measurements) {
    const cells = analysis.cells.filter((c) => c.cell.scenario === m.scenario);
    for (const check of m.checks) {
      if (check.kind !== 'effect' && check.kind !== 'no-worse') continue;
      for (const [b, t] of pairCells(cells, check.baseline, check.treatment)) {
        if (tooFewForDirection([b, t])) continue;
        const d = compareCellMetric(analysis, b, t, check.metric);
        if (d) members.set(comparisonKey(b, t, check.metric), d.p);
      }
    }
  }
  const keys = [...members.keys()];
  const adjusted = adjustPValues([...members.values()], 'holm');
  return new Map(keys.map((k, i) => [k, adjusted[i]!]));
}

function evaluatePairs(
  analysis: RunAnalysis,
  cells: readonly CellAnalysis[],
  check: Extract<ClaimCheck, { kind: 'effect' | 'no-worse' }>,
  family: ReadonlyMap<string, number>,
): PairResult[] {
  return pairCells(cells, check.baseline, check.treatment).map(([b, t]) => {
    const base = { baseline: b, treatment: t, metric: check.metric };
    const pAdjusted = family.get(comparisonKey(b, t, check.metric));
    const difference = compareCellMetric(analysis, b, t, check.metric, pAdjusted === undefined ? {} : { adjusted: { method: 'holm', pAdjusted } });
    const few = tooFewForDirection([b, t]);
    if (few)
      return { ...base, difference, verdict: 'inconclusive', reason: `no verdict: ${few}${difference ? `; ${formatChange(difference, check.metric)}` : ''}` };
    if (!difference)
      return { ...base, difference, verdict: 'inconclusive', reason: `${metricLabel(check.metric)} missing in ${b.metrics[check.metric] ? t.label : b.label}` };
    const judged = check.kind === 'effect' ? judgeEffect(difference, check.metric, check.claimedChangePct) : judgeNoWorse(difference, check.metric);
    return { ...base, difference, ...judged };
  });
}

/** An absolute figure against one cell's values. Exported for tests. */
export function judgeAbsolute(
  values: readonly number[],
  estimate: { median: number; ci: { low: number; high: number } },
  check: Extract<ClaimCheck, { kind: 'absolute' }>,
): { verdict: Verdict; reason: string; betterThanClaimed?: true } {
  const v = check.value;
  const fmt = (x: number) => formatMetricValue(check.metric, x);
  const { low, high } = estimate.ci;
  const range = `median ${fmt(estimate.median)}, CI [${fmt(low)}, ${fmt(high)}]`;
  switch (check.relation) {
    case 'below':
      if (high < v) return { verdict: 'confirmed', reason: `${range} < ${fmt(v)}` };
      if (low >= v) return { verdict: 'refuted', reason: `${range} ≥ ${fmt(v)}` };
      return { verdict: 'inconclusive', reason: `${range} straddles ${fmt(v)}` };
    case 'at-least':
      if (low >= v) return { verdict: 'confirmed', reason: `${range} ≥ ${fmt(v)}` };
      if (high < v) return { verdict: 'refuted', reason: `${range} < ${fmt(v)}` };
      return { verdict: 'inconclusive', reason: `${range} straddles ${fmt(v)}` };
    case 'about': {
      const tol = (check.tolerancePct ?? 0) / 100;
      const lo = v * (1 - tol);
      const hi = v * (1 + tol);
      const band = `${fmt(lo)}–${fmt(hi)}`;
      if (low >= lo && high <= hi) return { verdict: 'confirmed', reason: `${range} within ${band}` };
      if (high < lo || low > hi) {
        const better =
          isMetricName(check.metric) && (metrics[check.metric].better === 'lower' ? high < lo : metrics[check.metric].better === 'higher' && low > hi);
        return better
          ? { verdict: 'refuted', reason: `${range} outside ${band}, on the better side: better than claimed`, betterThanClaimed: true }
          : { verdict: 'refuted', reason: `${range} outside ${band}` };
      }
      return { verdict: 'inconclusive', reason: `${range} overlaps the edge of ${band}` };
    }
    case 'at-most': {
      const beyond = values.filter((x) => x > v).length;
      if (beyond === 0) return { verdict: 'confirmed', reason: `all ${values.length} repeats ≤ ${fmt(v)} (max ${fmt(Math.max(...values))})` };
      if (estimate.median > v) return { verdict: 'refuted', reason: `median ${fmt(estimate.median)} > ${fmt(v)} (${beyond} of ${values.length} repeats)` };
      return { verdict: 'weaker', reason: `${beyond} of ${values.length} repeats > ${fmt(v)} (max ${fmt(Math.max(...values))})` };
    }
  }
}

/**
 * "Drops no request" from failures among `exposed` requests. Zero failures bound the failure rate by
 * 3/N at 95% (the rule of three: (1 − p)^N = 0.05 gives p ≈ 3/N). Exported for tests.
 */
export function judgeNoFailures(failed: number, exposed: number, maxFailureRate: number): { verdict: Verdict; reason: string; upperBound: number | null } {
  const pct = (x: number) => `${formatNumber(x * 100)}%`;
  if (exposed <= 0) return { verdict: 'inconclusive', reason: 'no request was exposed to the shutdown', upperBound: null };
  if (failed > 0) return { verdict: 'refuted', reason: `${failed} of ${exposed} exposed requests failed (${pct(failed / exposed)})`, upperBound: null };
  const bound = 3 / exposed;
  return bound < maxFailureRate
    ? {
        verdict: 'confirmed',
        reason: `0 of ${exposed} exposed requests failed; 95% upper bound on the failure rate 3/${exposed} = ${pct(bound)} < ${pct(maxFailureRate)}`,
        upperBound: bound,
      }
    : {
        verdict: 'inconclusive',
        reason: `0 of ${exposed} exposed requests failed, but the 95% upper bound 3/${exposed} = ${pct(bound)} is not below ${pct(maxFailureRate)}: more than ${Math.ceil(3 / maxFailureRate)} exposed requests are needed`,
        upperBound: bound,
      };
}

/**
 * OOM kills of one cell, counted over every repeat whatever its outcome. Any kill beyond `atMost`
 * refutes, however few repeats ran; none confirms once the cell has the repeats a verdict needs.
 * Exported for tests.
 */
export function judgeOomKills(oomKills: number, repeats: number, requiredRepeats: number, atMost: number): { verdict: Verdict; reason: string } {
  if (oomKills > atMost) return { verdict: 'refuted', reason: `the kernel OOM-killed the service in ${oomKills} of ${repeats} repeats (allowed: ${atMost})` };
  if (repeats < requiredRepeats) return { verdict: 'inconclusive', reason: `no verdict: n=${repeats} < ${requiredRepeats} required` };
  return { verdict: 'confirmed', reason: `${oomKills === 0 ? 'no OOM kill' : `${oomKills} OOM kills`} in ${repeats} repeats` };
}

/** The Go 1.25 rule for GOMAXPROCS under a CPU limit (one home: bench/stats/go-runtime.ts). */
export const expectedGomaxprocs = expectedAutoGomaxprocs;

/** GOMAXPROCS measured per limit vs the document and the Go rule. Exported for tests. */
export function judgeGomaxprocs(rows: ReadonlyArray<{ cpuLimit: number | null; measured: number }>, hostCpus: number): { verdict: Verdict; reason: string } {
  const limited = rows.filter((r) => r.cpuLimit !== null);
  if (limited.length === 0) return { verdict: 'inconclusive', reason: 'no cell with a CPU limit' };
  const text = limited.map((r) => `limit ${r.cpuLimit} → ${r.measured} (rule ${expectedGomaxprocs(r.cpuLimit, hostCpus)})`).join(', ');
  const distinguishing = limited.some((r) => expectedGomaxprocs(r.cpuLimit, hostCpus) !== hostCpus);
  if (limited.every((r) => r.measured === r.cpuLimit)) return { verdict: 'confirmed', reason: `GOMAXPROCS equals the limit: ${text}` };
  if (limited.every((r) => r.measured === expectedGomaxprocs(r.cpuLimit, hostCpus))) {
    return distinguishing
      ? { verdict: 'weaker', reason: `follows the limit by the Go 1.25 rule (rounded up, at least 2, at most ${hostCpus} host CPUs), not equal to it: ${text}` }
      : {
          verdict: 'inconclusive',
          reason: `on this ${hostCpus}-CPU host the rule gives the host CPU count at every limit tested, so container-aware and unaware cannot be told apart: ${text}`,
        };
  }
  if (distinguishing && limited.every((r) => r.measured === hostCpus)) {
    return { verdict: 'refuted', reason: `GOMAXPROCS stays at the ${hostCpus} host CPUs whatever the limit: ${text}` };
  }
  return { verdict: 'inconclusive', reason: `matches neither the limit nor the Go rule: ${text}` };
}

function evaluateCheck(
  analysis: RunAnalysis,
  cells: readonly CellAnalysis[],
  scenario: string,
  check: ClaimCheck,
  family: ReadonlyMap<string, number>,
): CheckResult {
  const base = { check, scenario, pairs: [] as PairResult[], cells: [] as CellResult[] };
  switch (check.kind) {
    case 'effect':
    case 'no-worse': {
      const pairs = evaluatePairs(analysis, cells, check, family);
      if (pairs.length === 0)
        return { ...base, verdict: 'inconclusive', measured: `${check.label}: no baseline/treatment pair in the run`, reason: 'no matching cells' };
      const measured = pairs
        .map((p) => {
          const d = p.difference;
          const where = pairs.length > 1 ? ` (${commonLabel(p)})` : '';
          if (!d) return `${check.label}${where}: n/a`;
          return `${check.label}${where}: ${formatChange(d, p.metric)}${d.significant ? '' : ' ~'}`;
        })
        .join('; ');
      const verdict = combineVerdicts(pairs.map((p) => p.verdict));
      return { ...base, pairs, verdict, measured, reason: pairs.map((p) => (pairs.length > 1 ? `${commonLabel(p)}: ${p.reason}` : p.reason)).join('; ') };
    }
    case 'absolute': {
      const selected = cells.filter((c) => matches(c, check.select));
      if (selected.length === 0) return { ...base, verdict: 'inconclusive', measured: `${check.label}: no matching cell`, reason: 'no matching cells' };
      const results = selected.map((c): CellResult => {
        const summary = c.metrics[check.metric];
        const short = repeatsShort([c]);
        if (short) return { cell: c, metric: check.metric, verdict: 'inconclusive', reason: `no verdict: ${short}` };
        if (!summary) return { cell: c, metric: check.metric, verdict: 'inconclusive', reason: `${metricLabel(check.metric)} missing` };
        return { cell: c, metric: check.metric, ...judgeAbsolute(summary.values, summary, check) };
      });
      const measured = results
        .map((r) => {
          const s = r.cell.metrics[check.metric];
          const where = results.length > 1 ? ` (${r.cell.label})` : '';
          return `${check.label}${where}: ${s ? formatWithCi(check.metric, s.median, s.ci) : 'n/a'}`;
        })
        .join('; ');
      const verdict = combineVerdicts(results.map((r) => r.verdict));
      const betterThanClaimed = verdict === 'refuted' && results.filter((r) => r.verdict === 'refuted').every((r) => r.betterThanClaimed === true);
      return {
        ...base,
        cells: results,
        verdict,
        ...(betterThanClaimed ? { betterThanClaimed } : {}),
        measured,
        reason: results.map((r) => (results.length > 1 ? `${r.cell.label}: ${r.reason}` : r.reason)).join('; '),
      };
    }
    case 'no-failures': {
      const selected = cells.filter((c) => matches(c, check.select));
      if (selected.length === 0) return { ...base, verdict: 'inconclusive', measured: `${check.label}: no matching cell`, reason: 'no matching cells' };
      const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
      const results = selected.map((c): CellResult & { failed: number | null; exposed: number | null } => {
        const failed = c.metrics[check.metric];
        const exposed = c.metrics[check.exposureMetric];
        const short = repeatsShort([c]);
        const counts = { failed: failed ? sum(failed.values) : null, exposed: exposed ? sum(exposed.values) : null };
        if (short) return { cell: c, metric: check.metric, ...counts, verdict: 'inconclusive', reason: `no verdict: ${short}` };
        if (!failed || !exposed)
          return {
            cell: c,
            metric: check.metric,
            ...counts,
            verdict: 'inconclusive',
            reason: `${metricLabel(failed ? check.exposureMetric : check.metric)} missing`,
          };
        const { verdict, reason } = judgeNoFailures(counts.failed!, counts.exposed!, check.maxFailureRate);
        return { cell: c, metric: check.metric, ...counts, verdict, reason };
      });
      const measured = results
        .map((r) => {
          const where = results.length > 1 ? ` (${r.cell.label})` : '';
          if (r.failed === null || r.exposed === null) return `${check.label}${where}: n/a`;
          const bound = r.failed === 0 && r.exposed > 0 ? `, 95% upper bound ${formatNumber((3 / r.exposed) * 100)}%` : '';
          return `${check.label}${where}: ${r.failed} of ${r.exposed} failed${bound}`;
        })
        .join('; ');
      const cellResults = results.map(({ failed: _f, exposed: _e, ...r }) => r);
      const contextCells = cells.filter((c) => !selected.includes(c) && (check.context ?? []).some((s) => matches(c, s)));
      return {
        ...base,
        cells: cellResults,
        contextCells,
        verdict: combineVerdicts(cellResults.map((r) => r.verdict)),
        measured,
        reason: cellResults.map((r) => (results.length > 1 ? `${r.cell.label}: ${r.reason}` : r.reason)).join('; '),
      };
    }
    case 'oom-kills': {
      const selected = cells.filter((c) => matches(c, check.select));
      if (selected.length === 0) return { ...base, verdict: 'inconclusive', measured: `${check.label}: no matching cell`, reason: 'no matching cells' };
      // Repeats in which the service ran under load: a died repeat counts, a failed or skipped one does not.
      const ran = (c: CellAnalysis) => c.counts.completed + c.counts.invalid + c.counts.died;
      const results = selected.map((c): CellResult => ({ cell: c, metric: 'oomKills', ...judgeOomKills(c.oomKills, ran(c), c.requiredRepeats, check.atMost) }));
      const measured = results
        .map((r) => `${check.label}${results.length > 1 ? ` (${r.cell.label})` : ''}: ${r.cell.oomKills} in ${ran(r.cell)} repeats`)
        .join('; ');
      return {
        ...base,
        cells: results,
        verdict: combineVerdicts(results.map((r) => r.verdict)),
        measured,
        reason: results.map((r) => (results.length > 1 ? `${r.cell.label}: ${r.reason}` : r.reason)).join('; '),
      };
    }
    case 'gomaxprocs-rule': {
      const selected = cells.filter((c) => matches(c, check.select));
      const short = repeatsShort(selected);
      const rows = selected.flatMap((c) => (c.metrics.gomaxprocs ? [{ cpuLimit: c.cell.settings.cpuLimit, measured: c.metrics.gomaxprocs.median }] : []));
      const measured = `GOMAXPROCS ${rows.map((r) => `${r.measured} at limit ${r.cpuLimit ?? 'none'}`).join(', ') || 'n/a'}`;
      const cellResults = selected.map((c): CellResult => ({ cell: c, metric: 'gomaxprocs', verdict: c.enough ? 'confirmed' : 'inconclusive', reason: '' }));
      if (selected.length === 0) return { ...base, verdict: 'inconclusive', measured, reason: 'no matching cells' };
      if (short) return { ...base, cells: cellResults, verdict: 'inconclusive', measured, reason: `no verdict: ${short}` };
      if (rows.length < selected.length) return { ...base, cells: cellResults, verdict: 'inconclusive', measured, reason: 'GOMAXPROCS missing in some cells' };
      return { ...base, cells: cellResults, measured, ...judgeGomaxprocs(rows, analysis.hostCpus) };
    }
    case 'no-op': {
      const pairs = pairCells(cells, check.baseline, check.treatment);
      if (pairs.length === 0)
        return { ...base, verdict: 'inconclusive', measured: `${check.label}: no baseline/treatment pair in the run`, reason: 'no matching cells' };
      const results: PairResult[] = [];
      const verdicts: Verdict[] = [];
      const reasons: string[] = [];
      for (const [b, t] of pairs) {
        for (const metric of [check.settingMetric, ...check.metrics]) {
          const difference = compareCellMetric(analysis, b, t, metric);
          results.push({ baseline: b, treatment: t, metric, difference, verdict: 'inconclusive', reason: '' });
        }
        const short = repeatsShort([b, t]);
        const sb = b.metrics[check.settingMetric];
        const st = t.metrics[check.settingMetric];
        if (short) {
          verdicts.push('inconclusive');
          reasons.push(`no verdict: ${short}`);
        } else if (!sb || !st) {
          verdicts.push('inconclusive');
          reasons.push(`${metricLabel(check.settingMetric)} missing`);
        } else if (sb.median === st.median && sb.values.every((v) => v === st.median) && st.values.every((v) => v === st.median)) {
          const moved = results
            .filter((r) => r.baseline === b && r.metric !== check.settingMetric && r.difference?.significant)
            .map((r) => metricLabel(r.metric));
          verdicts.push('refuted');
          reasons.push(
            `the runtime reports ${metricLabel(check.settingMetric)} = ${formatMetricValue(check.settingMetric, sb.median)} in both: a no-op` +
              (moved.length > 0
                ? `; ${moved.join(', ')} differ significantly, which the identical setting cannot explain (noise or order effects)`
                : '; no metric moved significantly'),
          );
        } else {
          verdicts.push('inconclusive');
          reasons.push(
            `${metricLabel(check.settingMetric)} differs: ${formatMetricValue(check.settingMetric, sb.median)} vs ${formatMetricValue(check.settingMetric, st.median)}`,
          );
        }
      }
      const setting = results.filter((r) => r.metric === check.settingMetric);
      const measured = setting
        .map(
          (r) =>
            `${metricLabel(r.metric)} ${r.difference ? `${formatMetricValue(r.metric, r.difference.baseline.median)} vs ${formatMetricValue(r.metric, r.difference.treatment.median)}` : 'n/a'}`,
        )
        .join('; ');
      const others = results
        .filter((r) => r.metric !== check.settingMetric && r.difference)
        .map((r) => `${metricLabel(r.metric)} ${formatChange(r.difference!, r.metric)}${r.difference!.significant ? '' : ' ~'}`);
      return { ...base, pairs: results, verdict: combineVerdicts(verdicts), measured: [measured, ...others].join('; '), reason: reasons.join('; ') };
    }
  }
}

/** Axis values the pair has in common (the cells' shared settings), for naming a pair. */
function commonLabel(p: { baseline: CellAnalysis; treatment: CellAnalysis }): string {
  const b = p.baseline.label.split(',');
  const t = new Set(p.treatment.label.split(','));
  const shared = b.filter((part) => t.has(part));
  return shared.length > 0 ? shared.join(',') : p.baseline.label;
}

/** Where a claim can be measured, as text: `gomaxprocs on docker, kind, kubernetes`. */
export function describeCoverage(coverage: ClaimVerdict['coverage']): string {
  if (coverage.length === 0) return 'no measurement (version note)';
  return coverage.map((c) => `\`${c.scenario}\` on ${c.targets.join('/')}`).join(', ');
}

export function evaluateClaims(fullAnalysis: RunAnalysis, catalog: readonly ClaimSpec[]): ClaimVerdict[] {
  // The drift reference measures the machine, not a variant: no check selects it.
  const analysis: RunAnalysis = { ...fullAnalysis, cells: fullAnalysis.cells.filter((c) => !isDriftReference(c.cell)) };
  return catalog.map((claim): ClaimVerdict => {
    const coverage = claim.measurements.map((m) => ({ scenario: m.scenario, targets: [...m.targets] }));
    const base = { claim, coverage, checks: [] as CheckResult[], notRun: [] as ClaimVerdict['notRun'] };
    if (claim.kind === 'note' || claim.measurements.length === 0) {
      return { ...base, verdict: 'not-measurable', measured: '—', reason: `version note, no measurement: ${claim.correctedFact}` };
    }
    const applicable = claim.measurements.filter((m) => (m.targets as string[]).includes(analysis.target));
    if (applicable.length === 0) {
      return { ...base, verdict: 'not-measurable', measured: '—', reason: `needs ${describeCoverage(coverage)}; this run's target is ${analysis.target}` };
    }
    const checks: CheckResult[] = [];
    const notRun: ClaimVerdict['notRun'] = [];
    const family = holmFamily(analysis, applicable);
    for (const m of applicable) {
      const cells = analysis.cells.filter((c) => c.cell.scenario === m.scenario);
      if (cells.length === 0) {
        const known = notRun.find((n) => n.scenario === m.scenario);
        if (known) known.targets = [...new Set([...known.targets, ...m.targets])];
        else notRun.push({ scenario: m.scenario, targets: [...m.targets] });
        continue;
      }
      for (const check of m.checks) {
        const result = evaluateCheck(analysis, cells, m.scenario, check, family);
        const scope = describeScope(judgedCells(result).map((c) => ({ kind: c.cell.kind, settings: c.cell.settings, load: c.cell.load })));
        checks.push(scope === '' ? result : { ...result, scope });
      }
    }
    if (checks.length === 0) {
      return {
        ...base,
        notRun,
        verdict: 'not-run',
        measured: '—',
        reason: `not run: ${notRun.map((n) => `scenario \`${n.scenario}\` on ${n.targets.join('/')}`).join(', ')}`,
      };
    }
    const verdict = combineVerdicts(checks.map((c) => c.verdict));
    const refuted = checks.filter((c) => c.verdict === 'refuted');
    const betterThanClaimed = verdict === 'refuted' && refuted.every((c) => c.betterThanClaimed === true);
    const skipped = notRun.length > 0 ? ` (not run: ${notRun.map((n) => `\`${n.scenario}\``).join(', ')})` : '';
    return {
      ...base,
      checks,
      notRun,
      verdict,
      ...(betterThanClaimed ? { betterThanClaimed } : {}),
      measured: checks.map((c) => c.measured).join('; '),
      reason: checks.map((c) => `${c.check.label}${c.scope === undefined ? '' : ` (${c.scope})`}: ${verdictLabel(c)} — ${c.reason}`).join('; ') + skipped,
    };
  });
}

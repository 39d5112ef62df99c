import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRunRecord } from '../results/store.js';
import type { RunRecord } from '../results/schema.js';
import { metrics } from '../results/metrics.js';
import { analyseRun } from '../stats/analyse.js';
import { compareSamples, type Difference } from '../stats/difference.js';
import { claimsCatalog, type ClaimCheck } from '../../scenarios/claims.js';
import { builtinScenarios } from '../../scenarios/index.js';
import {
  combineVerdicts,
  evaluateClaims,
  expectedGomaxprocs,
  judgeAbsolute,
  verdictLabel,
  judgeEffect,
  judgeGomaxprocs,
  judgeNoWorse,
  noEffectMarginPct,
  NO_EFFECT_MARGIN_PCT,
} from './evaluate.js';

function loadFixture(name: string): RunRecord {
  return parseRunRecord(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8'), name);
}

/**
 * A hand-made difference: only the fields the rules read matter. Significance follows the interval
 * (as compareSamples guarantees): it excludes 0 and the level was reached.
 */
function diff(
  relativePct: number | null,
  ci: [number, number] | null,
  options: { absolute?: number; absoluteCi?: [number, number]; achievedLevel?: number; level?: number } = {},
): Difference {
  const est = { n: 5, median: 1, ci: { low: 1, high: 1 } };
  const absolute = options.absolute ?? 0;
  const absoluteCi = options.absoluteCi ?? [absolute, absolute];
  const level = options.level ?? 0.95;
  const achievedLevel = options.achievedLevel ?? 0.968;
  const decisive = ci ?? absoluteCi;
  const significant = achievedLevel >= level && (decisive[0] > 0 || decisive[1] < 0);
  return {
    design: 'independent',
    scale: ci ? 'ratio' : 'shift',
    baseline: est,
    treatment: est,
    pairs: null,
    absolute,
    absoluteCi: { low: absoluteCi[0], high: absoluteCi[1] },
    relativePct,
    relativeCi: ci && { low: ci[0], high: ci[1] },
    halfWidthPct: ci && (ci[1] - ci[0]) / 2,
    level,
    achievedLevel,
    p: significant ? 0.008 : 0.3,
    pAdjusted: significant ? 0.008 : 0.3,
    correction: 'none',
    significant,
    method: 'exact',
  };
}

describe('effect rule (claimed −40% GC CPU): a directional verdict needs an interval that excludes 0', () => {
  test('confirmed: the claimed −40% lies inside the interval', () => {
    expect(judgeEffect(diff(-35, [-42, -28]), 'gcCpuShare', -40).verdict).toBe('confirmed');
  });
  test('confirmed: the interval lies entirely beyond the claim', () => {
    expect(judgeEffect(diff(-55, [-60, -50]), 'gcCpuShare', -40).verdict).toBe('confirmed');
  });
  test('weaker: the interval excludes 0 on the claimed side but lies entirely short of −40%', () => {
    const j = judgeEffect(diff(-12, [-16, -9]), 'gcCpuShare', -40);
    expect(j.verdict).toBe('weaker');
    expect(j.reason).toBe('−12% [−16%, −9%] at 95%: the interval excludes 0 but lies entirely short of the claimed −40%');
  });
  test('refuted: the whole interval on the opposite side', () => {
    expect(judgeEffect(diff(8, [4, 12]), 'gcCpuShare', -40).verdict).toBe('refuted');
  });
  test(`refuted: the whole interval inside ±${NO_EFFECT_MARGIN_PCT}% (a tight interval around no effect), even when it excludes 0`, () => {
    expect(judgeEffect(diff(0.5, [-2, 3]), 'gcCpuShare', -40).verdict).toBe('refuted');
    expect(judgeEffect(diff(-2, [-3, -1]), 'gcCpuShare', -40).verdict, 'real but negligible').toBe('refuted');
  });
  test('weaker: an interval reaching 0 that lies entirely short of the claim rejects the claimed size', () => {
    const j = judgeEffect(diff(11.8, [-2.35, 25.9], { level: 0.99, achievedLevel: 0.992 }), 'throughputRps', 36);
    expect(j.verdict).toBe('weaker');
    expect(j.reason).toBe('+11.8% [−2.35%, +25.9%] at 99% reaches 0 but lies entirely short of the claimed +36%: smaller than claimed, perhaps none');
    expect(judgeEffect(diff(-10, [-30, 5]), 'gcCpuShare', -40).verdict, 'claimed −40%, interval ends at −30%').toBe('weaker');
    expect(judgeEffect(diff(-10, [-30, 5]), 'gcCpuShare', null).verdict, 'no size claimed: only the direction').toBe('inconclusive');
  });
  test('inconclusive: an interval reaching 0 says which effects it rules out, with Δ [CI]', () => {
    const j = judgeEffect(diff(-20, [-45, 6]), 'gcCpuShare', -40);
    expect(j.verdict).toBe('inconclusive');
    expect(j.reason).toBe('−20% [−45%, +6%] at 95% reaches 0: no effect larger than ±45% at 95% (the interval resolves ±25.5%)');
  });
  test('the old counterexample: p = 0.032 but an interval [−71.1%, 0%] is not confirmed, whatever the p', () => {
    const j = judgeEffect(diff(-29.3, [-71.1, 0]), 'gcCpuShare', -40);
    expect(j.verdict).toBe('inconclusive');
    expect(j.reason).toContain('no effect larger than ±71.1% at 95%');
  });
  test('the reverse: an interval [+0.35%, +20%] excludes 0, so it is a directional verdict, never `~`', () => {
    expect(judgeEffect(diff(10, [0.35, 20]), 'throughputRps', 36).verdict).toBe('weaker');
    expect(judgeEffect(diff(10, [0.35, 20]), 'throughputRps', null).verdict).toBe('confirmed');
  });
  test('an interval that cannot reach 95% (3 vs 3: 90%) gives no verdict, however narrow', () => {
    const j = judgeEffect(diff(-50, [-50, -50], { achievedLevel: 0.9 }), 'gcCpuShare', -40);
    expect(j.verdict).toBe('inconclusive');
    expect(j.reason).toBe('−50% [−50%, −50%] (a 90% interval: 95% is out of reach), the widest interval 5+5 values give: no verdict');
  });
  test('the level of a corrected interval is named', () => {
    expect(judgeEffect(diff(-20, [-45, 6], { level: 1 - 0.05 / 3, achievedLevel: 0.99 }), 'gcCpuShare', -40).reason).toContain('at 98.3%');
  });
  test('the no-effect band is at most half the claim', () => {
    expect(noEffectMarginPct(-40)).toBe(5);
    expect(noEffectMarginPct(4)).toBe(2);
    expect(noEffectMarginPct(null)).toBe(5);
    // A claimed +4% with CI [−3, +3] is not "no effect" evidence against it at ±2%, but it does lie
    // short of +4%: smaller than claimed, perhaps none.
    expect(judgeEffect(diff(0, [-3, 3]), 'throughputRps', 4).verdict).toBe('weaker');
    expect(judgeEffect(diff(0, [-3, 5]), 'throughputRps', 4).verdict).toBe('inconclusive');
  });
  test('a claim of "an improvement" (no size) takes the direction from `better`', () => {
    expect(judgeEffect(diff(-30, [-40, -20]), 'flaps', null).verdict, 'fewer flaps').toBe('confirmed');
    expect(judgeEffect(diff(30, [20, 40]), 'flaps', null).verdict, 'more flaps').toBe('refuted');
    expect(judgeEffect(diff(10, [5, 15]), 'throughputRps', null).verdict, 'higher throughput').toBe('confirmed');
    expect(judgeEffect(diff(-2, [-3, -1]), 'flaps', null).verdict, 'any size').toBe('confirmed');
  });
  test('zero baseline: the absolute shift, direction only', () => {
    expect(judgeEffect(diff(null, null, { absolute: -3, absoluteCi: [-4, -2] }), 'flaps', null).verdict).toBe('confirmed');
    expect(judgeEffect(diff(null, null, { absolute: 3, absoluteCi: [2, 4] }), 'flaps', null).verdict).toBe('refuted');
    expect(judgeEffect(diff(null, null, { absolute: -3, absoluteCi: [-4, -2] }), 'flaps', -30).verdict).toBe('inconclusive');
    expect(judgeEffect(diff(null, null, { absolute: -3, absoluteCi: [-4, 1] }), 'flaps', null).verdict).toBe('inconclusive');
  });
  test('on real samples: the counterexample from compareSamples is not confirmed', () => {
    const d = compareSamples([13, 48, 28, 12, 20, 12], [10, 11, 13, 10, 13, 10]);
    expect(d.significant).toBe(false);
    expect(judgeEffect(d, 'gcCpuShare', -40).verdict).toBe('inconclusive');
  });
});

describe('no-worse rule (GOMEMLIMIT 100% vs 90%)', () => {
  test('refuted when the whole interval is on the worse side', () => {
    expect(judgeNoWorse(diff(12, [8, 16]), 'latencyP99Ms').verdict).toBe('refuted');
  });
  test(`confirmed when the worse end of the interval stays within ${NO_EFFECT_MARGIN_PCT}%`, () => {
    expect(judgeNoWorse(diff(1, [-3, 4]), 'latencyP99Ms').verdict).toBe('confirmed');
  });
  test('confirmed when significantly better', () => {
    expect(judgeNoWorse(diff(-19, [-29, -8]), 'gcCpuShare').verdict).toBe('confirmed');
  });
  test('inconclusive when it could be much worse', () => {
    const j = judgeNoWorse(diff(4, [-3, 15]), 'latencyP99Ms');
    expect(j.verdict).toBe('inconclusive');
    expect(j.reason).toBe('+4% [−3%, +15%] at 95%: could be up to +15% worse; no effect larger than ±15% at 95% (the interval resolves ±9%)');
  });
  test('higher-is-better metrics: worse is lower', () => {
    expect(judgeNoWorse(diff(-12, [-16, -8]), 'throughputRps').verdict).toBe('refuted');
  });
});

describe('absolute figures', () => {
  const below: Extract<ClaimCheck, { kind: 'absolute' }> = { kind: 'absolute', label: 'start', metric: 'startupMs', select: {}, relation: 'below', value: 100 };
  const about: Extract<ClaimCheck, { kind: 'absolute' }> = {
    kind: 'absolute',
    label: 'image',
    metric: 'imageBytes',
    select: {},
    relation: 'about',
    value: 12e6,
    tolerancePct: 25,
  };
  const atMost: Extract<ClaimCheck, { kind: 'absolute' }> = {
    kind: 'absolute',
    label: 'failed',
    metric: 'failedRequests',
    select: {},
    relation: 'at-most',
    value: 0,
  };
  const atLeast: Extract<ClaimCheck, { kind: 'absolute' }> = {
    kind: 'absolute',
    label: 'cpu',
    metric: 'cpuOfLimit',
    select: {},
    relation: 'at-least',
    value: 0.95,
  };
  const est = (median: number, low: number, high: number) => ({ median, ci: { low, high } });
  test('below: whole CI under → confirmed, whole CI at or over → refuted, else inconclusive', () => {
    expect(judgeAbsolute([], est(80, 70, 95), below).verdict).toBe('confirmed');
    expect(judgeAbsolute([], est(400, 100, 450), below).verdict).toBe('refuted');
    expect(judgeAbsolute([], est(95, 85, 110), below).verdict).toBe('inconclusive');
  });
  test('about ±25%: 9–15 MB', () => {
    expect(judgeAbsolute([], est(12.5e6, 12.5e6, 12.5e6), about).verdict).toBe('confirmed');
    expect(judgeAbsolute([], est(8.15e6, 8.15e6, 8.15e6), about).verdict).toBe('refuted');
    expect(judgeAbsolute([], est(15.5e6, 14e6, 16e6), about).verdict).toBe('inconclusive');
  });
  test("about, missed in the user's favour: refuted and better than claimed; missed the other way: plainly refuted", () => {
    // A 6 MB image against "12 MB" (image size: lower is better).
    const smaller = judgeAbsolute([], est(6.2e6, 6.2e6, 6.3e6), about);
    expect(smaller.verdict).toBe('refuted');
    expect(smaller.betterThanClaimed).toBe(true);
    expect(verdictLabel(smaller)).toBe('refuted — better than claimed');
    const larger = judgeAbsolute([], est(20e6, 19e6, 21e6), about);
    expect(larger.verdict).toBe('refuted');
    expect(larger.betterThanClaimed).toBeUndefined();
    expect(verdictLabel(larger)).toBe('refuted');
  });
  test('at-most 0 failed requests is about every repeat', () => {
    expect(judgeAbsolute([0, 0, 0], est(0, 0, 0), atMost).verdict).toBe('confirmed');
    expect(judgeAbsolute([0, 2, 0], est(0, 0, 2), atMost).verdict).toBe('weaker');
    expect(judgeAbsolute([3, 2, 0], est(2, 0, 3), atMost).verdict).toBe('refuted');
  });
  test('at-least', () => {
    expect(judgeAbsolute([], est(0.97, 0.96, 0.98), atLeast).verdict).toBe('confirmed');
    expect(judgeAbsolute([], est(0.6, 0.5, 0.7), atLeast).verdict).toBe('refuted');
    expect(judgeAbsolute([], est(0.94, 0.92, 0.96), atLeast).verdict).toBe('inconclusive');
  });
});

describe('GOMAXPROCS rule', () => {
  test('Go 1.25 rule: min(max(2, ceil(limit)), host CPUs)', () => {
    expect(expectedGomaxprocs(0.5, 8)).toBe(2);
    expect(expectedGomaxprocs(1, 8)).toBe(2);
    expect(expectedGomaxprocs(2.5, 8)).toBe(3);
    expect(expectedGomaxprocs(16, 8)).toBe(8);
    expect(expectedGomaxprocs(null, 8)).toBe(8);
  });
  // Measured GOMAXPROCS by CPU limit.
  const cases: Array<[string, Record<number, number>, number, string]> = [
    ['confirmed when equal to the limit everywhere', { 2: 2, 4: 4 }, 8, 'confirmed'],
    ['weaker when it follows the rule (min 2, rounded up) on a host that can tell', { 0.5: 2, 1: 2, 2.5: 3 }, 8, 'weaker'],
    ['inconclusive on a 2-CPU host where the rule always gives the host CPU count', { 0.5: 2, 1.5: 2 }, 2, 'inconclusive'],
    ['refuted when it stays at the host CPU count', { 0.5: 8, 2: 8 }, 8, 'refuted'],
  ];
  test.each(cases)('%s', (_, points, hostCpus, verdict) => {
    const measured = Object.entries(points).map(([cpuLimit, value]) => ({ cpuLimit: Number(cpuLimit), measured: value }));
    expect(judgeGomaxprocs(measured, hostCpus).verdict).toBe(verdict);
  });
});

test('combining: the worst figure wins; not-run / not-measurable only when nothing was measured', () => {
  expect(combineVerdicts(['confirmed', 'weaker', 'inconclusive'])).toBe('weaker');
  expect(combineVerdicts(['confirmed', 'refuted', 'weaker'])).toBe('refuted');
  expect(combineVerdicts(['confirmed', 'inconclusive'])).toBe('inconclusive');
  expect(combineVerdicts(['confirmed', 'not-run'])).toBe('confirmed');
  expect(combineVerdicts(['not-run', 'not-measurable'])).toBe('not-run');
  expect(combineVerdicts([])).toBe('not-measurable');
});

describe('evaluateClaims', () => {
  const docker = loadFixture('record-docker-smoke');
  const kind = loadFixture('record-kind-hpa');
  const byId = (record: RunRecord, options = {}) => new Map(evaluateClaims(analyseRun(record, options), claimsCatalog).map((v) => [v.claim.id, v]));

  test('one verdict per catalog claim, in catalog order', () => {
    expect(evaluateClaims(analyseRun(docker), claimsCatalog).map((v) => v.claim.id)).toEqual(claimsCatalog.map((c) => c.id));
  });
  test('verdicts of the fixture', () => {
    const v = byId(docker);
    expect(Object.fromEntries([...v].map(([id, x]) => [id, x.verdict]))).toEqual({
      'gomaxprocs-follows-limit': 'inconclusive',
      'gomaxprocs-throughput': 'refuted',
      // The fixture predates gcCpuShareNoIdle: the GC figure of this claim is missing.
      'greentea-gc-overhead': 'inconclusive',
      'greentea-pod-table': 'refuted',
      'image-size': 'refuted',
      'cold-start': 'refuted',
      'hpa-stability': 'not-measurable',
      'hpa-pods': 'refuted',
      // No OOM kill at 100%, but the fixture predates gcCpuShareNoIdle, so its GC check has no figure.
      'gomemlimit-from-limit': 'inconclusive',
      // The fixture's shutdown cells predate the drain cell and the exposure count: no verdict.
      'graceful-shutdown': 'inconclusive',
      'gogc-100': 'refuted',
      'waitgroup-go': 'not-measurable',
    });
  });
  test('image size 6 MB against "12 MB": the claim reads refuted — better than claimed', () => {
    const v = byId(docker).get('image-size')!;
    expect(v.verdict).toBe('refuted');
    expect(verdictLabel(v)).toBe('refuted — better than claimed');
  });
  test('every measured check names the configuration it holds for', () => {
    const v = byId(docker);
    const greentea = v.get('greentea-pod-table')!.checks[0]!;
    expect(greentea.scope).toMatch(/CPU limit 1\b/);
    expect(greentea.scope).toContain('workload alloc');
    expect(greentea.scope).toContain('live heap 64 MiB');
    expect(greentea.scope, 'the compared axis is not part of the scope').not.toContain('Green Tea');
    expect(v.get('greentea-pod-table')!.reason).toContain(`(${greentea.scope})`);
  });
  test('GOGC=100 vs unset is a no-op: refuted, never confirmed, even when a metric moves by chance', () => {
    const moved = structuredClone(docker);
    for (const r of moved.repeats) if (r.cellId.includes('gogc=100')) r.metrics.gcCpuShare = r.metrics.gcCpuShare! * 0.5;
    for (const record of [docker, moved]) {
      const v = byId(record).get('gogc-100')!;
      expect(v.verdict).toBe('refuted');
      expect(v.checks[0]!.pairs.find((p) => p.metric === 'gogcPercent')!.difference!.significant, '~').toBe(false);
    }
  });
  test('a no-op that is not one (the runtime reports different GOGC) is inconclusive', () => {
    const changed = structuredClone(docker);
    for (const r of changed.repeats) if (r.cellId.includes('gogc=100')) r.metrics.gogcPercent = 150;
    expect(byId(changed).get('gogc-100')!.verdict).toBe('inconclusive');
  });
  test('below the minimum repeats there is no verdict', () => {
    const v = byId(docker, { minRepeats: 6 });
    expect(v.get('greentea-gc-overhead')!.verdict).toBe('inconclusive');
    expect(v.get('greentea-gc-overhead')!.reason).toContain('n=5 < 6 required');
    expect(v.get('gogc-100')!.verdict).toBe('inconclusive');
  });
  test('not measurable on a target without the capability; not run when the scenario is missing', () => {
    const v = byId(kind);
    expect(v.get('image-size')!.verdict).toBe('not-measurable');
    expect(v.get('gomaxprocs-throughput')!.verdict).toBe('not-run');
    expect(v.get('gomaxprocs-throughput')!.reason).toContain('`gomaxprocs` on docker/kind/kubernetes');
    expect(v.get('hpa-pods')!.verdict).toBe('inconclusive');
  });
});

describe('the catalog', () => {
  test('every claim of CLAIMS.md, with quote, section, corrected fact and targets', () => {
    expect(claimsCatalog.map((c) => c.id)).toEqual([
      'gomaxprocs-follows-limit',
      'gomaxprocs-throughput',
      'greentea-gc-overhead',
      'greentea-pod-table',
      'image-size',
      'cold-start',
      'hpa-stability',
      'hpa-pods',
      'gomemlimit-from-limit',
      'graceful-shutdown',
      'gogc-100',
      'waitgroup-go',
    ]);
    for (const c of claimsCatalog) {
      expect(c.quote.length, `${c.id}.quote`).toBeGreaterThan(5);
      expect(c.section.length, `${c.id}.section`).toBeGreaterThan(1);
      expect(c.correctedFact.length, `${c.id}.correctedFact`).toBeGreaterThan(5);
      expect([...c.targets].sort(), `${c.id}.targets`).toEqual([...new Set(c.measurements.flatMap((m) => m.targets))].sort());
    }
  });
  test('every measurement names a built-in scenario that can run on its targets, and known metrics', () => {
    for (const c of claimsCatalog) {
      for (const m of c.measurements) {
        const scenario = (builtinScenarios as Record<string, { targets: readonly string[] }>)[m.scenario];
        expect(scenario, `${c.id}: scenario ${m.scenario}`).toBeDefined();
        for (const t of m.targets) expect(scenario!.targets, `${c.id}: ${m.scenario} on ${t}`).toContain(t);
        for (const check of m.checks) {
          const names =
            check.kind === 'no-op'
              ? [check.settingMetric, ...check.metrics]
              : check.kind === 'gomaxprocs-rule'
                ? ['gomaxprocs']
                : check.kind === 'oom-kills'
                  ? ['oomKills']
                  : [check.metric];
          for (const name of names) expect(Object.hasOwn(metrics, name), `${c.id}: metric ${name}`).toBe(true);
        }
      }
    }
  });
});

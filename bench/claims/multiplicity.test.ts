import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRunRecord } from '../results/store.js';
import { analyseRun, compareCellMetric, MIN_REPEATS_DIRECTIONAL } from '../stats/analyse.js';
import { ALPHA } from '../stats/difference.js';
import { adjustPValues } from '../stats/multiplicity.js';
import { claimsCatalog } from '../../scenarios/claims.js';
import { evaluateClaims } from './evaluate.js';

const docker = parseRunRecord(readFileSync(new URL('../../test/fixtures/record-docker-smoke.json', import.meta.url), 'utf8'), 'record-docker-smoke');
const analysis = analyseRun(docker);
const verdicts = new Map(evaluateClaims(analysis, claimsCatalog).map((v) => [v.claim.id, v]));

describe('Holm within a claim, with intervals widened to the adjusted level', () => {
  const claim = verdicts.get('gomaxprocs-throughput')!;
  const judged = claim.checks.flatMap((c) => c.pairs).filter((p) => p.difference?.correction === 'holm');

  test('the family is every judged pair of the claim; p̃ is Holm of their raw p', () => {
    expect(judged.length, 'family size').toBeGreaterThan(1);
    const raw = judged.map((p) => compareCellMetric(analysis, p.baseline, p.treatment, p.metric)!.p);
    expect(
      judged.map((p) => p.difference!.p),
      'raw p',
    ).toEqual(raw);
    expect(
      judged.map((p) => p.difference!.pAdjusted),
      'Holm',
    ).toEqual(adjustPValues(raw, 'holm'));
  });
  test('significant ⇔ p̃ ≤ α ⇔ the interval at 1 − α·p/p̃ excludes 0', () => {
    for (const p of judged) {
      const d = p.difference!;
      expect(d.level, `${p.metric} level`).toBeCloseTo(1 - (ALPHA * d.p) / d.pAdjusted, 12);
      expect(d.significant, `${p.metric} p̃`).toBe(d.pAdjusted <= ALPHA);
      expect(d.significant, `${p.metric} CI`).toBe(d.achievedLevel >= d.level - 1e-12 && (d.relativeCi!.low > 0 || d.relativeCi!.high < 0));
    }
  });
  test('the reasons keep Δ [CI] and name the level of the corrected interval', () => {
    for (const p of judged) expect(p.reason, p.metric).toMatch(/^[+−]?[\d.]+% \[[^\]]+\] at [\d.]+%/);
  });
});

describe(`no directional verdict below ${MIN_REPEATS_DIRECTIONAL} completed repeats a side`, () => {
  test('the smoke fixture with 4 completed GOMEMLIMIT repeats a side: inconclusive, with the reason and Δ [CI]', () => {
    const pair = verdicts
      .get('gomemlimit-from-limit')!
      .checks.flatMap((c) => c.pairs)
      .find((p) => p.metric === 'latencyP99Ms')!;
    expect(pair.verdict).toBe('inconclusive');
    expect(pair.reason).toMatch(/n=4 < 5 completed repeats a side needed for a directional verdict; [+−]?[\d.]+% \[/);
    expect(pair.difference!.correction, 'not in the family').toBe('none');
  });
});

import { describe, expect, it } from 'vitest';
import type { LoadProfile } from '../../scenarios/define.js';
import type { LoadResult } from './types.js';
import { failedRequests, judgeLoad, successfulRequests } from './validity.js';
import { loadResult } from '../../test/helpers/fakes.js';

const open: LoadProfile = { model: 'open', ratePerSec: 100, connections: 10, warmupMs: 0, durationMs: 10_000 };
const closed: LoadProfile = { model: 'closed', connections: 10, warmupMs: 0, durationMs: 10_000 };

const result = (patch: Partial<LoadResult>): LoadResult =>
  loadResult({ requests: 1000, achievedRps: 100, targetRps: 100, durationMs: 10_000, generatorCpu: 0.2, ...patch });

describe('judgeLoad', () => {
  it('accepts a run that held its rate', () => {
    expect(judgeLoad(result({}), open)).toEqual({ valid: true });
  });
  it('accepts a shortfall of exactly the tolerance (5%)', () => {
    expect(judgeLoad(result({ achievedRps: 95 }), open).valid).toBe(true);
  });
  it('rejects a rate missed by more than the tolerance, saying by how much', () => {
    expect(judgeLoad(result({ achievedRps: 94 }), open)).toEqual({
      valid: false,
      reason: 'achieved 94.0 req/s, 6.0% below the target 100 req/s (tolerance 5%)',
    });
  });
  it('rejects more than 1% dropped requests', () => {
    expect(judgeLoad(result({ dropped: 11 }), open)).toEqual({ valid: false, reason: '11 requests could not be sent on time (more than 1% of 1000)' });
    expect(judgeLoad(result({ dropped: 10 }), open).valid).toBe(true);
  });
  it('rejects a saturated generator in either model', () => {
    expect(judgeLoad(result({ generatorCpu: 0.99, targetRps: null }), closed)).toEqual({
      valid: false,
      reason: 'load generator saturated: it used 99% of a core (limit 95%)',
    });
  });
  it('ignores the rate rule in the closed model', () => {
    expect(judgeLoad(result({ achievedRps: 10, targetRps: null }), closed).valid).toBe(true);
  });
  it('rejects a window where more than 1% of the requests failed, in either model', () => {
    expect(judgeLoad(result({ errors: { non2xx: 5, timeouts: 3, connection: 3 } }), open)).toEqual({
      valid: false,
      reason: '1.1% of 1000 requests failed (limit 1%): the window measured a failing service',
    });
    expect(judgeLoad(result({ errors: { non2xx: 0, timeouts: 0, connection: 1000 }, targetRps: null }), closed).valid).toBe(false);
    expect(judgeLoad(result({ errors: { non2xx: 4, timeouts: 3, connection: 3 } }), open).valid).toBe(true);
  });
  it('counts successful requests as the 2xx answers', () => {
    expect(successfulRequests(result({ errors: { non2xx: 5, timeouts: 3, connection: 2 } })), 'successful').toBe(990);
    expect(failedRequests(result({ errors: { non2xx: 5, timeouts: 3, connection: 2 } })), 'failed').toBe(10);
  });
  it('rejects a run where nothing completed', () => {
    expect(judgeLoad(result({ requests: 0 }), closed)).toEqual({ valid: false, reason: 'no request completed in the measured window' });
  });
});

describe('dispatch-lag limit', () => {
  it('is 1 ms at high rates and a tenth of the mean gap at low ones', async () => {
    const { dispatchLagLimitMs } = await import('./validity.js');
    expect(dispatchLagLimitMs(1000)).toBe(1);
    expect(dispatchLagLimitMs(2800)).toBe(1);
    expect(dispatchLagLimitMs(25)).toBeCloseTo(4, 10);
    expect(dispatchLagLimitMs(null)).toBe(1);
  });
});

describe('late sends', () => {
  const lag = (sends: number, lateSends: number, p99Ms = 1.2) =>
    result({ targetRps: 164, achievedRps: 164, dispatchLagMs: { p50Ms: 0.2, p99Ms, maxMs: 4, sends, lateSends } });

  it('keeps a window whose late sends do not show more than 1% late (246 sends: up to 5)', () => {
    // P(X ≥ 5 | 246, 1%) = 0.103 (exact, Python fractions): not evidence of a P99 over the limit,
    // though the sample P99 (the third-largest lag) is 1.2 ms.
    expect(judgeLoad(lag(246, 5), open)).toEqual({ valid: true });
    expect(judgeLoad(lag(246, 0, 0.3), open)).toEqual({ valid: true });
  });

  it('rejects one that does (246 sends: 6 late, p = 0.039), naming the counts and the sample P99', () => {
    const v = judgeLoad(lag(246, 6), open);
    expect(v.valid).toBe(false);
    expect(v.valid === false && v.reason).toBe('the generator sent late: 6 of 246 sends over 1 ms (2.4%, more than 1% at p=0.039; P99 1.20 ms)');
  });

  it('needs a late share close to 1% in a long window (16,800 sends: 200 late, p = 0.0085)', () => {
    expect(judgeLoad(lag(16_800, 200), open).valid).toBe(false);
    expect(judgeLoad(lag(16_800, 180), open).valid).toBe(true);
  });

  it('falls back to the sample P99 for records without the counts', () => {
    const old = result({ targetRps: 164, dispatchLagMs: { p50Ms: 0.2, p99Ms: 1.3, maxMs: 4 } });
    expect(judgeLoad(old, open)).toEqual({ valid: false, reason: 'the generator sent late: P99 dispatch lag 1.30 ms (limit 1 ms)' });
  });
});

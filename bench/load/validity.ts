/**
 * Whether a load run measured the service or the generator. A repeat whose generator missed the
 * target rate or ran out of CPU, or whose requests failed beyond `validityThresholds.errorRate`, is
 * marked invalid: it is kept in the record but never averaged in.
 */
import type { LoadProfile } from '../../scenarios/index.js';
import type { LoadResult } from './types.js';
import { binomialUpperTail } from '../stats/index.js';

/** Tolerances, named so the rules can be read and tested. */
export const validityThresholds = {
  /** Open model: achieved rate may fall short of the target by at most this fraction. */
  rateShortfall: 0.05,
  /** Open model: requests the generator could not start on time, as a fraction of the target count. */
  droppedFraction: 0.01,
  /** Generator CPU (fraction of one core) above which it is considered saturated. */
  generatorCpuSaturated: 0.95,
  /**
   * Failed requests (non-2xx, timeouts, connection errors) as a fraction of all requests above which
   * the repeat measured a failing service, not its latency or throughput.
   */
  errorRate: 0.01,
  /**
   * Open model: the generator's P99 dispatch lag (actual − intended send time) must not exceed this, ms,
   * or `dispatchLagGapShare` of the mean gap between arrivals when that is larger. At low rates (tens
   * of requests a second) this VM wakes even an idle thread 1–12 ms late a few times a window, which
   * leaves the arrival process intact (gaps of 30+ ms) but would make the P99 of 200 sends exceed 1 ms.
   */
  dispatchLagP99Ms: 1,
  dispatchLagGapShare: 0.1,
  /**
   * "P99 ≤ limit" means at most 1% of sends later than the limit. A window of a few hundred sends cannot
   * show a P99 on its own (its sample P99 is its third-largest lag), so the rule is a test: the repeat
   * is invalid when its count of late sends shows, one-sided at this level, that more than 1% of the
   * generator's sends were late (246 sends: 6 or more late; 16,800 sends: 200 or more).
   */
  lateSendsSignificance: 0.05,
} as const;

/** Requests that got no 2xx answer: non-2xx, timeouts and connection errors. */
export function failedRequests(result: Pick<LoadResult, 'errors'>): number {
  return result.errors.non2xx + result.errors.timeouts + result.errors.connection;
}

/** Requests answered with a 2xx. */
export function successfulRequests(result: Pick<LoadResult, 'requests' | 'errors'>): number {
  return Math.max(0, result.requests - failedRequests(result));
}

/** The dispatch-lag limit at a rate: 1 ms, or a tenth of the mean gap between arrivals when larger. */
export function dispatchLagLimitMs(
  ratePerSec: number | null,
  thresholds: Pick<typeof validityThresholds, 'dispatchLagP99Ms' | 'dispatchLagGapShare'> = validityThresholds,
): number {
  const gapMs = ratePerSec !== null && ratePerSec > 0 ? 1000 / ratePerSec : 0;
  return Math.max(thresholds.dispatchLagP99Ms, thresholds.dispatchLagGapShare * gapMs);
}

/** How every late-sends reason begins (see `judgeDispatchLag`). */
export const LATE_SENDS_REASON = 'the generator sent late';

/**
 * Why the generator's sends were too late to measure the service, or `null`. With the counts (this
 * harness's open model) a one-sided binomial test of "more than 1% of sends later than the limit";
 * without them (older records) the sample P99 against the limit.
 */
export function judgeDispatchLag(
  result: Pick<LoadResult, 'dispatchLagMs' | 'targetRps'>,
  thresholds: Pick<typeof validityThresholds, 'dispatchLagP99Ms' | 'dispatchLagGapShare' | 'lateSendsSignificance'> = validityThresholds,
): string | null {
  const lag = result.dispatchLagMs;
  if (!lag) return null;
  const limit = Number(dispatchLagLimitMs(result.targetRps, thresholds).toFixed(2));
  if (lag.sends === undefined || lag.lateSends === undefined) {
    return lag.p99Ms > limit ? `${LATE_SENDS_REASON}: P99 dispatch lag ${lag.p99Ms.toFixed(2)} ms (limit ${limit} ms)` : null;
  }
  if (lag.lateSends === 0 || lag.sends === 0) return null;
  const p = binomialUpperTail(lag.lateSends, lag.sends, 0.01);
  if (p > thresholds.lateSendsSignificance) return null;
  const share = (100 * lag.lateSends) / lag.sends;
  return `${LATE_SENDS_REASON}: ${lag.lateSends} of ${lag.sends} sends over ${limit} ms (${share.toFixed(1)}%, more than 1% at p=${p.toPrecision(2)}; P99 ${lag.p99Ms.toFixed(2)} ms)`;
}

export type LoadValidity = { valid: true } | { valid: false; reason: string };

export function judgeLoad(result: LoadResult, profile: LoadProfile, thresholds = validityThresholds): LoadValidity {
  if (result.requests === 0) return { valid: false, reason: 'no request completed in the measured window' };
  const lateSends = judgeDispatchLag(result, thresholds);
  if (lateSends !== null) return { valid: false, reason: lateSends };
  // With an arrival schedule the dispatch lag above says directly whether the generator kept up (its
  // scheduler turns the event loop for the last ~1.5 ms before each arrival, which reads as CPU): the CPU
  // test is for generators without that measure.
  if (result.generatorCpu !== null && result.generatorCpu > thresholds.generatorCpuSaturated && !result.dispatchLagMs) {
    return {
      valid: false,
      reason: `load generator saturated: it used ${(result.generatorCpu * 100).toFixed(0)}% of a core (limit ${(thresholds.generatorCpuSaturated * 100).toFixed(0)}%)`,
    };
  }
  const errorRate = failedRequests(result) / result.requests;
  if (errorRate > thresholds.errorRate) {
    return {
      valid: false,
      reason: `${(errorRate * 100).toFixed(1)}% of ${result.requests} requests failed (limit ${(thresholds.errorRate * 100).toFixed(0)}%): the window measured a failing service`,
    };
  }
  if (profile.model !== 'closed' && result.targetRps !== null && result.targetRps > 0) {
    const expected = result.targetRps * (result.durationMs / 1000);
    if (result.dropped > thresholds.droppedFraction * expected) {
      return {
        valid: false,
        reason: `${result.dropped} requests could not be sent on time (more than ${(thresholds.droppedFraction * 100).toFixed(0)}% of ${Math.round(expected)})`,
      };
    }
    const shortfall = 1 - result.achievedRps / result.targetRps;
    if (shortfall > thresholds.rateShortfall + 1e-9) {
      return {
        valid: false,
        reason: `achieved ${result.achievedRps.toFixed(1)} req/s, ${(shortfall * 100).toFixed(1)}% below the target ${result.targetRps} req/s (tolerance ${(thresholds.rateShortfall * 100).toFixed(0)}%)`,
      };
    }
  }
  return { valid: true };
}

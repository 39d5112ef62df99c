import { describe, expect, test } from 'vitest';
import { judgeShutdownExposure } from './procedures.js';

describe('requests a shutdown exposes', () => {
  // SIGTERM at 1000 ms on the load's clock.
  const outcomes = [
    { intendedMs: 500, doneMs: 700, status: 200, error: null }, // done before SIGTERM: not exposed
    { intendedMs: 900, doneMs: 1100, status: 200, error: null }, // in flight at SIGTERM, served
    { intendedMs: 950, doneMs: 1001, status: null, error: 'connection' }, // in flight at SIGTERM, cut
    { intendedMs: 1000, doneMs: 1200, status: 200, error: null }, // sent at SIGTERM
    { intendedMs: 1500, doneMs: 1502, status: null, error: 'connection' }, // refused after the listener closed
    { intendedMs: 1600, doneMs: 1700, status: 503, error: null }, // non-2xx counts as failed
  ];
  test('in flight at SIGTERM plus sent after it; failed = error or non-2xx among them', () => {
    const e = judgeShutdownExposure(outcomes, 1000);
    expect(e).toEqual({ inFlightAtStop: 2, sentAfterSigterm: 3, requestsExposed: 5, failedRequests: 3, errorRate: 0.6 });
  });
  test('nothing exposed: error rate 0, not NaN', () => {
    expect(judgeShutdownExposure([], 1000)).toEqual({ requestsExposed: 0, failedRequests: 0, errorRate: 0, inFlightAtStop: 0, sentAfterSigterm: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { clipCurve, countFlaps, p99DuringScaleOutMs, parseRescaleSize, replicaSeconds, summarizeHpaTimeline, type ScalingEvent } from './hpa-timeline.js';

// A recorded sequence (shape of what the HPA watch and the Event watch give): 1 replica, step up to 3
// at 40 s, to 4 at 55 s, down to 2 at 400 s, back up to 3 at 450 s; window 0–500 s.
const curve = [
  { tMs: 0, replicas: 1 },
  { tMs: 20_000, replicas: 1 },
  { tMs: 40_000, replicas: 3 },
  { tMs: 55_000, replicas: 4 },
  { tMs: 400_000, replicas: 2 },
  { tMs: 450_000, replicas: 3 },
];
const event = (tMs: number, reason: string, size: number | null): ScalingEvent => ({
  tMs,
  reason,
  message: size === null ? 'failed to get cpu utilization' : `New size: ${size}; reason: cpu resource utilization (percentage of request) above target`,
  fromReplicas: null,
  toReplicas: size,
});
const events = [
  event(40_100, 'SuccessfulRescale', 3),
  event(55_050, 'SuccessfulRescale', 4),
  event(70_000, 'FailedRescale', null),
  event(400_020, 'SuccessfulRescale', 2),
  event(450_010, 'SuccessfulRescale', 3),
  event(600_000, 'SuccessfulRescale', 1),
];

describe('summarizeHpaTimeline', () => {
  const summary = summarizeHpaTimeline(curve, events, { startMs: 0, endMs: 500_000 });

  it('replica-seconds is the integral of the step curve', () => {
    // 1×40 + 3×15 + 4×345 + 2×50 + 3×50 = 40 + 45 + 1380 + 100 + 150
    expect(summary.replicaSeconds, 'replica-seconds').toBe(1715);
  });

  it('counts scale events in the window, failed ones apart', () => {
    expect(summary.scaleEvents, 'SuccessfulRescale in window (the 600 s one is outside)').toBe(4);
    expect(summary.failedRescales, 'FailedRescale').toBe(1);
  });

  it('counts direction changes, not steps', () => {
    expect(summary.scaleUps, 'ups').toBe(3);
    expect(summary.scaleDowns, 'downs').toBe(1);
    expect(summary.flaps, 'up→down at 400 s, down→up at 450 s').toBe(2);
  });

  it('time to scale up, max and when it was reached', () => {
    expect(summary).toMatchObject({ timeToScaleUpMs: 40_000, maxReplicas: 4, reachedMaxAtMs: 55_000, initialReplicas: 1, finalReplicas: 3, minReplicas: 1 });
  });

  it('measures time to scale up from the window start, with the value in force before it', () => {
    const later = summarizeHpaTimeline(curve, events, { startMs: 30_000, endMs: 100_000 });
    expect(later.initialReplicas, 'value in force at 30 s').toBe(1);
    expect(later.timeToScaleUpMs, '40 s − 30 s').toBe(10_000);
    // 1×10 + 3×15 + 4×45
    expect(later.replicaSeconds).toBe(235);
  });

  it('a flat curve never scales up', () => {
    const flat = summarizeHpaTimeline([{ tMs: 0, replicas: 2 }], [], { startMs: 0, endMs: 10_000 });
    expect(flat.timeToScaleUpMs).toBeNull();
    expect(flat.reachedMaxAtMs).toBeNull();
    expect(flat.replicaSeconds).toBe(20);
    expect(flat.flaps).toBe(0);
  });

  it('refuses an empty curve with the likely cause', () => {
    expect(() => summarizeHpaTimeline([], [], { startMs: 0, endMs: 1 })).toThrow(/HPA status was never observed/);
  });
});

describe('helpers', () => {
  it('countFlaps ignores plateaus', () => {
    expect(countFlaps([1, 2, 3, 2])).toBe(1);
    expect(countFlaps([1, 2, 1, 2])).toBe(2);
    expect(countFlaps([1, 1, 2, 2, 2, 3])).toBe(0);
    expect(countFlaps([3, 3, 1, 1, 4])).toBe(1);
  });

  it('clipCurve merges equal neighbours and drops samples outside the window', () => {
    expect(clipCurve(curve, 10_000, 60_000)).toEqual([
      { tMs: 10_000, replicas: 1 },
      { tMs: 40_000, replicas: 3 },
      { tMs: 55_000, replicas: 4 },
    ]);
    expect(() => clipCurve(curve, 5, 1)).toThrow('window end 1 is before its start 5');
  });

  it('replicaSeconds of an unsorted curve', () => {
    expect(
      replicaSeconds(
        [
          { tMs: 2000, replicas: 2 },
          { tMs: 0, replicas: 1 },
        ],
        0,
        4000,
      ),
    ).toBe(6);
  });

  it('parseRescaleSize reads the HPA controller message', () => {
    expect(parseRescaleSize('New size: 3; reason: cpu resource utilization (percentage of request) above target')).toBe(3);
    expect(parseRescaleSize('something else')).toBeNull();
  });

  it('P99 during scale-out: the worst per-second P99 from the given start until max replicas', () => {
    const series = [
      { tMs: 30_000, p99Ms: 5 },
      { tMs: 41_000, p99Ms: 80 },
      { tMs: 50_000, p99Ms: 120 },
      { tMs: 56_000, p99Ms: 300 },
    ];
    expect(p99DuringScaleOutMs(series, { reachedMaxAtMs: 55_000 }, 31_000)).toBe(120);
    expect(p99DuringScaleOutMs(series, { reachedMaxAtMs: null }, 0)).toBeNull();
  });
});

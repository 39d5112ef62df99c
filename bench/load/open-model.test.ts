import { describe, expect, it } from 'vitest';
import { blockingSleepMs, createSchedule, rateAt } from './open-model.js';

describe('open-model schedule', () => {
  it('spaces a constant rate evenly: 100 req/s over 1 s is one request every 10 ms', () => {
    const times = createSchedule({ model: 'open', ratePerSec: 100, connections: 1, warmupMs: 0, durationMs: 1000 });
    expect(times).toHaveLength(100);
    // each request at the moment the integral of the rate reaches it: 10 ms, 20 ms, … 1000 ms
    expect(times[0], 'first').toBeCloseTo(10, 6);
    expect(times[1], 'second').toBeCloseTo(20, 6);
    expect(times[99], 'last').toBeCloseTo(1000, 6);
  });

  it('counts the warm-up in the schedule', () => {
    const times = createSchedule({ model: 'open', ratePerSec: 10, connections: 1, warmupMs: 500, durationMs: 1000 });
    expect(times).toHaveLength(15);
  });

  it('ramps linearly between stages', () => {
    const profile = {
      model: 'stages' as const,
      connections: 1,
      warmupMs: 0,
      stages: [
        { durationMs: 1000, ratePerSec: 10 },
        { durationMs: 1000, ratePerSec: 30 },
      ],
    };
    expect(rateAt(profile, 500), 'first stage holds its rate').toBe(10);
    expect(rateAt(profile, 1500), 'half-way up the ramp').toBe(20);
    expect(rateAt(profile, 2500), 'after the last stage').toBe(0);
    // 10 req/s for 1 s, then a ramp from 10 to 30 averaging 20 req/s for 1 s.
    expect(createSchedule(profile)).toHaveLength(30);
  });
});

describe('schedule spacing', () => {
  it('keeps sub-millisecond spacing at high rates instead of rounding to the 1 ms step', () => {
    const times = createSchedule({ model: 'open', ratePerSec: 4000, connections: 1, warmupMs: 0, durationMs: 1000 });
    expect(times).toHaveLength(4000);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // every gap 0.25 ms (±float noise): no bursts of 4 at the same millisecond
    expect(Math.min(...gaps)).toBeGreaterThan(0.2);
    expect(Math.max(...gaps)).toBeLessThan(0.3);
  });
});

describe('blockingSleepMs (runs sharing the generator thread)', () => {
  const run = (inFlight: number, nextDueAt: number) => ({ inFlight: () => inFlight, nextDueAt: () => nextDueAt });
  it('sleeps until the earliest arrival of any run of the thread', () => {
    expect(blockingSleepMs([run(0, 105), run(0, 102.5)], 100)).toBe(2.5);
  });
  it('never sleeps while any run has a request in flight (its response would wait unread)', () => {
    expect(blockingSleepMs([run(0, 105), run(1, 150)], 100)).toBe(0);
  });
  it('does not sleep past a due arrival, nor with no arrival left', () => {
    expect(blockingSleepMs([run(0, 90)], 100)).toBe(0);
    expect(blockingSleepMs([run(0, Number.POSITIVE_INFINITY)], 100)).toBe(0);
    expect(blockingSleepMs([], 100)).toBe(0);
  });
});

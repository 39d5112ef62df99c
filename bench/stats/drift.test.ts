import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../results/schema.js';
import { measureDrift } from './drift.js';

const cell = (id: string, replica?: number) => ({
  id,
  scenario: 's',
  kind: 'load',
  settings: replica === undefined ? {} : { replica },
  load: { model: 'closed' },
});
const repeat = (cellId: string, repeat: number, order: number, throughputRps: number, state = 'completed') => ({
  cellId,
  repeat,
  order,
  outcome: { state },
  metrics: { throughputRps },
});

describe('measureDrift', () => {
  it('takes the reference’s values in the order they ran: (largest − smallest) / median', () => {
    const record = {
      plan: { cells: [cell('s/a'), cell('s/a,replica=2', 2)] },
      repeats: [repeat('s/a,replica=2', 2, 40, 9000), repeat('s/a,replica=2', 0, 0, 10_000), repeat('s/a', 0, 1, 1), repeat('s/a,replica=2', 1, 20, 9500)],
    } as unknown as RunRecord;
    const [drift] = measureDrift(record);
    expect(drift?.values.map((v) => v.value)).toEqual([10_000, 9500, 9000]);
    expect(drift?.metric).toBe('throughputRps');
    expect(drift?.driftPct).toBeCloseTo((1000 / 9500) * 100, 10);
  });

  it('has no figure from fewer than two completed repeats, and nothing without a reference', () => {
    const one = { plan: { cells: [cell('r', 2)] }, repeats: [repeat('r', 0, 0, 5), repeat('r', 1, 1, 6, 'invalid')] } as unknown as RunRecord;
    expect(measureDrift(one)[0]?.driftPct).toBeNull();
    expect(measureDrift({ plan: { cells: [cell('a')] }, repeats: [] } as unknown as RunRecord)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  ownerFromLabels,
  ownerLabels,
  ownerState,
  parseStartTicks,
  selectRunsToRemove,
  type Owner,
  type ProcessProbe,
  type RunLeftovers,
} from '../../bench/targets/owner.js';

const here: ProcessProbe = {
  host: 'box',
  bootId: 'boot-1',
  startTicksOf: (pid) => ({ 100: '5000', 200: '7000' })[pid] ?? null,
};
const owner = (pid: number, startTicks: string, extra: Partial<Owner> = {}): Owner => ({ pid, host: 'box', bootId: 'boot-1', startTicks, ...extra });
const run = (runId: string, o: Owner | null, createdAtMs: number | null = 0): RunLeftovers => ({
  runId,
  owner: o,
  createdAtMs,
  objects: [`container bench-${runId}`],
});

describe('run owners', () => {
  it('reads the start time after the command name, which may hold spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 11 0 987654 123 456';
    expect(parseStartTicks(stat)).toBe('987654');
  });

  it('labels round-trip', () => {
    const labels = ownerLabels(owner(100, '5000'), 1234);
    expect(labels['bench.created-at']).toBe('1234');
    expect(ownerFromLabels(labels)).toEqual(owner(100, '5000'));
    expect(ownerFromLabels({ 'bench.run-id': 'x' }), 'an older bench wrote no owner').toBeNull();
  });

  it.each([
    ['same pid and start time', owner(100, '5000'), 'alive'],
    ['no such pid', owner(300, '5000'), 'gone'],
    ['pid reused by a later process', owner(200, '5000'), 'gone'],
    ['another boot', owner(100, '5000', { bootId: 'boot-0' }), 'gone'],
    ['another host', owner(300, '5000', { host: 'other' }), 'unknown'],
    ['no labels', null, 'unknown'],
  ] as const)('%s → %s', (_, o, state) => {
    expect(ownerState(o, here)).toBe(state);
  });

  it('doctor --cleanup removes only runs whose owner is gone; --run-id and --older-than select exactly', () => {
    const runs = [
      run('alive-run', owner(100, '5000'), 1000),
      run('dead-run', owner(300, '1'), 1000),
      run('old-alive', owner(100, '5000'), 0),
      run('unlabelled', null, null),
    ];
    const pick = (selection: Parameters<typeof selectRunsToRemove>[1]) =>
      selectRunsToRemove(runs, selection, 10 * 60_000, here)
        .filter((d) => d.remove)
        .map((d) => d.run.runId);
    expect(pick({}), 'default').toEqual(['dead-run']);
    expect(pick({ runIds: ['alive-run'] }), '--run-id').toEqual(['alive-run']);
    expect(pick({ olderThanMs: 10 * 60_000 - 500 }), '--older-than').toEqual(['old-alive']);
  });
});

import type { MatrixInput, ScenarioInput } from './define.js';

/**
 * What the duet scenarios share. Both cells of a round run at once, 0.5 CPU each beside the
 * generator's CPU, and are compared round by round as pairs: interference from the host hits both
 * alike (`bench selftest` measures how much that buys here).
 */
export const halfCpuDuet: Pick<ScenarioInput, 'kind' | 'execution' | 'targets' | 'default' | 'repeats'> = {
  kind: 'load',
  execution: 'duet',
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
  repeats: 8,
};

/**
 * 0.5 CPU with GOMAXPROCS 2, as Go sets it for a 0.5-CPU limit on any node (max(2, ceil(limit))): the
 * service's cpuset of one CPU beside the generator would otherwise make it 1.
 */
export const halfCpuAxes: Pick<MatrixInput, 'cpuLimit' | 'maxprocs'> = { cpuLimit: [0.5], maxprocs: [2] };

/**
 * The duets' load: an open model at half the measured capacity of the slower variant (100 req/s where
 * calibration does not run), measured for `durationMs` after a 2 s warm-up.
 */
export function halfCapacityLoad(durationMs: number): ScenarioInput['load'] {
  return { model: 'open', ratePerSec: 100, capacityFraction: 0.5, connections: 64, warmupMs: 2000, durationMs };
}

/** The smoke profile's duet: three short rounds. */
export const duetSmoke = { repeats: 3, warmupMs: 500, durationMs: 2000 };

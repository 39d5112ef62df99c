import type { MatrixInput, ScenarioInput } from './define.js';

/**
 * What the duet scenarios share. Both cells of a round run at once, 0.5 CPU each beside the
 * generator's CPU, and are compared round by round as pairs: interference from the host hits both
 * alike (`bench selftest` measures how much that buys here).
 */
export const halfCpuDuet: Pick<ScenarioInput, 'kind' | 'execution' | 'targets' | 'default'> = {
  kind: 'load',
  execution: 'duet',
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
};

/**
 * 0.5 CPU with GOMAXPROCS 2, as Go sets it for a 0.5-CPU limit on any node (max(2, ceil(limit))): the
 * service's cpuset of one CPU beside the generator would otherwise make it 1.
 */
export const halfCpuAxes: Pick<MatrixInput, 'cpuLimit' | 'maxprocs'> = { cpuLimit: [0.5], maxprocs: [2] };

import { defineScenario } from './define.js';
import { halfCpuAxes, halfCpuDuet } from './duet.js';

/** `GOGC=100` against no GOGC at all: 100 is the runtime's default, so nothing should change. */
export default defineScenario({
  name: 'gogc',
  description: 'GOGC=100 vs unset (the default): a no-op',
  claims: ['gogc-100'],
  ...halfCpuDuet,
  matrix: {
    gogc: ['unset', 100],
    ...halfCpuAxes,
    liveHeapMiB: [32],
    workload: ['alloc'],
  },
  load: { model: 'open', ratePerSec: 100, capacityFraction: 0.5, connections: 64, warmupMs: 2000, durationMs: 6000 },
  repeats: 8,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2000 },
    full: { repeats: 10, durationMs: 15000 },
    nightly: { repeats: 6, durationMs: 4000 },
  },
});

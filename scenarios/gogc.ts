import { defineScenario } from './define.js';
import { duetSmoke, halfCapacityLoad, halfCpuAxes, halfCpuDuet } from './duet.js';

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
  load: halfCapacityLoad(6000),
  profiles: {
    smoke: duetSmoke,
    full: { repeats: 10, durationMs: 15000 },
    nightly: { repeats: 6, durationMs: 4000 },
  },
});

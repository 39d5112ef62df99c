import { defineScenario } from './define.js';

/** Container start → first successful `/ready`, and the idle RSS right after, per GC build. */
export default defineScenario({
  name: 'cold-start',
  description: 'Cold start (container start → ready) and idle memory',
  claims: ['cold-start'],
  kind: 'startup',
  targets: ['docker'],
  default: true,
  matrix: { gc: ['default', 'nogreenteagc'], cpuLimit: [1], memLimitMiB: [128] },
  load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
  repeats: 10,
  profiles: { smoke: { repeats: 3 }, full: { repeats: 30 }, nightly: { repeats: 8 } },
});

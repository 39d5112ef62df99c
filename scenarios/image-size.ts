import { defineScenario } from './define.js';

/** Size of the reference service's binary and FROM-scratch image, stripped and unstripped, per GC build. */
export default defineScenario({
  name: 'image-size',
  description: 'Binary and scratch image size of the reference service',
  claims: ['image-size'],
  kind: 'image',
  targets: ['docker'],
  default: true,
  matrix: { gc: ['default', 'nogreenteagc'], stripped: [true, false] },
  // Sizes are deterministic: one repeat measures them; the load profile is not used.
  load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
  repeats: 1,
  profiles: {
    full: { matrix: { toolchain: ['local', 'go1.27.3'] } },
  },
});

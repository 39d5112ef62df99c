import { defineScenario } from './define.js';

/**
 * Cold start per GC build, figures side by side: process start → ready as the service measures it
 * (its Go start → its open listener: the Go figure the claim is judged on), process created → ready
 * (adds the container runtime's set-up before exec), container start → first 200 of `/ready` seen by
 * the harness (adds Docker's own work and the readiness polling), and the idle RSS a second later.
 */
export default defineScenario({
  name: 'cold-start',
  description: 'Cold start: process start → ready (judged), container start → ready (context), idle memory',
  claims: ['cold-start'],
  kind: 'startup',
  targets: ['docker'],
  default: true,
  matrix: { gc: ['default', 'nogreenteagc'], cpuLimit: [1], memLimitMiB: [128] },
  load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
  repeats: 10,
  profiles: { smoke: { repeats: 3 }, full: { repeats: 30 }, nightly: { repeats: 8 } },
});

import { defineScenario } from './define.js';

/**
 * The HorizontalPodAutoscaler under the same staged load (baseline, step up, hold, step down, low hold,
 * then a ramp back up) for Go's default GC vs `nogreenteagc`, and container-aware vs container-unaware
 * GOMAXPROCS (the unaware service emulated with the GOMAXPROCS of an 8-CPU node). Measured by the
 * target's watches: replica curve, SuccessfulRescale events, direction changes, time to scale up,
 * replica-seconds, max replicas; P99 from the load series.
 *
 * The HPA's `behavior` is set explicitly (bench/targets/kubernetes/objects.ts): Kubernetes' scale-up
 * policies, but a 60 s scale-down stabilization window instead of the default 300 s. With 300 s, the
 * 150 s low phase ended before any scale-down could happen, so direction changes were 0 by
 * construction; with 60 s the HPA can scale down (and so flap) within it. maxReplicas is 8, above
 * the about 3 pods the peak needs, and a repeat whose replicas reach it is recorded invalid.
 *
 * Rates: the `alloc` request costs about 1.8 ms of CPU (measured with the default GC build); the pods
 * request 0.25 core and the HPA aims at 50 % of it, about 70 requests/s per pod: 40/s needs one pod,
 * 200/s about three.
 */
export default defineScenario({
  name: 'hpa',
  description: 'HPA scaling under a staged load: default vs nogreenteagc GC, container-aware vs unaware GOMAXPROCS',
  claims: ['hpa-stability', 'hpa-pods', 'greentea-pod-table'],
  default: true,
  kind: 'hpa',
  targets: ['kind', 'kubernetes'],
  matrix: {
    gc: ['default', 'nogreenteagc'],
    maxprocs: ['auto', 'unaware(8)'],
    cpuRequest: [0.25],
    cpuLimit: [0.5],
    memLimitMiB: [256],
    workload: ['alloc'],
  },
  load: {
    model: 'stages',
    connections: 64,
    warmupMs: 5000,
    stages: [
      { durationMs: 30_000, ratePerSec: 40 },
      // A step: one second from 40/s to 200/s.
      { durationMs: 1000, ratePerSec: 200 },
      { durationMs: 150_000, ratePerSec: 200 },
      { durationMs: 1000, ratePerSec: 40 },
      { durationMs: 150_000, ratePerSec: 40 },
      // A ramp: two minutes from 40/s back to 200/s.
      { durationMs: 120_000, ratePerSec: 200 },
      { durationMs: 60_000, ratePerSec: 200 },
    ],
  },
  repeats: 3,
  profiles: {
    // One cell, the stages scaled to 2.5 minutes: enough for metrics-server (15 s) and the HPA (15 s)
    // to see the step and scale up; the low phase (about 45 s) is then shorter than the 60 s
    // scale-down window, so smoke says nothing about flaps.
    smoke: { repeats: 1, warmupMs: 2000, durationMs: 150_000, matrix: { gc: ['default'], maxprocs: ['auto'] } },
    full: { repeats: 5 },
    nightly: { repeats: 2, matrix: { maxprocs: ['auto'] } },
  },
});

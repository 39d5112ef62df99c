/**
 * Analysis of a HorizontalPodAutoscaler's observed timeline: the replica curve and the scaling events
 * recorded by the Kubernetes target's watches, on the run's clock. Pure: plain data in, numbers out.
 *
 * Definitions (the report's method section quotes them):
 * - replica curve: a step function; a sample's value holds until the next sample.
 * - replica-seconds: the integral of the curve over the window (pod-seconds paid for).
 * - scale events: `SuccessfulRescale` events in the window; failed ones are counted apart.
 * - flaps: direction changes of the curve (up then down, or down then up), counted per change of
 *   direction, not per step: 1→2→3→2 has one flap, 1→2→1→2 has two.
 * - time to scale up: from the window start to the first sample above the starting replica count.
 */

/** One point of the replica curve. */
export interface ReplicaSample {
  tMs: number;
  replicas: number;
}

/** A scaling event as the run record stores it. */
export interface ScalingEvent {
  tMs: number;
  reason: string;
  message: string;
  fromReplicas: number | null;
  toReplicas: number | null;
}

export interface HpaTimelineSummary {
  /** Replicas at the window start (the last sample at or before it, else the first sample). */
  initialReplicas: number;
  maxReplicas: number;
  minReplicas: number;
  /** Replicas at the window end. */
  finalReplicas: number;
  replicaSeconds: number;
  scaleEvents: number;
  failedRescales: number;
  /** Number of scale-ups and scale-downs (steps of the curve). */
  scaleUps: number;
  scaleDowns: number;
  flaps: number;
  /** `null` when the curve never rose above its start. */
  timeToScaleUpMs: number | null;
  /** When the curve first reached its maximum (ms on the run's clock), `null` if it never rose. */
  reachedMaxAtMs: number | null;
}

/** Reasons the HPA controller gives its events. */
export const hpaEventReasons = { success: 'SuccessfulRescale', failure: 'FailedRescale' } as const;

/** `New size: 3; reason: cpu resource utilization (percentage of request) above target` → 3. */
export function parseRescaleSize(message: string): number | null {
  const match = /New size:\s*(\d+)/i.exec(message);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/**
 * The curve restricted to the window: sorted, clipped to [startMs, endMs], starting with the value in
 * force at `startMs`, with consecutive equal values merged.
 */
export function clipCurve(samples: readonly ReplicaSample[], startMs: number, endMs: number): ReplicaSample[] {
  if (!(endMs >= startMs)) throw new Error(`window end ${endMs} is before its start ${startMs}`);
  const sorted = [...samples].sort((a, b) => a.tMs - b.tMs);
  const first = sorted[0];
  if (first === undefined) return [];
  let atStart = first.replicas;
  for (const sample of sorted) if (sample.tMs <= startMs) atStart = sample.replicas;
  const curve: ReplicaSample[] = [{ tMs: startMs, replicas: atStart }];
  for (const sample of sorted) {
    if (sample.tMs <= startMs || sample.tMs > endMs) continue;
    if (sample.replicas !== curve[curve.length - 1]!.replicas) curve.push({ tMs: sample.tMs, replicas: sample.replicas });
  }
  return curve;
}

/** Integral of the step curve over [startMs, endMs], in replica-seconds. */
export function replicaSeconds(samples: readonly ReplicaSample[], startMs: number, endMs: number): number {
  const curve = clipCurve(samples, startMs, endMs);
  let total = 0;
  for (let i = 0; i < curve.length; i++) {
    const until = curve[i + 1]?.tMs ?? endMs;
    total += (curve[i]!.replicas * (until - curve[i]!.tMs)) / 1000;
  }
  return total;
}

/** Direction changes of a sequence of values (equal neighbours ignored). */
export function countFlaps(values: readonly number[]): number {
  let flaps = 0;
  let direction = 0;
  for (let i = 1; i < values.length; i++) {
    const step = Math.sign(values[i]! - values[i - 1]!);
    if (step === 0) continue;
    if (direction !== 0 && step !== direction) flaps++;
    direction = step;
  }
  return flaps;
}

/** Summary of the replica curve and events over the window [startMs, endMs]. Throws on an empty curve. */
export function summarizeHpaTimeline(
  samples: readonly ReplicaSample[],
  events: readonly ScalingEvent[],
  window: { startMs: number; endMs: number },
): HpaTimelineSummary {
  const curve = clipCurve(samples, window.startMs, window.endMs);
  const start = curve[0];
  if (start === undefined) throw new Error('the replica curve has no sample: the HPA status was never observed');
  const values = curve.map((s) => s.replicas);
  const maxReplicas = Math.max(...values);
  let scaleUps = 0;
  let scaleDowns = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > values[i - 1]!) scaleUps++;
    else scaleDowns++;
  }
  const firstUp = curve.find((s) => s.replicas > start.replicas);
  const inWindow = events.filter((e) => e.tMs >= window.startMs && e.tMs <= window.endMs);
  return {
    initialReplicas: start.replicas,
    maxReplicas,
    minReplicas: Math.min(...values),
    finalReplicas: values[values.length - 1]!,
    replicaSeconds: replicaSeconds(curve, window.startMs, window.endMs),
    scaleEvents: inWindow.filter((e) => e.reason === hpaEventReasons.success).length,
    failedRescales: inWindow.filter((e) => e.reason === hpaEventReasons.failure).length,
    scaleUps,
    scaleDowns,
    flaps: countFlaps(values),
    timeToScaleUpMs: firstUp === undefined ? null : firstUp.tMs - window.startMs,
    reachedMaxAtMs: firstUp === undefined ? null : curve.find((s) => s.replicas === maxReplicas)!.tMs,
  };
}

/**
 * The highest per-second P99 of the load series between `fromMs` and the moment the replica curve
 * reached its maximum: the latency users saw while the HPA was catching up. `null` when the curve
 * never rose or no load second falls in the window. (Per-second P99s cannot be merged into one P99;
 * the maximum is what is well defined.)
 */
export function p99DuringScaleOutMs(
  loadSeries: ReadonlyArray<{ tMs: number; p99Ms: number }>,
  summary: Pick<HpaTimelineSummary, 'reachedMaxAtMs'>,
  fromMs: number,
): number | null {
  if (summary.reachedMaxAtMs === null) return null;
  const until = summary.reachedMaxAtMs;
  const inside = loadSeries.filter((s) => s.tMs >= fromMs && s.tMs <= until && Number.isFinite(s.p99Ms));
  return inside.length === 0 ? null : Math.max(...inside.map((s) => s.p99Ms));
}

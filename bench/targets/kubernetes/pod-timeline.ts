/**
 * Pod lifecycle from the stream of pod objects a watch delivers: when each pod was created, scheduled,
 * started and Ready, on the run's clock (the time the watch event arrived, ms resolution; the API's own
 * timestamps have one-second resolution), plus restarts and OOM kills. Pure.
 */
import { median as medianOf } from '../../stats/index.js';

/** The fields of a pod the timeline reads; both watch JSON and typed client objects fit. */
export interface PodLike {
  metadata?: { name?: string; uid?: string; deletionTimestamp?: unknown };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    containerStatuses?: Array<{
      name: string;
      ready?: boolean;
      restartCount?: number;
      containerID?: string;
      state?: { running?: unknown; terminated?: { exitCode?: number; reason?: string; containerID?: string } };
      lastState?: { terminated?: { exitCode?: number; reason?: string; containerID?: string } };
    }>;
  };
}

export interface PodLifecycle {
  name: string;
  uid: string;
  node: string | null;
  /** First time the pod was seen (ADDED). `seenAtStart` pods existed before the watch began. */
  createdMs: number;
  seenAtStart: boolean;
  scheduledMs: number | null;
  startedMs: number | null;
  readyMs: number | null;
  deletedMs: number | null;
  /** Whether the pod is Ready now. */
  ready: boolean;
  restarts: number;
  /** Container ids that ended OOMKilled (distinct, so a status repeated in several events counts once). */
  oomKilledContainers: string[];
  /** Last termination seen: exit code and reason. */
  lastExit: { exitCode: number | null; reason: string | null } | null;
  /** The scheduler's reason while the pod cannot be placed (`PodScheduled=False, Unschedulable`), since when. */
  unschedulable: { sinceMs: number; message: string } | null;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

function condition(pod: PodLike, type: string): boolean {
  return pod.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/**
 * Applies one watch event to the timelines (keyed by pod uid). `initial` marks pods listed when the
 * watch started: their earlier transitions are unknown and they are kept out of start-up figures.
 */
export function applyPodEvent(
  timelines: Map<string, PodLifecycle>,
  type: WatchEventType,
  pod: PodLike,
  tMs: number,
  options: { container: string; initial?: boolean },
): PodLifecycle | null {
  const uid = pod.metadata?.uid;
  const name = pod.metadata?.name;
  if (uid === undefined || name === undefined) return null;
  let life = timelines.get(uid);
  if (life === undefined) {
    life = {
      name,
      uid,
      node: null,
      createdMs: tMs,
      seenAtStart: options.initial === true,
      scheduledMs: null,
      startedMs: null,
      readyMs: null,
      deletedMs: null,
      ready: false,
      restarts: 0,
      oomKilledContainers: [],
      lastExit: null,
      unschedulable: null,
    };
    timelines.set(uid, life);
  }
  if (pod.spec?.nodeName) life.node = pod.spec.nodeName;
  if (life.scheduledMs === null && (condition(pod, 'PodScheduled') || pod.spec?.nodeName)) life.scheduledMs = tMs;
  const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  if (unschedulable === undefined || life.scheduledMs !== null) life.unschedulable = null;
  else life.unschedulable = { sinceMs: life.unschedulable?.sinceMs ?? tMs, message: unschedulable.message ?? 'Unschedulable' };
  const status = pod.status?.containerStatuses?.find((c) => c.name === options.container);
  if (status !== undefined) {
    if (life.startedMs === null && status.state?.running !== undefined) life.startedMs = tMs;
    life.restarts = Math.max(life.restarts, status.restartCount ?? 0);
    for (const terminated of [status.lastState?.terminated, status.state?.terminated]) {
      if (terminated === undefined) continue;
      life.lastExit = { exitCode: terminated.exitCode ?? null, reason: terminated.reason ?? null };
      const id = terminated.containerID ?? `${uid}#${life.restarts}`;
      if (terminated.reason === 'OOMKilled' && !life.oomKilledContainers.includes(id)) life.oomKilledContainers.push(id);
    }
  }
  life.ready = condition(pod, 'Ready');
  if (life.readyMs === null && life.ready) life.readyMs = tMs;
  if (type === 'DELETED' && life.deletedMs === null) life.deletedMs = tMs;
  return life;
}

function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : medianOf(values);
}

export interface PodStartupSummary {
  /** Pods whose whole start-up was observed. */
  pods: number;
  podScheduledMs: number | null;
  podStartedMs: number | null;
  podReadyMs: number | null;
}

/** Medians of created → scheduled / started / Ready over the pods whose start-up the watch saw. */
export function summarizePodStartup(lifecycles: Iterable<PodLifecycle>): PodStartupSummary {
  const seen = [...lifecycles].filter((l) => !l.seenAtStart);
  const span = (pick: (l: PodLifecycle) => number | null) => median(seen.flatMap((l) => (pick(l) === null ? [] : [pick(l)! - l.createdMs])));
  return {
    pods: seen.filter((l) => l.readyMs !== null).length,
    podScheduledMs: span((l) => l.scheduledMs),
    podStartedMs: span((l) => l.startedMs),
    podReadyMs: span((l) => l.readyMs),
  };
}

/** Running / Ready pod counts now (pods not deleted). */
export function countPods(lifecycles: Iterable<PodLifecycle>): { pods: number; ready: number } {
  let pods = 0;
  let ready = 0;
  for (const life of lifecycles) {
    if (life.deletedMs !== null) continue;
    pods++;
    if (life.ready) ready++;
  }
  return { pods, ready };
}

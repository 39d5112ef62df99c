/**
 * Who owns a run's containers and namespaces: the bench process that created them, named by host, boot,
 * pid and the pid's start time (a pid alone is reused). `bench doctor --cleanup` removes only runs
 * whose owner is provably gone, so it never touches a run that is still going.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Label keys (valid as Docker labels and Kubernetes label keys). */
export const OWNER_LABELS = {
  pid: 'bench.owner-pid',
  host: 'bench.owner-host',
  bootId: 'bench.owner-boot-id',
  /** The owner's start time in clock ticks since boot (`/proc/<pid>/stat` field 22). */
  startTicks: 'bench.owner-start',
  /** When the object was created, ms since the epoch. */
  createdAtMs: 'bench.created-at',
} as const;

export interface Owner {
  pid: number;
  host: string;
  bootId: string;
  startTicks: string;
}

/** What the machine can tell about a process: injected so that the rules are testable without /proc. */
export interface ProcessProbe {
  host: string;
  bootId: string;
  /** Start ticks of `pid`, or null when no such process exists. */
  startTicksOf(pid: number): string | null;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Field 22 of `/proc/<pid>/stat`; the command name (field 2) may hold spaces, so count after its `)`. */
export function parseStartTicks(stat: string): string | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

/** This machine, read from /proc. */
export const localProbe: ProcessProbe = {
  host: os.hostname().slice(0, 63),
  bootId: readOr('/proc/sys/kernel/random/boot_id', 'unknown').trim(),
  startTicksOf(pid) {
    const stat = readOr(`/proc/${pid}/stat`, '');
    return stat === '' ? null : parseStartTicks(stat);
  },
};

let self: Owner | null = null;

/** This process as an owner. */
export function currentOwner(probe: ProcessProbe = localProbe): Owner {
  self ??= { pid: process.pid, host: probe.host, bootId: probe.bootId, startTicks: probe.startTicksOf(process.pid) ?? 'unknown' };
  return self;
}

/** The labels every container and namespace of a run carries besides its run id. */
export function ownerLabels(owner: Owner = currentOwner(), nowMs = Date.now()): Record<string, string> {
  return {
    [OWNER_LABELS.pid]: String(owner.pid),
    [OWNER_LABELS.host]: owner.host.replace(/[^A-Za-z0-9._-]/g, '-'),
    [OWNER_LABELS.bootId]: owner.bootId,
    [OWNER_LABELS.startTicks]: owner.startTicks,
    [OWNER_LABELS.createdAtMs]: String(nowMs),
  };
}

/** The owner named by an object's labels; null for objects of an older bench without them. */
export function ownerFromLabels(labels: Readonly<Record<string, string>>): Owner | null {
  const pid = Number(labels[OWNER_LABELS.pid]);
  const host = labels[OWNER_LABELS.host];
  const bootId = labels[OWNER_LABELS.bootId];
  const startTicks = labels[OWNER_LABELS.startTicks];
  if (!Number.isInteger(pid) || pid <= 0 || host === undefined || bootId === undefined || startTicks === undefined) return null;
  return { pid, host, bootId, startTicks };
}

export type OwnerState = 'alive' | 'gone' | 'unknown';

/**
 * Whether the owner still runs. `gone` only when provable on this machine: another boot, no such pid,
 * or the pid reused by a process that started at another time. Another host or no labels: `unknown`.
 */
export function ownerState(owner: Owner | null, probe: ProcessProbe = localProbe): OwnerState {
  if (owner === null || owner.host !== probe.host.replace(/[^A-Za-z0-9._-]/g, '-')) return 'unknown';
  if (owner.bootId !== probe.bootId) return 'gone';
  const ticks = probe.startTicksOf(owner.pid);
  if (ticks === null) return 'gone';
  return ticks === owner.startTicks ? 'alive' : 'gone';
}

/** The objects of one run found on a target. */
export interface RunLeftovers {
  runId: string;
  owner: Owner | null;
  /** Earliest creation time among the run's objects, ms since the epoch (null when unlabelled). */
  createdAtMs: number | null;
  /** What they are, for the listing: `container bench-…`, `namespace bench-…`. */
  objects: string[];
}

export interface CleanupSelection {
  /** `--run-id`: remove exactly these runs, whoever owns them. */
  runIds?: readonly string[];
  /** `--older-than`: remove runs created longer ago than this, whoever owns them. */
  olderThanMs?: number;
}

/**
 * Which runs `doctor --cleanup` removes, with the reason; the rest are kept with theirs. With no
 * selection only runs whose owner is gone; with `--run-id` / `--older-than` exactly the runs they name.
 */
export function selectRunsToRemove(
  runs: readonly RunLeftovers[],
  selection: CleanupSelection,
  nowMs: number,
  probe: ProcessProbe = localProbe,
): Array<{ run: RunLeftovers; remove: boolean; reason: string }> {
  const explicit = selection.runIds !== undefined || selection.olderThanMs !== undefined;
  return runs.map((run) => {
    if (explicit) {
      if (selection.runIds?.includes(run.runId)) return { run, remove: true, reason: 'named by --run-id' };
      const ageMs = run.createdAtMs === null ? null : nowMs - run.createdAtMs;
      if (selection.olderThanMs !== undefined && ageMs !== null && ageMs > selection.olderThanMs) {
        return { run, remove: true, reason: `created ${Math.round(ageMs / 60_000)} min ago` };
      }
      return { run, remove: false, reason: 'not selected by --run-id / --older-than' };
    }
    const state = ownerState(run.owner, probe);
    if (state === 'gone') return { run, remove: true, reason: `owner pid ${run.owner?.pid} is gone` };
    if (state === 'alive') return { run, remove: false, reason: `owner pid ${run.owner?.pid} is still running` };
    return {
      run,
      remove: false,
      reason: run.owner === null ? 'owner unknown (no owner labels); remove with --run-id' : `owner on another host (${run.owner.host}); remove with --run-id`,
    };
  });
}

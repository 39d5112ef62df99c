/**
 * What else used the host's CPUs while a repeat ran: CPU time of processes that are not part of the
 * measurement (not this harness, not a container, not the container engine, not a kernel thread) and
 * CPU time the hypervisor stole. A repeat measured next to a compiler or a browser says so instead of
 * passing its noise off as an effect. Reading is at the edge (`readHostCpu`); judging is pure.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Foreign CPU above this average, in cores, makes a sequential repeat `invalid` ("host busy"). */
export const HOST_BUSY_FOREIGN_CORES = 0.1;
/** Stolen CPU above this share of all CPU time makes a sequential repeat `invalid`. */
export const HOST_BUSY_STEAL_SHARE = 0.05;

/** Clock ticks per second of /proc's CPU counters (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** Processes that belong to every measurement: the container engine and its helpers, and the services. */
export const engineCommands = /^(dockerd|containerd|containerd-shim.*|docker-proxy|runc|refsvc|conmon|podman|crun)$/;
/**
 * Processes of a Kubernetes control plane and node on this host: part of the measurement on the
 * Kubernetes targets, foreign to a Docker run (a local cluster left running takes CPU from it).
 */
export const clusterCommands = /^(kubelet|kube-.*|etcd|kubectl|supervise.*)$/;

/** What a foreign process is: the patterns of the measurement's own processes. */
export type OwnCommands = readonly RegExp[];

export interface ProcessCpu {
  comm: string;
  ticks: number;
}

export interface HostCpuSnapshot {
  tMs: number;
  /** Every CPU's steal and total ticks from /proc/stat's first line. */
  stealTicks: number;
  totalTicks: number;
  /** Foreign candidates only: processes outside containers, not ours, not kernel threads. */
  processes: Map<number, ProcessCpu>;
}

export interface HostActivity {
  /** Average CPU of foreign processes over the interval, cores. */
  foreignCores: number;
  /** Share of all CPU time the hypervisor stole over the interval. */
  stealShare: number;
  /** The biggest foreign users, e.g. `tsc 0.62, go 0.20` (cores). */
  top: string;
}

/** Parses `/proc/<pid>/stat`: comm (may hold spaces and parentheses), ppid, utime + stime. */
export function parseProcStat(text: string): { comm: string; ppid: number; ticks: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![ppid, utime, stime].every(Number.isFinite)) return null;
  return { comm: text.slice(open + 1, close), ppid, ticks: utime + stime };
}

/** Parses /proc/stat's aggregate line into steal and total ticks. */
export function parseStatCpuLine(text: string): { stealTicks: number; totalTicks: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return null;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is inside user already.
  const total = values.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return { stealTicks: values[7] ?? 0, totalTicks: total };
}

/** A cgroup path of a container (Docker, containerd, podman, Kubernetes pods). */
export function isContainerCgroup(cgroupFile: string): boolean {
  return /\/(docker|libpod|kubepods|machine\.slice)|docker-[0-9a-f]{12}|\/bench-local-k8s/.test(cgroupFile);
}

/** Reads the host's CPU counters; `ownPids` are this harness's processes (itself and its children). */
export async function readHostCpu(ownPids: ReadonlySet<number>, now: () => number, own: OwnCommands = [engineCommands]): Promise<HostCpuSnapshot | null> {
  let stat: string;
  try {
    stat = await readFile('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const cpu = parseStatCpuLine(stat);
  if (cpu === null) return null;
  const processes = new Map<number, ProcessCpu>();
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name)).map(Number);
  await Promise.all(
    pids.map(async (pid) => {
      if (ownPids.has(pid) || pid <= 2) return;
      const [procStat, cgroup] = await Promise.all([
        readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null),
        readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => ''),
      ]);
      if (procStat === null) return;
      const parsed = parseProcStat(procStat);
      if (parsed === null || parsed.ppid === 2 || ownPids.has(parsed.ppid)) return;
      if (own.some((pattern) => pattern.test(parsed.comm)) || isContainerCgroup(cgroup)) return;
      processes.set(pid, { comm: parsed.comm, ticks: parsed.ticks });
    }),
  );
  return { tMs: now(), stealTicks: cpu.stealTicks, totalTicks: cpu.totalTicks, processes };
}

/** Foreign CPU and steal between two snapshots. A process that started in between counts in full. */
export function hostActivity(start: HostCpuSnapshot, end: HostCpuSnapshot): HostActivity {
  const seconds = Math.max(1e-3, (end.tMs - start.tMs) / 1000);
  const byCommand = new Map<string, number>();
  let foreignTicks = 0;
  for (const [pid, p] of end.processes) {
    const before = start.processes.get(pid);
    const used = before !== undefined && before.comm === p.comm ? Math.max(0, p.ticks - before.ticks) : p.ticks;
    if (used === 0) continue;
    foreignTicks += used;
    byCommand.set(p.comm, (byCommand.get(p.comm) ?? 0) + used);
  }
  const totalDelta = end.totalTicks - start.totalTicks;
  const stealShare = totalDelta > 0 ? Math.max(0, end.stealTicks - start.stealTicks) / totalDelta : 0;
  const top = [...byCommand.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([comm, ticks]) => `${comm} ${(ticks / TICKS_PER_SECOND / seconds).toFixed(2)}`)
    .join(', ');
  return { foreignCores: foreignTicks / TICKS_PER_SECOND / seconds, stealShare, top };
}

/** How every host-busy reason begins (see `hostBusyReason`). */
export const HOST_BUSY_REASON = 'host busy';

/** Why the host was too busy for a sequential measurement, or `null`. */
export function hostBusyReason(activity: HostActivity): string | null {
  const reasons: string[] = [];
  if (activity.foreignCores > HOST_BUSY_FOREIGN_CORES) {
    reasons.push(`other processes used ${activity.foreignCores.toFixed(2)} cores (${activity.top}; limit ${HOST_BUSY_FOREIGN_CORES})`);
  }
  if (activity.stealShare > HOST_BUSY_STEAL_SHARE) {
    reasons.push(`the hypervisor stole ${(activity.stealShare * 100).toFixed(1)}% of CPU time (limit ${HOST_BUSY_STEAL_SHARE * 100}%)`);
  }
  return reasons.length === 0 ? null : `${HOST_BUSY_REASON}: ${reasons.join('; ')}`;
}

/**
 * Container CPU, CFS throttling and memory read straight from the container's cgroup files on the host
 * (cgroup v1 and v2). Parsers are pure; `findContainerCgroup` and `readCgroupSample` touch the files.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface CgroupPaths {
  version: 1 | 2;
  /** v1: controller directories; v2: the unified directory in both. */
  cpu: string;
  cpuacct: string;
  memory: string;
}

export interface CgroupReading {
  cpuUsageNs: number;
  nrPeriods: number;
  nrThrottled: number;
  throttledTimeNs: number;
  memUsageBytes: number;
  memPeakBytes: number | null;
  /** CPU limit in cores (quota / period), null when unlimited. */
  cpuLimit: number | null;
  memLimitBytes: number | null;
}

/** Parses `key value` lines (cpu.stat, memory.stat). */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^-?\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** cgroup v2 `cpu.max`: `max 100000` or `50000 100000` → cores or null. */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return null;
  return Number(quota) / Number(period);
}

/** cgroup v1 quota/period → cores or null (quota -1 is unlimited). */
export function parseCfsQuota(quotaText: string, periodText: string): number | null {
  const quota = Number(quotaText.trim());
  return quota <= 0 ? null : quota / Number(periodText.trim());
}

/** Memory limit: v1 reports a huge number for "no limit", v2 says `max`. */
export function parseMemLimit(text: string): number | null {
  const value = text.trim();
  if (value === 'max') return null;
  const bytes = Number(value);
  return bytes >= 2 ** 62 ? null : bytes;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Finds the cgroup directories of a Docker container on this host, or null (remote engine, other driver). */
export async function findContainerCgroup(containerId: string, root = '/sys/fs/cgroup'): Promise<CgroupPaths | null> {
  const v1 = (controller: string) => [
    path.join(root, controller, 'docker', containerId),
    path.join(root, controller, 'system.slice', `docker-${containerId}.scope`),
  ];
  for (const cpu of v1('cpu')) {
    if (await exists(path.join(cpu, 'cpu.cfs_quota_us'))) {
      const rel = path.relative(path.join(root, 'cpu'), cpu);
      return { version: 1, cpu, cpuacct: path.join(root, 'cpuacct', rel), memory: path.join(root, 'memory', rel) };
    }
  }
  for (const dir of [path.join(root, 'system.slice', `docker-${containerId}.scope`), path.join(root, 'docker', containerId)]) {
    if (await exists(path.join(dir, 'cpu.max'))) return { version: 2, cpu: dir, cpuacct: dir, memory: dir };
  }
  return null;
}

const read = (dir: string, file: string) => readFile(path.join(dir, file), 'utf8');

export async function readCgroupSample(paths: CgroupPaths): Promise<CgroupReading> {
  if (paths.version === 1) {
    const [usage, stat, quota, period, mem, peak, limit] = await Promise.all([
      read(paths.cpuacct, 'cpuacct.usage'),
      read(paths.cpu, 'cpu.stat'),
      read(paths.cpu, 'cpu.cfs_quota_us'),
      read(paths.cpu, 'cpu.cfs_period_us'),
      read(paths.memory, 'memory.usage_in_bytes'),
      read(paths.memory, 'memory.max_usage_in_bytes'),
      read(paths.memory, 'memory.limit_in_bytes'),
    ]);
    const cpu = parseKeyValues(stat);
    return {
      cpuUsageNs: Number(usage.trim()),
      nrPeriods: cpu.nr_periods ?? 0,
      nrThrottled: cpu.nr_throttled ?? 0,
      throttledTimeNs: cpu.throttled_time ?? 0,
      memUsageBytes: Number(mem.trim()),
      memPeakBytes: Number(peak.trim()),
      cpuLimit: parseCfsQuota(quota, period),
      memLimitBytes: parseMemLimit(limit),
    };
  }
  const [stat, max, mem, limit, peak] = await Promise.all([
    read(paths.cpu, 'cpu.stat'),
    read(paths.cpu, 'cpu.max'),
    read(paths.memory, 'memory.current'),
    read(paths.memory, 'memory.max'),
    read(paths.memory, 'memory.peak').catch(() => null),
  ]);
  const cpu = parseKeyValues(stat);
  return {
    cpuUsageNs: (cpu.usage_usec ?? 0) * 1000,
    nrPeriods: cpu.nr_periods ?? 0,
    nrThrottled: cpu.nr_throttled ?? 0,
    throttledTimeNs: (cpu.throttled_usec ?? 0) * 1000,
    memUsageBytes: Number(mem.trim()),
    memPeakBytes: peak === null ? null : Number(peak.trim()),
    cpuLimit: parseCpuMax(max),
    memLimitBytes: parseMemLimit(limit),
  };
}

import { describe, expect, it } from 'vitest';
import {
  hostActivity,
  hostBusyReason,
  isContainerCgroup,
  parseProcStat,
  parseStatCpuLine,
  HOST_BUSY_FOREIGN_CORES,
  type HostCpuSnapshot,
} from './host-activity.js';

const snapshot = (tMs: number, steal: number, total: number, procs: Array<[number, string, number]>): HostCpuSnapshot => ({
  tMs,
  stealTicks: steal,
  totalTicks: total,
  processes: new Map(procs.map(([pid, comm, ticks]) => [pid, { comm, ticks }])),
});

describe('host activity', () => {
  it('parses /proc/<pid>/stat with a command holding spaces and parentheses', () => {
    const text = '4242 (tsc (worker) 1) R 17 4242 17 0 -1 4194304 100 0 0 0 250 30 0 0 20 0 11 0 555 1 2';
    expect(parseProcStat(text)).toEqual({ comm: 'tsc (worker) 1', ppid: 17, ticks: 280 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('parses steal and total from /proc/stat', () => {
    expect(parseStatCpuLine('cpu  100 5 50 800 10 1 2 7 0 0\ncpu0 1 2 3\n')).toEqual({ stealTicks: 7, totalTicks: 975 });
  });

  it('recognises container cgroups', () => {
    expect(isContainerCgroup('12:cpu,cpuacct:/docker/0123456789abcdef\n')).toBe(true);
    expect(isContainerCgroup('0::/system.slice/docker-0123456789abcdef.scope\n')).toBe(true);
    expect(isContainerCgroup('0::/user.slice/user-0.slice/session-1.scope\n')).toBe(false);
  });

  it('counts foreign CPU over the interval, a new process in full, and names the top users', () => {
    const a = snapshot(0, 0, 1000, [
      [10, 'tsc', 100],
      [11, 'sshd', 5],
    ]);
    const b = snapshot(2000, 0, 1400, [
      [10, 'tsc', 160],
      [11, 'sshd', 5],
      [12, 'go', 20],
    ]);
    const activity = hostActivity(a, b);
    expect(activity.foreignCores).toBeCloseTo(0.4, 10); // (60 + 20) ticks / 100 / 2 s
    expect(activity.top).toBe('tsc 0.30, go 0.10');
    expect(hostBusyReason(activity)).toMatch(/host busy: other processes used 0.40 cores \(tsc 0.30, go 0.10/);
  });

  it('passes a quiet host and flags steal', () => {
    const quiet = hostActivity(snapshot(0, 0, 0, [[11, 'sshd', 5]]), snapshot(1000, 0, 200, [[11, 'sshd', 6]]));
    expect(quiet.foreignCores).toBeLessThan(HOST_BUSY_FOREIGN_CORES);
    expect(hostBusyReason(quiet)).toBeNull();
    const stolen = hostActivity(snapshot(0, 0, 0, []), snapshot(1000, 20, 200, []));
    expect(stolen.stealShare).toBeCloseTo(0.1, 10);
    expect(hostBusyReason(stolen)).toMatch(/stole 10.0%/);
  });
});

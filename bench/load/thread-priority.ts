/**
 * Priorities of this process's threads. On Linux a priority (nice value) belongs to a thread, not to
 * the process, so each thread of this process gets it; elsewhere the process's. Best effort.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';

/** Sets every thread of this process to `niceOf(its current nice)`; false when the system refused. */
export function setOwnThreadsPriority(niceOf: (current: number) => number): boolean {
  let threads: number[] = [process.pid];
  try {
    threads = readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    // not Linux: the process's priority
  }
  for (const tid of threads) {
    try {
      os.setPriority(tid, niceOf(os.getPriority(tid)));
    } catch {
      return false;
    }
  }
  return true;
}

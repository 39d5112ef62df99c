import type { Cell, WorkloadName } from './define.js';

/**
 * Request mixes of the reference service's `/work` endpoint (parameters documented in
 * infra/refsvc/README.md). One place, so every target and generator sends the same request.
 */
export const workloads = {
  /** No work: the service's own overhead. */
  trivial: { path: '/work', note: 'no work (service overhead only)' },
  /** CPU-bound: 40 SHA-256 rounds over 1 KiB. */
  cpu: { path: '/work?cpu=40', note: '40 × SHA-256 of 1 KiB' },
  /** Allocation-heavy, pointer-rich graph with a JSON round trip: the heap Green Tea targets. */
  alloc: { path: '/work?alloc=400', note: '400-node pointer graph, JSON encode + decode' },
  /** Fixed sleep: ground-truth latency. */
  sleep: { path: '/work?sleep_ms=10', note: 'sleep 10 ms' },
  /** Some CPU and some allocation. */
  mixed: { path: '/work?cpu=10&alloc=100', note: '10 × SHA-256 + 100-node graph' },
  /** Allocation churn on top of a large live heap (memory-limit scenarios). */
  memory: { path: '/work?alloc=200&garbage_kb=256', note: '200-node graph + 256 KiB garbage' },
  /** Long requests, so that some are in flight when SIGTERM arrives. */
  slow: { path: '/work?sleep_ms=200', note: 'sleep 200 ms' },
} as const satisfies Record<WorkloadName, { path: string; note: string }>;

export function workloadPath(name: WorkloadName): string {
  return workloads[name].path;
}

/** The request path a cell's load is sent to: the scenario's `workloadPaths` override, else the workload's. */
export function cellRequestPath(cell: Pick<Cell, 'settings' | 'requestPath'>): string {
  return cell.requestPath ?? workloadPath(cell.settings.workload);
}

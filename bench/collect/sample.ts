/** The shape of a target's resource samples, from which collect/ derives CPU, throttling and memory. Pure. */

/** A resource sample of the service's container(s), on the run's clock. */
export interface ContainerSample {
  /** ms since the repeat's clock origin. */
  tMs: number;
  /** Cumulative CPU time used, ns. */
  cpuUsageNs: number;
  /** Cumulative CFS counters (null where the target cannot read them). */
  nrPeriods: number | null;
  nrThrottled: number | null;
  throttledTimeNs: number | null;
  memUsageBytes: number;
  /** Highest memory usage seen by the kernel (cgroup max_usage), when known. */
  memPeakBytes: number | null;
}

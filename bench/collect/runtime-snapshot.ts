/**
 * The JSON served by the reference service at `/debug/runtime` (infra/refsvc). Field names are the
 * service's; runtime/metrics values are keyed by their full metric name.
 */
export interface RuntimeSnapshot {
  /** `runtime.Version()`, e.g. `go1.26.8` or `go1.26.8 X:nogreenteagc`. */
  goVersion: string;
  /** `default` or `nogreenteagc`, derived from the build's GOEXPERIMENT setting. */
  gcVariant: 'default' | 'nogreenteagc';
  /** GOEXPERIMENT build setting from `debug.ReadBuildInfo` ("" when none). */
  goexperiment: string;
  /** GODEBUG env in effect ("" when unset). */
  godebug: string;
  /** Whether the binary was built with `-s -w`. */
  stripped: boolean;
  gomaxprocs: number;
  numCPU: number;
  /** `/gc/gogc:percent` */
  gogc: number;
  /** `/gc/gomemlimit:bytes` (math.MaxInt64 when unset). */
  gomemlimitBytes: number;
  /** runtime/metrics values: scalar metrics by full name (floats and uint64 as numbers). */
  metrics: Record<string, number>;
  /** Summary of `/sched/pauses/total/gc:seconds`. */
  gcPauses: { count: number; p50Seconds: number; p99Seconds: number; maxSeconds: number };
  /** Process resident set size from /proc/self/status (VmRSS), bytes. */
  rssBytes: number;
  /** Go's package initialisation time, RFC 3339 with nanoseconds. */
  startTime: string;
  /**
   * How fast the process became ready, measured by the service itself (absent from builds before it
   * reported it). `processStartToReadyMs`: the earliest moment its Go code runs → the open listener
   * (exec and the runtime's bootstrap not included). `kernelStartToReadyMs`: the kernel's creation of
   * the process (fork) → the open listener, which under a container runtime includes its set-up of
   * the container before exec; an upper bound at `kernelStartResolutionMs` (10 ms), 0 when unreadable.
   */
  startup?: {
    processStartToReadyMs: number;
    kernelStartToReadyMs: number;
    kernelStartResolutionMs: number;
    /** To the first 200 of /ready: includes the wait for the first probe. */
    firstReadyMs: number | null;
  };
  uptimeSeconds: number;
  ready: boolean;
  pid: number;
  /** The service's resolved configuration. */
  config: { liveHeapMiB: number; graceful: boolean; drainMs: number; shutdownTimeoutMs: number };
}

/** runtime/metrics names the harness reads (see CLAIMS.md). */
export const runtimeMetricNames = {
  gcCpu: '/cpu/classes/gc/total:cpu-seconds',
  gcIdleMarkCpu: '/cpu/classes/gc/mark/idle:cpu-seconds',
  totalCpu: '/cpu/classes/total:cpu-seconds',
  userCpu: '/cpu/classes/user:cpu-seconds',
  idleCpu: '/cpu/classes/idle:cpu-seconds',
  heapLive: '/gc/heap/live:bytes',
  heapGoal: '/gc/heap/goal:bytes',
  memoryTotal: '/memory/classes/total:bytes',
  gcCycles: '/gc/cycles/total:gc-cycles',
  limiterLastEnabled: '/gc/limiter/last-enabled:gc-cycle',
} as const;

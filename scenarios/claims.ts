/**
 * The claims catalog of CLAIMS.md as data: every performance claim of the document under test
 * (`seed/000_19b9d5c11a3110a2.txt`), what it really refers to, and how the harness tests it.
 * Pure data; `bench/claims` evaluates it against a run's analysis.
 */
import type { CellSettings, TargetName } from './define.js';
import type { MetricName } from '../bench/results/index.js';

/** Picks cells by settings: every key given must match (numbers and strings compared as text). */
export type CellSelector = Partial<Record<keyof CellSettings, string | number | boolean | null>>;

/**
 * One testable figure of a claim.
 * - `effect`: relative change baseline → treatment, `claimedChangePct` (e.g. −40); `null` = "an
 *   improvement" of unspecified size (in the metric's `better` direction).
 * - `no-worse`: the treatment is claimed to be fine, i.e. not worse than the baseline.
 * - `absolute`: a figure about one configuration (`below` = strictly less, `at-most`, `at-least`,
 *   `about` = within ±`tolerancePct`).
 * - `gomaxprocs-rule`: GOMAXPROCS read from the service vs the document ("= the CPU limit") and the
 *   Go 1.25 rule `min(max(2, ceil(limit)), host CPUs)`.
 * - `no-op`: a setting claimed to change something; the runtime's own value of it (`settingMetric`)
 *   shows whether it did, and `metrics` show whether anything moved.
 * - `no-failures`: "drops no request". Failures (`metric`) and the requests exposed to them
 *   (`exposureMetric`) are summed over a cell's completed repeats; zero failures is a verdict only
 *   when the 95% upper bound on the failure rate, 3/N by the rule of three, is below `maxFailureRate`.
 * - `oom-kills`: the kernel's OOM kills of the service, counted over every repeat of a cell (a killed
 *   repeat has the outcome `died`, so no other statistic sees it); more than `atMost` refutes.
 */
export type ClaimCheck =
  | {
      kind: 'effect';
      label: string;
      metric: MetricName;
      baseline: CellSelector;
      treatment: CellSelector;
      claimedChangePct: number | null;
    }
  | { kind: 'no-worse'; label: string; metric: MetricName; baseline: CellSelector; treatment: CellSelector }
  | {
      kind: 'absolute';
      label: string;
      metric: MetricName;
      select: CellSelector;
      relation: 'below' | 'at-most' | 'at-least' | 'about';
      /** In the metric's unit (bytes, ms, ratio, count). */
      value: number;
      /** For `about`: accepted deviation, % of `value`. */
      tolerancePct?: number;
      /** Metrics shown beside the judged one in the same table, as context (not judged). */
      context?: MetricName[];
    }
  | { kind: 'gomaxprocs-rule'; label: string; select: CellSelector }
  | {
      kind: 'no-op';
      label: string;
      settingMetric: MetricName;
      baseline: CellSelector;
      treatment: CellSelector;
      metrics: MetricName[];
    }
  | {
      kind: 'no-failures';
      label: string;
      /** Failed events per repeat. */
      metric: MetricName;
      /** Events exposed to failure per repeat (the N of 3/N). */
      exposureMetric: MetricName;
      select: CellSelector;
      /** A zero count confirms the claim only when 3/N is below this failure rate (a ratio). */
      maxFailureRate: number;
      /** Cells shown beside the judged ones in the same table, not judged (e.g. the same shutdown without the drain). */
      context?: CellSelector[];
    }
  | {
      kind: 'oom-kills';
      label: string;
      select: CellSelector;
      /** OOM kills allowed over all of a cell's repeats, whatever their outcome (a killed repeat is `died`). */
      atMost: number;
    };

/** Where a claim is measured: a scenario, the targets that can run it, and the figures checked. */
export interface ClaimMeasurement {
  scenario: string;
  targets: TargetName[];
  checks: ClaimCheck[];
}

export type ClaimKind = 'effect' | 'rule' | 'absolute' | 'no-op' | 'note';

export interface ClaimSpec {
  id: string;
  kind: ClaimKind;
  /** Section of the document (Chinese heading as written). */
  section: string;
  /** The document's words, verbatim. */
  quote: string;
  /** What the document says, in one short English line (the verdict table's second column). */
  documentSays: string;
  /** What it really is, from the Go release notes, blog posts and docs (CLAIMS.md). */
  correctedFact: string;
  /** Targets on which the claim can be measured (union of `measurements[].targets`). */
  targets: TargetName[];
  measurements: ClaimMeasurement[];
  /** Metrics whose charts belong in this claim's report section besides those its checks use. */
  chartMetrics?: MetricName[];
}

const K8S: TargetName[] = ['kind', 'kubernetes'];
const ALL: TargetName[] = ['docker', 'kind', 'kubernetes'];
const GREEN_TEA = { baseline: { gc: 'nogreenteagc' }, treatment: { gc: 'default' } } as const;
/** An effect of container-aware GOMAXPROCS (the Go 1.25+ default) against a container-unaware service. */
function awareVsUnaware(label: string, metric: MetricName, claimedChangePct: number | null): ClaimCheck {
  return { kind: 'effect', label, metric, baseline: { maxprocs: 'unaware(8)' }, treatment: { maxprocs: 'auto' }, claimedChangePct };
}
const MB = 1_000_000;
/**
 * "Drops no request" holds when none failed and the 95% upper bound on the failure rate (3/N, the rule
 * of three) is below this: 1 in 100 exposed requests, so at least 300 exposed requests are needed.
 */
export const DROP_RATE_THRESHOLD = 0.01;

/**
 * No request fails when the service drains for `drainMs` and then shuts down gracefully; the cells
 * without the drain, and without graceful shutdown, are shown beside it.
 */
function drainedWithoutFailures(label: string, drainMs: number): ClaimCheck {
  return {
    kind: 'no-failures',
    label,
    metric: 'failedRequests',
    exposureMetric: 'requestsExposed',
    select: { graceful: true, drainMs },
    maxFailureRate: DROP_RATE_THRESHOLD,
    context: [{ graceful: true, drainMs: 0 }, { graceful: false }],
  };
}

/** The document's "< 100 ms" start-up, judged on the Go process; the other start-up figures beside it. */
function processReadyBelow100Ms(context: MetricName[]): ClaimCheck {
  return { kind: 'absolute', label: 'process start → ready', metric: 'processReadyMs', select: { gc: 'default' }, relation: 'below', value: 100, context };
}

export const claimsCatalog: ClaimSpec[] = [
  {
    id: 'gomaxprocs-follows-limit',
    kind: 'rule',
    section: '容器感知调度 · FAQ Q2',
    quote: '✅ GOMAXPROCS = 容器 CPU 限制 (2) / ✅ 自动检测 cgroup v1/v2 / # Go 1.23+ - 不需要任何配置！ # 自动检测容器 CPU 限制',
    documentSays: 'GOMAXPROCS = container CPU limit, automatic since Go 1.23',
    correctedFact: 'Go 1.25+ (go.mod `go 1.25`): GOMAXPROCS = min(max(2, ceil(limit)), CPU affinity count); leaf cgroup, v1 and v2',
    targets: ALL,
    measurements: [
      { scenario: 'gomaxprocs', targets: ALL, checks: [{ kind: 'gomaxprocs-rule', label: 'GOMAXPROCS per CPU limit', select: { maxprocs: 'auto' } }] },
    ],
  },
  {
    id: 'gomaxprocs-throughput',
    kind: 'effect',
    section: '容器感知调度 · FAQ Q1',
    quote: '❌ 结果: CPU 利用率只有 50-70% … ✅ CPU 利用率: 95%+ / ✅ 性能提升: +36% / 无需任何配置，性能提升 36%，成本降低 ~30%',
    documentSays: 'CPU utilisation 50–70% → 95%+, performance +36%',
    correctedFact:
      'no published figure; the known effect of container-unaware GOMAXPROCS is CFS throttling and tail latency. Judged on saturation throughput and, at one fixed rate below saturation, on P99 and throttled periods; ' +
      'CPU used / limit is shown, not judged (both variants sit at their quota when saturated). The unaware service is emulated with GOMAXPROCS=8: on a host with fewer CPUs it cannot burst the way an 8-CPU node would',
    targets: ALL,
    chartMetrics: ['throttledPeriodRatio', 'latencyP99Ms', 'cpuOfLimit'],
    measurements: [
      {
        scenario: 'gomaxprocs',
        targets: ALL,
        checks: [awareVsUnaware('throughput at saturation, container-aware vs unaware', 'throughputRps', 36)],
      },
      {
        scenario: 'gomaxprocs-fixed-rate',
        targets: ALL,
        checks: [
          awareVsUnaware('per-repeat P99 latency at a fixed rate, container-aware vs unaware', 'latencyP99Ms', null),
          awareVsUnaware('throttled periods at a fixed rate, container-aware vs unaware', 'throttledPeriodRatio', null),
        ],
      },
    ],
  },
  {
    id: 'greentea-gc-overhead',
    kind: 'effect',
    section: 'greentea GC',
    quote: '- Go 1.23+: GC 开销 -40%',
    documentSays: 'GC overhead −40%',
    correctedFact:
      'Green Tea GC is Go 1.26’s default (experiment in 1.25): 10–40% less GC CPU published, about 10% typical. Measured as the runtime’s GC CPU share without idle mark workers (compulsory GC work); the runtime estimates it as GOMAXPROCS × wall time, so a throttled window inflates it and is flagged',
    targets: ALL,
    chartMetrics: ['gcCpuShare', 'cpuMsPer1k', 'throttledPeriodRatio'],
    measurements: [
      {
        scenario: 'greentea',
        targets: ALL,
        checks: [{ kind: 'effect', label: 'GC CPU share (no idle marking)', metric: 'gcCpuShareNoIdle', ...GREEN_TEA, claimedChangePct: -40 }],
      },
    ],
  },
  {
    id: 'greentea-pod-table',
    kind: 'effect',
    section: 'greentea GC · 实测数据 (Kubernetes Pod)',
    quote: '| CPU 使用 | 70% | 50% | -29% | 内存使用 | 800MB | 650MB | -19% | P99 延迟 | 50ms | 35ms | -30% | Pod 数量 | 10 | 7 | -30% |',
    documentSays: 'CPU −29%, memory −19%, P99 −30%, pods −30%',
    correctedFact:
      'unsupported by any source: Green Tea publishes no memory, P99 or pod-count figure. Measured as the container’s cgroup CPU per 1000 successful requests (the cost figure, unaffected by the runtime’s estimates), peak memory from the samples inside the measured window, P99, and the pods a capacity model derives from the CPU per request',
    targets: ALL,
    measurements: [
      {
        scenario: 'greentea',
        targets: ALL,
        checks: [
          { kind: 'effect', label: 'container CPU per 1000 requests', metric: 'cpuMsPer1k', ...GREEN_TEA, claimedChangePct: -29 },
          { kind: 'effect', label: 'peak memory', metric: 'memPeakBytes', ...GREEN_TEA, claimedChangePct: -19 },
          { kind: 'effect', label: 'per-repeat P99 latency', metric: 'latencyP99Ms', ...GREEN_TEA, claimedChangePct: -30 },
        ],
      },
      {
        scenario: 'greentea',
        targets: ['docker'],
        checks: [{ kind: 'effect', label: 'pods (capacity model)', metric: 'podsModel', ...GREEN_TEA, claimedChangePct: -30 }],
      },
      { scenario: 'hpa', targets: K8S, checks: [{ kind: 'effect', label: 'max replicas (HPA)', metric: 'maxReplicas', ...GREEN_TEA, claimedChangePct: -30 }] },
    ],
  },
  {
    id: 'image-size',
    kind: 'absolute',
    section: '更小的容器镜像 · FAQ Q3',
    quote: '| **Go 1.23+** | 0MB | **12MB** | **12MB** ⭐ | … 镜像大小: **10-15 MB**',
    documentSays: 'scratch image 12 MB (10–15 MB)',
    correctedFact: 'Go 1.26 binaries are often larger; the size is mostly the base image and stripping',
    targets: ['docker'],
    measurements: [
      {
        scenario: 'image-size',
        targets: ['docker'],
        checks: [
          {
            kind: 'absolute',
            label: 'stripped scratch image',
            metric: 'imageBytes',
            select: { stripped: true, gc: 'default' },
            relation: 'about',
            value: 12 * MB,
            tolerancePct: 25,
          },
        ],
      },
    ],
  },
  {
    id: 'cold-start',
    kind: 'absolute',
    section: 'Serverless 应用 · FAQ Q4',
    quote: '- 启动速度: < 100ms / - 内存占用: ~50MB · | **Go 1.23+** | **120ms** | **50MB** ⭐ |',
    documentSays: 'start < 100 ms, memory ~50 MB',
    correctedFact:
      'no official figure; a Go claim, so judged on the Go process (its Go start → its open listener, reported by the service), with process created → ready (adds the container runtime’s set-up before exec), container start → ready and pod created → Ready beside it as context',
    targets: ALL,
    chartMetrics: ['processReadyMs', 'processCreatedReadyMs', 'startupMs', 'podReadyMs'],
    measurements: [
      {
        scenario: 'cold-start',
        targets: ['docker'],
        checks: [
          processReadyBelow100Ms(['processCreatedReadyMs', 'startupMs']),
          { kind: 'absolute', label: 'idle RSS', metric: 'idleRssBytes', select: { gc: 'default' }, relation: 'about', value: 50 * MB, tolerancePct: 25 },
        ],
      },
      {
        scenario: 'pod-startup',
        targets: K8S,
        checks: [processReadyBelow100Ms(['processCreatedReadyMs', 'startupMs', 'podReadyMs'])],
      },
    ],
  },
  {
    id: 'hpa-stability',
    kind: 'effect',
    section: 'greentea GC',
    quote: '- 结果: 更稳定的指标，更少的"抖动"扩缩容',
    documentSays: 'more stable metrics, less scaling jitter',
    correctedFact:
      'unsupported. Measured with the HPA behavior set explicitly: a 60 s scale-down stabilization window (Kubernetes default 300 s, longer than the scenario’s 150 s low phase, would make direction changes 0 by construction); maxReplicas 8, above what the load needs, and a repeat that reaches it is not used',
    targets: K8S,
    measurements: [
      {
        scenario: 'hpa',
        targets: K8S,
        checks: [
          { kind: 'effect', label: 'direction changes', metric: 'flaps', ...GREEN_TEA, claimedChangePct: null },
          { kind: 'effect', label: 'scaling events', metric: 'scaleEvents', ...GREEN_TEA, claimedChangePct: null },
        ],
      },
    ],
  },
  {
    id: 'hpa-pods',
    kind: 'effect',
    section: 'Horizontal Pod Autoscaler (HPA)',
    quote: '- ✅ 减少"抖动"扩缩容 / - ✅ 成本降低 **~30%** · | Pod 数量 | 10 | 7 | -30% |',
    documentSays: 'fewer pods for the same load (10 → 7), cost −30%',
    correctedFact:
      'unsupported. On kind: max replicas and replica-seconds with maxReplicas 8 (above what the load needs; a repeat that reaches it is not used) and a 60 s scale-down window; on Docker: the capacity model',
    targets: ALL,
    measurements: [
      {
        scenario: 'hpa',
        targets: K8S,
        checks: [
          { kind: 'effect', label: 'max replicas', metric: 'maxReplicas', ...GREEN_TEA, claimedChangePct: -30 },
          { kind: 'effect', label: 'replica-seconds', metric: 'replicaSeconds', ...GREEN_TEA, claimedChangePct: -30 },
        ],
      },
      {
        scenario: 'greentea',
        targets: ['docker'],
        checks: [{ kind: 'effect', label: 'pods (capacity model)', metric: 'podsModel', ...GREEN_TEA, claimedChangePct: -30 }],
      },
    ],
  },
  {
    id: 'gomemlimit-from-limit',
    kind: 'absolute',
    section: 'Deployment 配置',
    quote: '- name: GOMEMLIMIT / valueFrom: / resourceFieldRef: / resource: limits.memory',
    documentSays: 'GOMEMLIMIT = 100% of limits.memory',
    correctedFact:
      'GC guide: leave 5–10% headroom below the container limit (90%). Measured near the limit: the kernel’s OOM kills at 100%, counted over every repeat (a killed repeat is its own outcome, never a latency figure), then P99 and GC CPU share without idle marking, 100% vs 90%',
    targets: ALL,
    chartMetrics: ['memPeakBytes'],
    measurements: [
      {
        scenario: 'gomemlimit',
        targets: ALL,
        checks: [
          { kind: 'oom-kills', label: 'OOM kills at 100%', select: { gomemlimit: '100%' }, atMost: 0 },
          {
            kind: 'no-worse',
            label: 'per-repeat P99 latency, 100% vs 90%',
            metric: 'latencyP99Ms',
            baseline: { gomemlimit: '90%' },
            treatment: { gomemlimit: '100%' },
          },
          {
            kind: 'no-worse',
            label: 'GC CPU share (no idle marking), 100% vs 90%',
            metric: 'gcCpuShareNoIdle',
            baseline: { gomemlimit: '90%' },
            treatment: { gomemlimit: '100%' },
          },
        ],
      },
    ],
  },
  {
    id: 'graceful-shutdown',
    kind: 'absolute',
    section: 'Deployment 配置 · 优雅关闭',
    quote: 'preStop: exec: command: ["/bin/sh", "-c", "sleep 15"] … server.Shutdown(ctx)',
    documentSays: 'preStop sleep + Shutdown drops no request',
    correctedFact: `plausible; never measured in the document. Tested with load arriving through SIGTERM (Docker: for the scenario's endpoint-removal delay; Kubernetes: a real rollout), with and without the drain; zero failures count only with the requests exposed and a 95% upper bound 3/N below ${DROP_RATE_THRESHOLD * 100}%`,
    targets: ALL,
    measurements: [
      {
        scenario: 'shutdown',
        targets: ['docker'],
        checks: [
          // The document's recipe: a drain (preStop's role) longer than the endpoint-removal delay, then Shutdown.
          drainedWithoutFailures('failed requests through SIGTERM, drain + graceful', 2000),
        ],
      },
      {
        scenario: 'rollout',
        targets: K8S,
        checks: [drainedWithoutFailures('failed requests in a rollout, preStop + graceful', 5000)],
      },
    ],
  },
  {
    id: 'gogc-100',
    kind: 'no-op',
    section: 'Deployment 配置',
    quote: '- name: GOGC / value: "100"  # greentea GC 自动优化',
    documentSays: 'GOGC=100 turns on "greentea GC auto optimisation"',
    correctedFact: '100 is the default: setting it is a no-op',
    targets: ALL,
    measurements: [
      {
        scenario: 'gogc',
        targets: ALL,
        checks: [
          {
            kind: 'no-op',
            label: 'GOGC=100 vs unset',
            settingMetric: 'gogcPercent',
            baseline: { gogc: 'unset' },
            treatment: { gogc: 100 },
            metrics: ['gcCpuShare', 'latencyP99Ms', 'cpuCores'],
          },
        ],
      },
    ],
  },
  {
    id: 'waitgroup-go',
    kind: 'note',
    section: 'Operator 开发',
    quote: '// Go 1.23+: 使用 WaitGroup.Go() 简化并发',
    documentSays: 'WaitGroup.Go is Go 1.23+',
    correctedFact: 'sync.WaitGroup.Go is Go 1.25; not a performance claim',
    targets: [],
    measurements: [],
  },
];

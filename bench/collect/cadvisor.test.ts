import { describe, expect, it } from 'vitest';
import { hasCpuFigures, parsePrometheusText, readContainerStats, sumContainerStats } from './cadvisor.js';

// Shape of a kubelet /metrics/cadvisor page (cgroup v1): the pod cgroup (container=""), the sandbox
// ("POD"), the service container, a restarted container's old series, and another namespace.
const page = String.raw`# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="",cpu="total",id="/kubepods/burstable/podaaa",image="",name="",namespace="bench-r1",pod="refsvc-x-1"} 9.5 1764202000000
container_cpu_usage_seconds_total{container="POD",cpu="total",id="/kubepods/burstable/podaaa/sandbox1",image="registry.k8s.io/pause:3.10",name="sandbox1",namespace="bench-r1",pod="refsvc-x-1"} 0.01 1764202000000
container_cpu_usage_seconds_total{container="refsvc",cpu="total",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 9.25 1764202000500
container_cpu_usage_seconds_total{container="refsvc",cpu="total",id="/kubepods/burstable/podbbb/old",image="refsvc:x",name="old",namespace="bench-r1",pod="refsvc-x-2"} 50 1764201990000
container_cpu_usage_seconds_total{container="refsvc",cpu="total",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 1.5 1764202000400
container_cpu_usage_seconds_total{container="refsvc",cpu="total",id="/kubepods/burstable/podccc/c3",image="refsvc:x",name="c3",namespace="other",pod="refsvc-x-1"} 99 1764202000000
# TYPE container_start_time_seconds gauge
container_start_time_seconds{container="refsvc",id="/kubepods/burstable/podbbb/old",image="refsvc:x",name="old",namespace="bench-r1",pod="refsvc-x-2"} 1764201000 1764201990000
container_start_time_seconds{container="refsvc",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 1764201995 1764202000400
container_start_time_seconds{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 1764201900 1764202000500
# TYPE container_cpu_cfs_periods_total counter
container_cpu_cfs_periods_total{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 1000 1764202000500
container_cpu_cfs_periods_total{container="refsvc",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 40 1764202000400
container_cpu_cfs_throttled_periods_total{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 250 1764202000500
container_cpu_cfs_throttled_periods_total{container="refsvc",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 4 1764202000400
container_cpu_cfs_throttled_seconds_total{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 12.5 1764202000500
container_cpu_cfs_throttled_seconds_total{container="refsvc",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 0.25 1764202000400
container_memory_working_set_bytes{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 2.097152e+07 1764202000500
container_memory_working_set_bytes{container="refsvc",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 1.048576e+07 1764202000400
container_memory_max_usage_bytes{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 3e+07 1764202000500
container_memory_max_usage_bytes{container="refsvc",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 1.2e+07 1764202000400
container_spec_cpu_quota{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 50000
container_spec_cpu_period{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 100000
container_spec_memory_limit_bytes{container="refsvc",id="/kubepods/burstable/podaaa/c1",image="refsvc:x",name="c1",namespace="bench-r1",pod="refsvc-x-1"} 2.68435456e+08
container_spec_memory_limit_bytes{container="refsvc",id="/kubepods/burstable/podbbb/new",image="refsvc:x",name="new",namespace="bench-r1",pod="refsvc-x-2"} 9.223372036854772e+18
`;

// Recorded from the local cluster's kubelet (second containerd, which cAdvisor cannot name): the
// container cgroups have no labels and stale zero figures; the pod cgroup is labelled and current.
const unlabelledPage = String.raw`container_cpu_cfs_periods_total{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 5 1795739811109
container_cpu_cfs_periods_total{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce/a4db7e5ac4dee360c536a27c244922b38dc1a9c95fb3dd581c79492711f737b0",image="",name="",namespace="",pod=""} 0 1795739793741
container_cpu_cfs_throttled_periods_total{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 0 1795739811109
container_cpu_cfs_throttled_seconds_total{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 0 1795739811109
container_cpu_usage_seconds_total{container="",cpu="total",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 0.031902092 1795739811109
container_memory_max_usage_bytes{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 3.825664e+06 1795739811109
container_memory_working_set_bytes{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 2.68288e+06 1795739811109
container_memory_working_set_bytes{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce/a4db7e5ac4dee360c536a27c244922b38dc1a9c95fb3dd581c79492711f737b0",image="",name="",namespace="",pod=""} 0 1795739793741
container_spec_cpu_period{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 100000
container_spec_cpu_quota{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 50000
container_spec_cpu_quota{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce/a4db7e5ac4dee360c536a27c244922b38dc1a9c95fb3dd581c79492711f737b0",image="",name="",namespace="",pod=""} 50000
container_spec_memory_limit_bytes{container="",id="/kubepods/poda7361580-2fd0-4755-9bab-612d6ff090ce",image="",name="",namespace="default",pod="cadv-probe"} 6.7108864e+07
`;

describe('parsePrometheusText', () => {
  it('reads names, labels (with escapes), values and timestamps', () => {
    const [sample] = parsePrometheusText('m{a="x\\"y",b="1\\\\2"} 1.5e+03 1700000000000\n# comment\nn 7\n');
    expect(sample).toEqual({ name: 'm', labels: { a: 'x"y', b: '1\\2' }, value: 1500, timestampMs: 1700000000000 });
    expect(parsePrometheusText('n 7')[0]).toEqual({ name: 'n', labels: {}, value: 7, timestampMs: null });
    expect(parsePrometheusText('m +Inf\nm NaN').map((s) => s.value)).toEqual([Number.POSITIVE_INFINITY, Number.NaN]);
  });

  it('keeps only the names asked for', () => {
    expect(parsePrometheusText(page, new Set(['container_spec_cpu_quota']))).toHaveLength(1);
  });

  it('throws naming the line of a malformed sample', () => {
    expect(() => parsePrometheusText('ok 1\nbad{a="x" 2')).toThrow(/line 2: (bad|unterminated) label set/);
    expect(() => parsePrometheusText('m{a="x"} abc')).toThrow(/line 1: bad value/);
  });
});

describe('readContainerStats', () => {
  const stats = readContainerStats(page, { namespace: 'bench-r1', container: 'refsvc' });

  it('takes the service container of each pod, not the pod cgroup, the sandbox or other namespaces', () => {
    expect(stats.map((s) => s.pod)).toEqual(['refsvc-x-1', 'refsvc-x-2']);
    expect(stats[0]).toEqual({
      namespace: 'bench-r1',
      pod: 'refsvc-x-1',
      container: 'refsvc',
      level: 'container',
      cpuUsageNs: 9_250_000_000,
      nrPeriods: 1000,
      nrThrottled: 250,
      throttledTimeNs: 12_500_000_000,
      memWorkingSetBytes: 20_971_520,
      memUsageBytes: 20_971_520,
      memPeakBytes: 30_000_000,
      cpuLimitCores: 0.5,
      memLimitBytes: 268_435_456,
      timestampMs: 1764202000500,
    });
  });

  it('after a restart, reads the running container (newest start), not the dead one', () => {
    expect(stats[1]?.cpuUsageNs, 'new container: 1.5 s, not the old 50 s').toBe(1_500_000_000);
    expect(stats[1]?.cpuLimitCores, 'no quota series: unlimited').toBeNull();
    expect(stats[1]?.memLimitBytes, 'cgroup v1 "unlimited" is a huge number').toBeNull();
  });

  it('restricts to the pods given', () => {
    expect(readContainerStats(page, { namespace: 'bench-r1', container: 'refsvc', pods: new Set(['refsvc-x-2']) }).map((s) => s.pod)).toEqual(['refsvc-x-2']);
  });

  it('falls back to the pod cgroup when cAdvisor does not label the container (recorded on the local cluster)', () => {
    const [pod] = readContainerStats(unlabelledPage, { namespace: 'default', container: 'refsvc' });
    expect(pod).toEqual({
      namespace: 'default',
      pod: 'cadv-probe',
      container: 'refsvc',
      level: 'pod',
      cpuUsageNs: 31_902_092,
      nrPeriods: 5,
      nrThrottled: 0,
      throttledTimeNs: 0,
      memWorkingSetBytes: 2_682_880,
      memUsageBytes: 2_682_880,
      memPeakBytes: 3_825_664,
      cpuLimitCores: 0.5,
      memLimitBytes: 67_108_864,
      timestampMs: 1795739811109,
    });
  });

  it('a new cgroup has its spec figures before its first CPU figures', () => {
    const [fresh] = readContainerStats(
      unlabelledPage
        .split('\n')
        .filter((l) => !l.startsWith('container_cpu_usage'))
        .join('\n'),
      { namespace: 'default', container: 'refsvc' },
    );
    expect(fresh?.cpuUsageNs).toBeNull();
    expect(fresh?.cpuLimitCores).toBe(0.5);
    expect(fresh !== undefined && hasCpuFigures(fresh)).toBe(false);
  });

  it('sums over pods', () => {
    expect(stats.every(hasCpuFigures)).toBe(true);
    expect(sumContainerStats(stats.filter(hasCpuFigures))).toEqual({
      cpuUsageNs: 10_750_000_000,
      nrPeriods: 1040,
      nrThrottled: 254,
      throttledTimeNs: 12_750_000_000,
      memUsageBytes: 31_457_280,
      memPeakBytes: 42_000_000,
    });
    expect(sumContainerStats([]).nrPeriods, 'no pods: CFS unknown').toBeNull();
  });
});

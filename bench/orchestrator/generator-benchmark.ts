/**
 * Benchmark of the load path itself (figures printed, nothing asserted): requests/s of the built-in
 * closed-model driver and of autocannon against the reference service's trivial endpoint next to `wrk`
 * with the same connections, P99 of the fixed-sleep endpoint from each, and the open-model driver's
 * dispatch lag at four rates. Run: `npm run build && npm run bench:generators` (`bench generators`).
 */
import os from 'node:os';
import { defaultCellSettings, type Cell } from '../../scenarios/index.js';
import { runProcess } from '../exec/index.js';
import { runClosedModel, runNativeClosedModel, openModelProcess } from '../load/index.js';
import { DockerTarget } from '../targets/index.js';

/** wrk's `Requests/sec:` and the `99%` line of `--latency`, in ms. */
export function parseWrk(stdout: string): { rps: number; p99Ms: number | null } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(stdout);
  const factor = p99?.[2] === 'us' ? 0.001 : p99?.[2] === 's' ? 1000 : 1;
  return { rps, p99Ms: p99 ? Number(p99[1]) * factor : null };
}

export interface GeneratorBenchmarkOptions {
  connections: number;
  seconds: number;
  signal: AbortSignal;
  /** One line of output (the tables are markdown). */
  print: (line: string) => void;
}

export async function runGeneratorBenchmark({ connections, seconds, signal, print }: GeneratorBenchmarkOptions): Promise<void> {
  const target = new DockerTarget({ log: print });
  // As in `bench run`: the generator (this process, and wrk) on CPU 0, the service on the others.
  const hostCpus = os.cpus().length;
  const pinned =
    hostCpus >= 2 &&
    (await runProcess('taskset', ['-a', '-pc', '0', String(process.pid)]).then(
      () => true,
      () => false,
    ));
  const cpuset = pinned ? (hostCpus === 2 ? '1' : `1-${hostCpus - 1}`) : null;
  await target.prepare(signal);
  const cell: Cell = {
    id: 'generator-benchmark',
    scenario: 'generator-benchmark',
    kind: 'load',
    settings: { ...defaultCellSettings },
    load: { model: 'closed', connections, warmupMs: 0, durationMs: 1 },
  };
  const runId = `genbench-${process.pid}`;
  const handle = await target.deploy(cell, { runId, signal: signal, cpuset, readyTimeoutMs: 30_000 });
  const wrk = (threads: number, path: string) =>
    runProcess(pinned ? 'taskset' : 'wrk', [
      ...(pinned ? ['-c', '0', 'wrk'] : []),
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      '--latency',
      `${handle.baseUrl}${path}`,
    ]).then(
      (r) => parseWrk(r.stdout),
      () => ({ rps: Number.NaN, p99Ms: null }),
    );
  try {
    const rows: string[] = [];
    for (const [label, path] of [
      ['trivial', '/work'],
      ['sleep 10 ms', '/work?sleep_ms=10'],
    ] as const) {
      const profile = { model: 'closed' as const, connections, warmupMs: 1000, durationMs: seconds * 1000 };
      const native = await runNativeClosedModel(handle.baseUrl, { path }, profile, { signal: signal });
      const ac = await runClosedModel(handle.baseUrl, { path }, profile, { signal: signal });
      const w1 = await wrk(1, path);
      const w2 = await wrk(2, path);
      const ratio = (rps: number) => (Number.isNaN(w1.rps) ? '' : ` (${(rps / w1.rps).toFixed(2)}× wrk -t1)`);
      rows.push(
        `| ${label} | native (raw sockets, this project) | ${native.achievedRps.toFixed(0)}${ratio(native.achievedRps)} | ${native.latency.p99Ms.toFixed(3)} | ${(native.generatorCpu ?? 0).toFixed(2)} |`,
        `| ${label} | autocannon (in-process) | ${ac.achievedRps.toFixed(0)}${ratio(ac.achievedRps)} | ${ac.latency.p99Ms.toFixed(3)} | ${(ac.generatorCpu ?? 0).toFixed(2)} |`,
        `| ${label} | wrk -t1 | ${Number.isNaN(w1.rps) ? 'n/a (wrk missing)' : w1.rps.toFixed(0)} | ${w1.p99Ms?.toFixed(3) ?? 'n/a'} | — |`,
        `| ${label} | wrk -t2 | ${Number.isNaN(w2.rps) ? 'n/a (wrk missing)' : w2.rps.toFixed(0)}${ratio(w2.rps)} | ${w2.p99Ms?.toFixed(3) ?? 'n/a'} | — |`,
      );
    }
    const placement = pinned ? `generator pinned to CPU 0, service to CPU ${cpuset}` : 'not pinned (fewer than 2 CPUs or no taskset)';
    print(`\nClosed model: ${connections} connections, ${seconds} s per run, service in a Docker container without limits; ${placement} (${handle.baseUrl})\n`);
    print('| endpoint | generator | req/s | P99 ms | generator CPU (cores) |\n|---|---|---|---|---|');
    print(rows.join('\n'));

    const lagRows: string[] = [];
    for (const rate of [30, 100, 300, 1000]) {
      // In the generator's own process, as `bench run` sends open-model load.
      const result = await openModelProcess.run(
        handle.baseUrl,
        { path: '/work' },
        { model: 'open', ratePerSec: rate, connections, warmupMs: 1000, durationMs: seconds * 1000 },
        { signal: signal },
      );
      const lag = result.dispatchLagMs;
      lagRows.push(
        `| ${rate} | ${result.achievedRps.toFixed(0)} | ${lag ? lag.p50Ms.toFixed(3) : 'n/a'} | ${lag ? lag.p99Ms.toFixed(3) : 'n/a'} | ${lag ? lag.maxMs.toFixed(3) : 'n/a'} | ${(result.generatorCpu ?? 0).toFixed(3)} |`,
      );
    }
    print(`\nOpen model on the trivial endpoint, in the generator's own process: dispatch lag (actual − intended send time), ${seconds} s per rate\n`);
    print('| target req/s | achieved | lag P50 ms | lag P99 ms | lag max ms | generator CPU |\n|---|---|---|---|---|---|');
    print(lagRows.join('\n'));
  } finally {
    await target.teardown(handle);
    await target.cleanup(runId);
  }
}

/**
 * Benchmark of the load path itself (figures printed, nothing asserted): requests/s of autocannon
 * against the reference service's trivial endpoint next to `wrk` with the same connections, and P99 of
 * the fixed-sleep endpoint from both. Run: `npm run build && npm run bench:generators`.
 */
import { defaultCellSettings, type Cell } from '../../scenarios/define.js';
import { runClosedModel } from '../load/autocannon.js';
import { runProcess } from '../exec/index.js';
import { DockerTarget } from '../targets/docker/docker-target.js';

/** wrk's `Requests/sec:` and the `99%` line of `--latency`, in ms. */
export function parseWrk(stdout: string): { rps: number; p99Ms: number | null } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(stdout);
  const factor = p99?.[2] === 'us' ? 0.001 : p99?.[2] === 's' ? 1000 : 1;
  return { rps, p99Ms: p99 ? Number(p99[1]) * factor : null };
}

async function main(): Promise<void> {
  const connections = Number(process.env.CONNECTIONS ?? 50);
  const seconds = Number(process.env.SECONDS ?? 10);
  const target = new DockerTarget({ log: (line) => console.log(line) });
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  await target.prepare(controller.signal);
  const cell: Cell = { id: 'generator-benchmark', scenario: 'generator-benchmark', kind: 'load', settings: { ...defaultCellSettings }, load: { model: 'closed', connections, warmupMs: 0, durationMs: 1 } };
  const runId = `genbench-${process.pid}`;
  const handle = await target.deploy(cell, { runId, signal: controller.signal, cpuset: null, readyTimeoutMs: 30_000 });
  try {
    const rows: string[] = [];
    for (const [label, path] of [['trivial', '/work'], ['sleep 10 ms', '/work?sleep_ms=10']] as const) {
      const ac = await runClosedModel(handle.baseUrl, { path }, { model: 'closed', connections, warmupMs: 1000, durationMs: seconds * 1000 }, { signal: controller.signal });
      const wrk = await runProcess('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', `${handle.baseUrl}${path}`]).then(
        (r) => parseWrk(r.stdout),
        (error: Error) => ({ rps: Number.NaN, p99Ms: null, error: error.message }),
      );
      rows.push(
        `| ${label} | autocannon (in-process, 1 worker) | ${ac.achievedRps.toFixed(0)} | ${ac.latency.p99Ms.toFixed(3)} | ${(ac.generatorCpu ?? 0).toFixed(2)} |`,
        `| ${label} | wrk -t2 | ${Number.isNaN(wrk.rps) ? 'n/a (wrk missing)' : wrk.rps.toFixed(0)} | ${wrk.p99Ms?.toFixed(3) ?? 'n/a'} | — |`,
      );
    }
    console.log(`\n${connections} connections, ${seconds} s per run, service in a Docker container without limits, same host (${handle.baseUrl})\n`);
    console.log('| endpoint | generator | req/s | P99 ms | generator CPU (cores) |\n|---|---|---|---|---|');
    console.log(rows.join('\n'));
  } finally {
    await target.teardown(handle);
    await target.cleanup(runId);
  }
}

if (process.argv[1]?.endsWith('generator-benchmark.js')) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

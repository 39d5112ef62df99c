/**
 * `bench gcbench`: a GC-bound Go benchmark this project did not write, under both GC builds. The
 * benchmarks are github.com/google/btree's own (copy-on-write clones of a 10 000-item B-tree: many
 * small pointer-rich nodes, the heap shape Green Tea targets), pinned in infra/gcbench/go.mod and run
 * with `go test -bench` on that package. Each build is compiled once as a test binary; the rounds then
 * interleave the two binaries, and the Δ of ns/op comes from the project's statistics, so the report
 * can set the service-level Green Tea result beside a standard benchmark on the same machine.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { infraError } from '../errors.js';
import { ProcessError, type ProcessRunner } from '../exec/index.js';
import { repoRoot } from '../paths.js';
import { parseGoBenchOutput } from './parse.js';
import { compareGcBenchSamples, interleavedOrder, type GcBenchBuild, type GcBenchResult, type GcBenchSample } from './summary.js';

/** The Go module that pins the benchmark, and the package whose benchmarks run. */
export const gcBenchModuleDir = path.join(repoRoot, 'infra', 'gcbench');
export const gcBenchPackage = 'github.com/google/btree';

/**
 * The benchmarks run: the two of the package whose time GC takes a large share of (each clones the
 * tree, so every write copies nodes).
 */
export const defaultGcBenchmarks = ['BenchmarkGetCloneEachTime', 'BenchmarkDeleteInsertCloneEachTime'] as const;

export interface GcBenchOptions {
  /** Rounds; each runs both builds once. @default 6 */
  rounds: number;
  /** `-test.benchtime` of each run. @default '1s' */
  benchtime: string;
  benchmarks: readonly string[];
  /** Where the two test binaries are written. */
  workDir: string;
  /** Seed of the statistics' bootstrap. */
  seed: number;
  signal: AbortSignal;
  run: ProcessRunner;
  log: (line: string) => void;
}

export const defaultGcBenchOptions = { rounds: 6, benchtime: '1s' } as const;

/** The version of `modulePath` that a go.mod requires; `null` when it does not. */
export function requiredVersion(goMod: string, modulePath: string): string | null {
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  return m ? (m[1] as string) : null;
}

/** The environment of one build: GOEXPERIMENT set to exactly what the build needs, whatever the caller's. */
function buildEnv(build: GcBenchBuild): NodeJS.ProcessEnv {
  return { ...process.env, GOEXPERIMENT: build === 'nogreenteagc' ? 'nogreenteagc' : '' };
}

export async function runGcBench(options: GcBenchOptions): Promise<GcBenchResult> {
  const started = performance.now();
  const goMod = await readFile(path.join(gcBenchModuleDir, 'go.mod'), 'utf8');
  const version = requiredVersion(goMod, gcBenchPackage);
  if (version === null) throw new Error(`${path.join(gcBenchModuleDir, 'go.mod')} does not require ${gcBenchPackage}`);
  const goVersion = (await options.run('go', ['env', 'GOVERSION'], { signal: options.signal })).stdout.trim();

  const binaries = {} as Record<GcBenchBuild, string>;
  for (const build of ['default', 'nogreenteagc'] as const) {
    const binary = path.join(options.workDir, `btree-${build}.test`);
    options.log(`building ${gcBenchPackage}@${version} tests with the ${build} GC`);
    await options.run('go', ['test', '-c', '-o', binary, gcBenchPackage], { cwd: gcBenchModuleDir, env: buildEnv(build), signal: options.signal });
    // The binary says which collector it has: `go1.26.8 X:nogreenteagc` for the old one.
    const built = (await options.run('go', ['version', binary], { signal: options.signal })).stdout;
    if (built.includes('nogreenteagc') !== (build === 'nogreenteagc')) throw new Error(`${binary} was not built with the ${build} GC: ${built.trim()}`);
    binaries[build] = binary;
  }

  const pattern = `^(${options.benchmarks.join('|')})$`;
  const samples: GcBenchSample[] = [];
  const order = interleavedOrder(options.rounds);
  for (const [i, { round, build }] of order.entries()) {
    options.log(`round ${round + 1}/${options.rounds}: ${build} (${i + 1} of ${order.length} runs)`);
    const result = await options.run(
      binaries[build],
      ['-test.run', '^$', '-test.bench', pattern, '-test.benchtime', options.benchtime, '-test.benchmem', '-test.count', '1'],
      {
        cwd: options.workDir,
        // Only the build differs: no GOGC/GOMEMLIMIT/GODEBUG from the caller's shell.
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        signal: options.signal,
      },
    );
    const lines = parseGoBenchOutput(result.stdout);
    for (const name of options.benchmarks) {
      if (!lines.some((l) => l.name === name)) throw new Error(`${binaries[build]} printed no result for ${name}; output:\n${result.stdout.slice(-500)}`);
    }
    for (const line of lines)
      samples.push({ round, build, benchmark: line.name, nsPerOp: line.nsPerOp, bytesPerOp: line.bytesPerOp, allocsPerOp: line.allocsPerOp });
  }

  return {
    schemaVersion: 1,
    kind: 'gcbench',
    createdAt: new Date().toISOString(),
    goVersion,
    module: { path: gcBenchPackage, version },
    benchmarks: [...options.benchmarks],
    rounds: options.rounds,
    benchtime: options.benchtime,
    hostCpus: os.availableParallelism(),
    durationMs: Math.round(performance.now() - started),
    samples,
    comparisons: compareGcBenchSamples(samples, options.seed),
    notes: [
      `${gcBenchPackage}@${version}'s own benchmarks (go test -bench), pinned in infra/gcbench/go.mod; not written by this project`,
      'baseline: GOEXPERIMENT=nogreenteagc (the pre-1.26 collector); treatment: the toolchain default (Green Tea on Go 1.26+)',
      `${options.rounds} rounds, both builds each round, which goes first alternating; GOMAXPROCS = the host's ${os.availableParallelism()} CPUs`,
    ],
  };
}

/**
 * `bench gcbench`: runs the benchmark in a temporary work folder (removed after) and writes the result
 * as JSON to `out`. A tool that fails (go, the module proxy) is an infrastructure error with a hint.
 */
export async function runGcBenchToFile(options: Omit<GcBenchOptions, 'workDir'>, out: string): Promise<GcBenchResult> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bench-gcbench-'));
  try {
    const result = await runGcBench({ ...options, workDir });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } catch (error) {
    if (error instanceof ProcessError)
      throw infraError(
        `bench gcbench: ${error.message}`,
        "the benchmark is built with the machine's go and fetched through the Go module proxy: check `go version` and `go env GOPROXY`",
        error,
      );
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

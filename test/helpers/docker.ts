/** Test helpers: is a real Docker engine here, and spawning the real `bench` CLI. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import Docker from 'dockerode';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Whether an engine answers; with BENCH_REQUIRE_DOCKER=1 a missing engine fails the suite instead. */
export async function dockerAvailable(): Promise<boolean> {
  const ok = await new Docker().ping().then(
    () => true,
    () => false,
  );
  if (!ok && process.env.BENCH_REQUIRE_DOCKER === '1') {
    throw new Error('BENCH_REQUIRE_DOCKER=1 but no Docker engine answers: run `bash infra/setup/docker-engine.sh`');
  }
  return ok;
}

export async function containersOfRun(runId: string | null): Promise<number> {
  const list = await new Docker().listContainers({ all: true, filters: { label: [runId === null ? 'bench.run-id' : `bench.run-id=${runId}`] } });
  return list.length;
}

export interface BenchProcess {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
  waitForOutput: (pattern: RegExp, timeoutMs: number) => Promise<void>;
}

/** Spawns `node bin/bench.mjs …` (the built CLI) like a user would. */
export function spawnBench(args: string[], cwd = repoRoot): BenchProcess {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/bench.mjs'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return {
    code,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    waitForOutput: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (pattern.test(out)) resolve();
          else if (Date.now() - started > timeoutMs) reject(new Error(`no ${pattern} in output after ${timeoutMs} ms:\n${out}\n${err}`));
          else if (child.exitCode !== null) reject(new Error(`bench exited (${child.exitCode}) before ${pattern}:\n${out}\n${err}`));
          else setTimeout(check, 100);
        };
        check();
      }),
  };
}

/** `bench run` of the gomaxprocs smoke matrix, short: the given repeats and window, a 300 ms warm-up. */
export function gomaxprocsSmokeArgs(o: { repeats: number; duration: string; seed: number; out: string }, ...more: string[]): string[] {
  const window = ['--repeats', String(o.repeats), '--duration', o.duration, '--warmup', '300ms', '--seed', String(o.seed)];
  return ['run', '--scenario', 'gomaxprocs', '--profile', 'smoke', ...window, ...more, '--out', o.out];
}

/**
 * k6 as a load generator: the external `k6` binary the user installed (k6 is AGPL-3.0; the harness never
 * downloads or builds it), driven with scenarios/k6/load.ts through environment variables, its
 * `handleSummary` JSON parsed into the same `LoadResult` autocannon produces.
 *
 * Binary lookup: the `--k6 <path>` flag value the caller passes in, else `K6_BINARY`, else `k6` on PATH.
 * The process runner is injected so the command line and result handling are unit-testable; the real one
 * forwards an abort as SIGINT (k6 then stops and still writes its summary) and SIGKILLs after a deadline.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoadProfile } from '../../scenarios/index.js';
import { BenchError, infraError, usageError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { createK6Command, formatK6Version, parseK6Version, typeScriptSupport, type K6Version } from './k6-command.js';
import { describeK6Exit, failedThresholds, k6ThresholdsFailedExitCode, parseK6Summary, summaryToLoadResult } from './k6-summary.js';
import type { LoadGenerator, LoadRequest, LoadResult, LoadRunOptions } from './types.js';

/** What a finished k6 process left behind. */
export interface K6ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** CPU time (user + system, all threads) of the process, ms; `null` when it could not be read. */
  cpuMs?: number | null;
  /** Wall time from spawn to exit, ms. */
  wallMs?: number;
}

export interface K6ProcessOptions {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** Runs a program to its end. Rejects only when it cannot start (`code: 'ENOENT'` when missing). */
export type K6ProcessRunner = (command: string, args: readonly string[], options: K6ProcessOptions) => Promise<K6ProcessResult>;

/** How users get k6: their package manager, from Grafana's install page (test/fixtures/k6/README.md). */
export const k6InstallHint = [
  'Install k6 with a package manager (bench never downloads or builds it; k6 is AGPL-3.0):',
  '  Debian/Ubuntu: add Grafana\'s apt repository "deb https://dl.k6.io/deb stable main" (key https://dl.k6.io/key.gpg), then apt-get install k6',
  '  Fedora/CentOS: dnf install https://dl.k6.io/rpm/repo.rpm && dnf install k6',
  '  macOS: brew install k6',
  '  Windows: winget install k6 --source winget, or choco install k6',
  '  Docker: the grafana/k6 image, behind a wrapper script that runs it with --network host',
  'then put k6 on PATH, set K6_BINARY=/path/to/k6, or pass --k6 /path/to/k6.',
].join('\n');

/** Last lines of a program's stderr, for error messages. */
export function lastLines(text: string, count = 8): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

// Output is kept to its tail: k6 can log a line per failed request.
const maxCapturedChars = 64 * 1024;
const appendCapped = (buffer: string, chunk: string) => {
  const next = buffer + chunk;
  return next.length > maxCapturedChars ? next.slice(next.length - maxCapturedChars) : next;
};

/** Linux reports process times in clock ticks of USER_HZ, which is 100 on every mainstream kernel. */
const clockTicksPerSecond = 100;

/** utime + stime of a live process, ms, from /proc/<pid>/stat; `null` off Linux or once it has exited. */
async function readProcessCpuMs(pid: number): Promise<number | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime/stime are 14 and 15.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / clockTicksPerSecond : null;
  } catch {
    return null;
  }
}

/**
 * The real runner: node:child_process spawn. On abort it sends SIGINT (k6 stops its scenarios and still
 * runs handleSummary) and SIGKILL when the process outlives `killDeadlineMs`. The process's CPU is sampled
 * from /proc while it runs (the last sample before exit; k6 is idle while it writes the summary).
 */
export function createK6ProcessRunner(killDeadlineMs = 15_000, cpuSampleMs = 250): K6ProcessRunner {
  return (command, args, options) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(command, [...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let cpuMs: number | null = null;
      let killTimer: NodeJS.Timeout | undefined;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout = appendCapped(stdout, chunk);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = appendCapped(stderr, chunk);
      });
      const sampler = setInterval(() => {
        if (child.pid === undefined) return;
        void readProcessCpuMs(child.pid).then((ms) => {
          if (ms !== null) cpuMs = ms;
        });
      }, cpuSampleMs);
      const onAbort = () => {
        child.kill('SIGINT');
        killTimer = setTimeout(() => child.kill('SIGKILL'), killDeadlineMs);
      };
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearInterval(sampler);
        if (killTimer !== undefined) clearTimeout(killTimer);
        options.signal.removeEventListener('abort', onAbort);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        cleanup();
        if (error.code === 'ENOENT') reject(Object.assign(new Error(`${command}: not found`), { code: 'ENOENT' }));
        else reject(error);
      });
      child.on('close', (exitCode, signal) => {
        cleanup();
        resolve({ exitCode, signal, stdout, stderr, cpuMs, wallMs: performance.now() - t0 });
      });
    });
}

export const runK6Process: K6ProcessRunner = createK6ProcessRunner();

export type K6Source = 'flag' | 'K6_BINARY' | 'PATH';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Where the k6 binary is: the `--k6` flag value, else `K6_BINARY`, else `k6` on PATH. A flag or variable
 * naming something that is not an executable file is reported as such (not silently passed over).
 */
export async function locateK6(env: NodeJS.ProcessEnv, flagPath?: string): Promise<{ path: string; source: K6Source } | { missing: string; source: K6Source }> {
  const explicit: Array<[K6Source, string | undefined]> = [
    ['flag', flagPath],
    ['K6_BINARY', env['K6_BINARY']],
  ];
  for (const [source, value] of explicit) {
    if (value === undefined || value === '') continue;
    const resolved = path.resolve(value);
    const label = source === 'flag' ? `--k6 ${value}` : `K6_BINARY=${value}`;
    if (await isExecutableFile(resolved)) return { path: resolved, source };
    return { missing: `${label}: not an executable file`, source };
  }
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = path.join(dir, process.platform === 'win32' ? 'k6.exe' : 'k6');
    if (await isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
  }
  return { missing: 'k6 was not found on PATH (nor set by --k6 or K6_BINARY)', source: 'PATH' };
}

export interface FoundK6 {
  path: string;
  source: K6Source;
  /** e.g. `v1.3.0`, or the raw first line of `k6 version` when it does not parse. */
  version: string;
  parsedVersion: K6Version | null;
}

/** Finds k6 and asks it its version (used by `bench doctor`). `null` when there is no usable binary. */
export async function findK6(env: NodeJS.ProcessEnv, options: { flagPath?: string; runner?: K6ProcessRunner } = {}): Promise<FoundK6 | null> {
  const located = await locateK6(env, options.flagPath);
  if ('missing' in located) return null;
  const runner = options.runner ?? runK6Process;
  try {
    const result = await runner(located.path, ['version'], { env, signal: AbortSignal.timeout(10_000) });
    if (result.exitCode !== 0) return null;
    const parsed = parseK6Version(result.stdout);
    return { ...located, version: parsed ? formatK6Version(parsed) : (result.stdout.trim().split('\n')[0] ?? ''), parsedVersion: parsed };
  } catch {
    return null;
  }
}

export interface K6LoadGeneratorOptions {
  /** The `--k6 <path>` flag value, when given. */
  binary?: string;
  /** Environment for the lookup and the k6 process. @default process.env */
  env?: NodeJS.ProcessEnv;
  runner?: K6ProcessRunner;
  /** @default scenarios/k6/load.ts in the repository */
  scriptPath?: string;
  /** Latency arrival-rate VU pools are sized for, ms. @default 20 */
  expectedLatencyMs?: number;
  /** k6 threshold on the measured P99, ms (k6 exits 99 when it is crossed). */
  p99LimitMs?: number;
  /** Throw BenchError 'regression' (exit 1) when k6 exits 99. @default false: report and keep the result */
  failOnThresholds?: boolean;
  /** Told which thresholds failed when k6 exits 99. */
  onThresholdsFailed?: (failed: string[]) => void;
  /** Where the per-run temporary folder (summary JSON) goes. @default os.tmpdir() */
  tmpDir?: string;
}

/** One k6 run with what the `LoadResult` has no room for. */
export interface K6RunReport {
  result: LoadResult;
  command: string;
  exitCode: number | null;
  /** `metric: expression` of every threshold that did not hold (exit code 99). */
  thresholdsFailed: string[];
}

export const defaultK6ScriptPath = path.join(repoRoot, 'scenarios', 'k6', 'load.ts');

/** k6 behind the `LoadGenerator` interface. */
export class K6LoadGenerator implements LoadGenerator {
  readonly name = 'k6';
  readonly #options: K6LoadGeneratorOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #runner: K6ProcessRunner;

  /**
   * Creates the generator after checking what the user named: a `--k6` flag or `K6_BINARY` pointing at
   * something that is not an executable file is bad input (BenchError 'usage', exit 2), whereas k6 simply
   * absent from PATH is missing infrastructure, reported by `unavailableReason()` / `run()` (exit 3).
   */
  static async create(options: K6LoadGeneratorOptions = {}): Promise<K6LoadGenerator> {
    const located = await locateK6(options.env ?? process.env, options.binary);
    if ('missing' in located && located.source !== 'PATH') {
      const fix =
        located.source === 'flag'
          ? 'pass --k6 the path of the k6 binary (e.g. --k6 /usr/bin/k6)'
          : 'set K6_BINARY to the path of the k6 binary, or unset it to use k6 from PATH';
      throw usageError(located.missing, fix);
    }
    return new K6LoadGenerator(options);
  }

  constructor(options: K6LoadGeneratorOptions = {}) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.#runner = options.runner ?? runK6Process;
  }

  /** The k6 to run and its version, or why there is none. */
  async #resolve(): Promise<{ found: FoundK6; version: K6Version } | { reason: string }> {
    const located = await locateK6(this.#env, this.#options.binary);
    if ('missing' in located) return { reason: `k6 is not available: ${located.missing}.\n${k6InstallHint}` };
    const found = await findK6(this.#env, { runner: this.#runner, ...(this.#options.binary === undefined ? {} : { flagPath: this.#options.binary }) });
    if (found === null) return { reason: `k6 at ${located.path} did not answer \`k6 version\`; reinstall it.\n${k6InstallHint}` };
    if (found.parsedVersion === null) return { reason: `cannot read the version of k6 at ${found.path} (it printed "${found.version}")` };
    const support = typeScriptSupport(found.parsedVersion);
    if ('unsupported' in support) return { reason: `${support.unsupported} (${found.path})` };
    return { found, version: found.parsedVersion };
  }

  async unavailableReason(): Promise<string | null> {
    const resolved = await this.#resolve();
    return 'reason' in resolved ? resolved.reason : null;
  }

  async run(baseUrl: string, request: LoadRequest, profile: LoadProfile, options: LoadRunOptions): Promise<LoadResult> {
    const report = await this.runWithReport(baseUrl, request, profile, options);
    if (report.exitCode === k6ThresholdsFailedExitCode) {
      this.#options.onThresholdsFailed?.(report.thresholdsFailed);
      if (this.#options.failOnThresholds) {
        throw new BenchError('regression', `k6 thresholds failed: ${report.thresholdsFailed.join('; ') || '(k6 exited 99 but the summary lists none)'}`);
      }
    }
    return report.result;
  }

  /** Runs k6 once and returns the result with k6's exit code and failed thresholds. */
  async runWithReport(baseUrl: string, request: LoadRequest, profile: LoadProfile, options: LoadRunOptions): Promise<K6RunReport> {
    const resolved = await this.#resolve();
    if ('reason' in resolved) throw infraError(resolved.reason.split('\n')[0] ?? resolved.reason, resolved.reason.split('\n').slice(1).join('\n') || undefined);
    const { found, version } = resolved;
    const dir = await mkdtemp(path.join(this.#options.tmpDir ?? os.tmpdir(), 'bench-k6-'));
    try {
      const summaryPath = path.join(dir, 'summary.json');
      const command = createK6Command({
        binary: found.path,
        version,
        scriptPath: this.#options.scriptPath ?? defaultK6ScriptPath,
        summaryPath,
        baseUrl,
        request,
        profile,
        ...(this.#options.expectedLatencyMs === undefined ? {} : { expectedLatencyMs: this.#options.expectedLatencyMs }),
        ...(this.#options.p99LimitMs === undefined ? {} : { p99LimitMs: this.#options.p99LimitMs }),
      });
      const shown = [command.command, ...command.args].join(' ');
      let processResult: K6ProcessResult;
      try {
        processResult = await this.#runner(command.command, command.args, { env: { ...this.#env, ...command.env }, signal: options.signal });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          throw infraError(`k6 is not available: ${found.path} could not be started`, k6InstallHint, error);
        throw infraError(`${shown} could not be started: ${(error as Error).message}`, undefined, error);
      }
      options.signal.throwIfAborted();
      const { exitCode, signal } = processResult;
      if (exitCode !== 0 && exitCode !== k6ThresholdsFailedExitCode) {
        const tail = lastLines(processResult.stderr) || lastLines(processResult.stdout);
        throw infraError(`${shown} ${describeK6Exit(exitCode, signal)}${tail === '' ? '' : `:\n${tail}`}`);
      }
      let text: string;
      try {
        text = await readFile(summaryPath, 'utf8');
      } catch (error) {
        throw infraError(
          `${shown} ${describeK6Exit(exitCode, signal)} but wrote no summary at ${summaryPath}`,
          'the script must export handleSummary (scenarios/k6/load.ts)',
          error,
        );
      }
      const summary = parseK6Summary(text, `k6 summary ${summaryPath}`);
      const wallMs = processResult.wallMs;
      const cpuMs = processResult.cpuMs;
      const result = summaryToLoadResult(summary, {
        generator: `k6 ${formatK6Version(version)}`,
        profile,
        measuredDurationMs: command.measuredDurationMs,
        targetRps: command.targetRps,
        generatorCpu: cpuMs === undefined || cpuMs === null || wallMs === undefined || wallMs <= 0 ? null : cpuMs / wallMs,
      });
      return { result, command: shown, exitCode, thresholdsFailed: exitCode === k6ThresholdsFailedExitCode ? failedThresholds(summary) : [] };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

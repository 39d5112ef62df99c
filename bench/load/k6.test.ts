/**
 * K6LoadGenerator's own logic with an injected process runner (k6 cannot be installed here), and the real
 * process runner against real child processes (node), which is what it does with k6.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadProfile } from '../../scenarios/define.js';
import { BenchError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { createK6ProcessRunner, findK6, K6LoadGenerator, locateK6, type K6ProcessOptions, type K6ProcessResult, type K6ProcessRunner } from './k6.js';

const fixture = (name: string) => readFileSync(path.join(repoRoot, 'test', 'fixtures', 'k6', name), 'utf8');
const open200: LoadProfile = { model: 'open', ratePerSec: 200, connections: 64, warmupMs: 5000, durationMs: 30_000 };
const request = { path: '/work' };
const runOptions = () => ({ signal: new AbortController().signal });

let dir: string;
let k6Path: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'k6-test-'));
  // An executable file for the lookup logic to find; the injected runner stands in for what it runs.
  k6Path = path.join(dir, 'k6');
  await writeFile(k6Path, '#!/bin/sh\nexit 1\n');
  await chmod(k6Path, 0o755);
  await writeFile(path.join(dir, 'not-executable'), '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Call {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  summaryExisted: boolean;
}

/** A runner that answers `version` and, for `run`, writes `summary` where the script would and exits with `exitCode`. */
function scriptedRunner(outcome: { summary?: string; exitCode?: number; signal?: NodeJS.Signals; stderr?: string; version?: string }): {
  runner: K6ProcessRunner;
  calls: Call[];
} {
  const calls: Call[] = [];
  const runner: K6ProcessRunner = async (command, args, options: K6ProcessOptions): Promise<K6ProcessResult> => {
    if (args[0] === 'version') return { exitCode: 0, signal: null, stdout: outcome.version ?? 'k6 v1.3.0 (go1.24.6, linux/amd64)\n', stderr: '' };
    const summaryPath = options.env['BENCH_SUMMARY_PATH'] as string;
    if (outcome.summary !== undefined) await writeFile(summaryPath, outcome.summary);
    calls.push({ command, args, env: options.env, summaryExisted: existsSync(summaryPath) });
    return {
      exitCode: outcome.signal ? null : (outcome.exitCode ?? 0),
      signal: outcome.signal ?? null,
      stdout: '',
      stderr: outcome.stderr ?? '',
      cpuMs: 3000,
      wallMs: 12_000,
    };
  };
  return { runner, calls };
}

describe('locateK6 / findK6', () => {
  it('takes the --k6 flag, then K6_BINARY, then PATH', async () => {
    expect(await locateK6({ PATH: dir }), 'PATH').toEqual({ path: k6Path, source: 'PATH' });
    expect(await locateK6({ PATH: '', K6_BINARY: k6Path }), 'K6_BINARY').toEqual({ path: k6Path, source: 'K6_BINARY' });
    expect(await locateK6({ PATH: '', K6_BINARY: '/nonexistent/k6' }, k6Path), 'flag wins').toEqual({ path: k6Path, source: 'flag' });
  });

  it('says which setting points at nothing usable', async () => {
    expect(await locateK6({ PATH: '' }, '/nonexistent/k6'), 'flag').toEqual({ missing: '--k6 /nonexistent/k6: not an executable file', source: 'flag' });
    const notExec = path.join(dir, 'not-executable');
    expect(await locateK6({ PATH: dir, K6_BINARY: notExec }), 'K6_BINARY').toEqual({
      missing: `K6_BINARY=${notExec}: not an executable file`,
      source: 'K6_BINARY',
    });
    expect(await locateK6({ PATH: '/nonexistent' }), 'PATH').toEqual({ missing: 'k6 was not found on PATH (nor set by --k6 or K6_BINARY)', source: 'PATH' });
  });

  it('findK6 returns the path and the version k6 reports', async () => {
    const { runner } = scriptedRunner({});
    expect(await findK6({ PATH: dir }, { runner }), 'found').toEqual({
      path: k6Path,
      source: 'PATH',
      version: 'v1.3.0',
      parsedVersion: { major: 1, minor: 3, patch: 0 },
    });
    expect(await findK6({ PATH: '/nonexistent' }, { runner }), 'absent').toBeNull();
  });
});

describe('K6LoadGenerator', () => {
  it('without k6: unavailable with install instructions, and a run fails with exit code 3', async () => {
    const generator = new K6LoadGenerator({ env: { PATH: '/nonexistent' } });
    const reason = await generator.unavailableReason();
    expect(reason, 'reason').toMatch(/k6 was not found on PATH/);
    expect(reason, 'apt').toContain('https://dl.k6.io/deb');
    expect(reason, 'brew').toContain('brew install k6');
    expect(reason, 'winget').toContain('winget install k6');
    expect(reason, 'choco').toContain('choco install k6');
    expect(reason, 'docker').toContain('grafana/k6');
    const error = await generator.run('http://127.0.0.1:1', request, open200, runOptions()).catch((e: unknown) => e);
    expect(error, 'BenchError').toBeInstanceOf(BenchError);
    expect((error as BenchError).exitCode, 'exit code').toBe(3);
    expect((error as BenchError).message, 'message').toMatch(/^k6 is not available: k6 was not found on PATH/);
    expect((error as BenchError).hint, 'hint').toContain('brew install k6');
  });

  it('create(): a --k6 flag or K6_BINARY naming no executable is a usage error (exit 2); absent from PATH is not', async () => {
    const flag = await K6LoadGenerator.create({ env: { PATH: dir }, binary: '/nonexistent/k6' }).catch((e: unknown) => e);
    expect((flag as BenchError).exitCode, 'flag exit').toBe(2);
    expect((flag as BenchError).message, 'flag message').toBe('--k6 /nonexistent/k6: not an executable file');
    expect((flag as BenchError).hint, 'flag fix').toMatch(/pass --k6 the path of the k6 binary/);
    const variable = await K6LoadGenerator.create({ env: { PATH: dir, K6_BINARY: '/nonexistent/k6' } }).catch((e: unknown) => e);
    expect((variable as BenchError).exitCode, 'K6_BINARY exit').toBe(2);
    expect((variable as BenchError).hint, 'K6_BINARY fix').toMatch(/set K6_BINARY to the path/);
    const absent = await K6LoadGenerator.create({ env: { PATH: '/nonexistent' } });
    expect(await absent.unavailableReason(), 'absent: a reason, not an error').toMatch(/not found on PATH/);
  });

  it('refuses a k6 too old for TypeScript scripts', async () => {
    const { runner } = scriptedRunner({ version: 'k6 v0.47.0 (2023-10-10, go1.21.1, linux/amd64)' });
    const reason = await new K6LoadGenerator({ env: { PATH: dir }, runner }).unavailableReason();
    expect(reason, 'reason').toMatch(/k6 v0.47.0 cannot run TypeScript scripts/);
  });

  it('runs k6 with the built command, parses the summary and removes its temporary folder', async () => {
    const { runner, calls } = scriptedRunner({ summary: fixture('handle-summary-open.json') });
    const generator = new K6LoadGenerator({ env: { PATH: dir, HOME: '/root' }, runner, tmpDir: dir });
    expect(await generator.unavailableReason(), 'available').toBeNull();
    const result = await generator.run('http://127.0.0.1:18080', request, open200, runOptions());
    expect(calls.length, 'one k6 run').toBe(1);
    const call = calls[0] as Call;
    expect(call.command, 'binary').toBe(k6Path);
    expect(call.args, 'args').toEqual(['run', '--quiet', '--no-color', path.join(repoRoot, 'scenarios', 'k6', 'load.ts')]);
    expect(call.env['HOME'], 'inherits the environment').toBe('/root');
    expect(call.env['BENCH_EXECUTOR'], 'executor').toBe('constant-arrival-rate');
    expect(call.env['BENCH_BASE_URL'], 'url').toBe('http://127.0.0.1:18080');
    const summaryPath = call.env['BENCH_SUMMARY_PATH'] as string;
    expect(path.dirname(path.dirname(summaryPath)), 'summary in a per-run folder').toBe(dir);
    expect(existsSync(path.dirname(summaryPath)), 'folder removed').toBe(false);
    expect(result.generator, 'generator').toBe('k6 v1.3.0');
    expect(result.requests, 'requests').toBe(5998);
    expect(result.targetRps, 'targetRps').toBe(200);
    expect(result.generatorCpu, 'cpu 3000 ms over 12000 ms').toBe(0.25);
  });

  it('exit code 99: keeps the result and reports the failed thresholds', async () => {
    const { runner } = scriptedRunner({ summary: fixture('handle-summary-threshold-failed.json'), exitCode: 99 });
    const reported: string[][] = [];
    const generator = new K6LoadGenerator({ env: { PATH: dir }, runner, p99LimitMs: 5, onThresholdsFailed: (failed) => reported.push(failed) });
    const report = await generator.runWithReport('http://127.0.0.1:18080', request, open200, runOptions());
    expect(report.exitCode, 'exit code').toBe(99);
    expect(report.thresholdsFailed, 'failed').toEqual(['http_req_duration{scenario:measure}: p(99)<5']);
    const result = await generator.run('http://127.0.0.1:18080', request, open200, runOptions());
    expect(result.latency.p99Ms, 'result kept').toBe(7.81);
    expect(reported, 'reported').toEqual([['http_req_duration{scenario:measure}: p(99)<5']]);
  });

  it('exit code 99 with failOnThresholds: a regression error (exit 1)', async () => {
    const { runner } = scriptedRunner({ summary: fixture('handle-summary-threshold-failed.json'), exitCode: 99 });
    const error = await new K6LoadGenerator({ env: { PATH: dir }, runner, failOnThresholds: true })
      .run('http://127.0.0.1:18080', request, open200, runOptions())
      .catch((e: unknown) => e);
    expect((error as BenchError).code, 'code').toBe('regression');
    expect((error as BenchError).exitCode, 'exit').toBe(1);
    expect((error as BenchError).message, 'message').toBe('k6 thresholds failed: http_req_duration{scenario:measure}: p(99)<5');
  });

  it('other exit codes: an infra error with the command, the meaning and the last stderr lines', async () => {
    const stderr = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\nERRO[0000] TypeError: x is undefined\n';
    const { runner } = scriptedRunner({ exitCode: 107, stderr });
    const error = await new K6LoadGenerator({ env: { PATH: dir }, runner })
      .run('http://127.0.0.1:18080', request, open200, runOptions())
      .catch((e: unknown) => e);
    expect((error as BenchError).exitCode, 'exit').toBe(3);
    const message = (error as BenchError).message;
    expect(message, 'command').toContain(`${k6Path} run --quiet --no-color`);
    expect(message, 'meaning').toContain('exited with code 107 (script exception)');
    expect(message, 'last stderr line').toContain('TypeError: x is undefined');
    expect(message, 'only the tail').not.toContain('line 1\n');
  });

  it('killed by a signal: says so', async () => {
    const { runner } = scriptedRunner({ signal: 'SIGKILL' });
    const error = await new K6LoadGenerator({ env: { PATH: dir }, runner })
      .run('http://127.0.0.1:18080', request, open200, runOptions())
      .catch((e: unknown) => e);
    expect((error as BenchError).message, 'signal').toMatch(/was killed by SIGKILL/);
  });

  it('exit 0 without a summary file: an infra error that names the file', async () => {
    const { runner } = scriptedRunner({});
    const error = await new K6LoadGenerator({ env: { PATH: dir }, runner })
      .run('http://127.0.0.1:18080', request, open200, runOptions())
      .catch((e: unknown) => e);
    expect((error as BenchError).message, 'message').toMatch(/exited with code 0 but wrote no summary at .*summary\.json/);
  });
});

describe('the real process runner', () => {
  const node = process.execPath;

  it('forwards an abort as SIGINT (the program can finish its summary)', async () => {
    const controller = new AbortController();
    const runner = createK6ProcessRunner(5000);
    const pending = runner(
      node,
      ['-e', "process.on('SIGINT', () => { console.log('summary'); process.exit(105); }); setInterval(() => {}, 1000); console.log('started')"],
      {
        env: process.env,
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(), 300);
    const result = await pending;
    expect(result.exitCode, 'exit code chosen by the program').toBe(105);
    expect(result.signal, 'not killed').toBeNull();
    expect(result.stdout, 'stdout').toContain('summary');
  });

  it('kills with SIGKILL when the program outlives the deadline', async () => {
    const controller = new AbortController();
    const runner = createK6ProcessRunner(300);
    const pending = runner(node, ['-e', "process.on('SIGINT', () => {}); setInterval(() => {}, 1000)"], { env: process.env, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const result = await pending;
    expect(result.signal, 'signal').toBe('SIGKILL');
    expect(result.exitCode, 'exit code').toBeNull();
  });

  it('reports exit code, stderr and the CPU the process used', async () => {
    const runner = createK6ProcessRunner(1000, 50);
    const busy =
      "let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; const u = process.cpuUsage(); console.error('cpuMs=' + (u.user + u.system) / 1000); process.exit(3)";
    const result = await runner(node, ['-e', busy], { env: process.env, signal: new AbortController().signal });
    expect(result.exitCode, 'exit code').toBe(3);
    const selfReported = Number(/cpuMs=([\d.]+)/.exec(result.stderr)?.[1]);
    expect(selfReported, 'the child did real work').toBeGreaterThan(200);
    // Sampled from /proc every 50 ms: it can miss the last sample interval (and clock-tick rounding), no more.
    expect(result.cpuMs ?? 0, 'cpuMs, lower bound').toBeGreaterThanOrEqual(selfReported - 150);
    expect(result.cpuMs ?? 0, 'cpuMs, upper bound').toBeLessThanOrEqual(selfReported + 50);
    expect(result.wallMs ?? 0, 'wallMs').toBeGreaterThanOrEqual(selfReported - 150);
  });

  it('rejects with ENOENT when the program does not exist', async () => {
    const error = await createK6ProcessRunner()('/nonexistent/k6', ['version'], { env: process.env, signal: new AbortController().signal }).catch(
      (e: unknown) => e,
    );
    expect((error as NodeJS.ErrnoException).code, 'code').toBe('ENOENT');
  });
});

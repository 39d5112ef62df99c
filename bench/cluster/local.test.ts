import { describe, expect, it } from 'vitest';
import { BenchError } from '../errors.js';
import type { ProcessResult, ProcessRunner, RunProcessOptions } from '../exec/index.js';
import { createLocalCluster, parseLocalClusterStatus, validateImageTag } from './local.js';

interface Call {
  command: string;
  args: readonly string[];
  options: RunProcessOptions | undefined;
}

function recordingRunner(reply: (call: Call) => Partial<ProcessResult>): { runner: ProcessRunner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: ProcessRunner = (command, args, options) => {
    const call = { command, args, options };
    calls.push(call);
    const r = reply(call);
    return Promise.resolve({
      command: [command, ...args].join(' '),
      exitCode: 0,
      signal: null,
      stdout: '',
      stderr: '',
      ...r,
    });
  };
  return { runner, calls };
}

const statusJson = {
  state: 'up',
  kubeconfigPath: '/etc/kubernetes/admin.conf',
  contextName: 'bench-local',
  built: true,
  cacheDir: '/var/cache/bench-local-k8s/k8s-v1.34.4-abc',
  kubernetesVersion: 'v1.34.4',
  processes: { containerd: true, kubelet: true, kubeProxy: true },
  nodeReady: true,
  metricsApi: true,
};

describe('createLocalCluster', () => {
  it('runs up.sh from the scripts dir and returns the kubeconfig it printed', async () => {
    const { runner, calls } = recordingRunner(() => ({ stdout: 'noise\n/etc/kubernetes/admin.conf\n' }));
    const cluster = createLocalCluster({ runner, scriptsDir: '/x/infra/local-k8s' });
    const up = await cluster.up();
    expect(
      calls.map((c) => [c.command, c.args]),
      'calls',
    ).toEqual([['/x/infra/local-k8s/up.sh', []]]);
    expect(calls[0]?.options?.allowFailure, 'allowFailure').toBe(true);
    expect(up, 'up result').toEqual({ kubeconfigPath: '/etc/kubernetes/admin.conf', contextName: 'bench-local' });
    expect(cluster.contextName, 'contextName').toBe('bench-local');
  });

  it('passes --fresh and forwards stderr lines as progress', async () => {
    const lines: string[] = [];
    const { runner, calls } = recordingRunner((call) => {
      call.options?.onStderr?.('[local-k8s] one\n[local-k8s] t');
      call.options?.onStderr?.('wo\n\n');
      return { stdout: '/etc/kubernetes/admin.conf\n' };
    });
    await createLocalCluster({ runner, scriptsDir: '/s', onProgress: (l) => lines.push(l) }).up({ fresh: true });
    expect(calls[0]?.args, 'args').toEqual(['--fresh']);
    expect(lines, 'progress lines').toEqual(['[local-k8s] one', '[local-k8s] two']);
  });

  it('turns a failed script into an infra BenchError with command, exit code, stderr tail and the fix', async () => {
    const stderr = [
      ...Array.from({ length: 20 }, (_, i) => `line ${i}`),
      '[local-k8s] ERROR: must run as root (uid 1000)',
      '[local-k8s] fix: re-run with sudo',
    ].join('\n');
    const { runner } = recordingRunner(() => ({ exitCode: 1, stderr }));
    const error = await createLocalCluster({ runner, scriptsDir: '/s' })
      .down()
      .catch((e: unknown) => e);
    expect(error, 'error type').toBeInstanceOf(BenchError);
    const bench = error as BenchError;
    expect(bench.code, 'code').toBe('infra');
    expect(bench.exitCode, 'exit code').toBe(3);
    expect(bench.message, 'message head').toMatch(/^\/s\/down\.sh exited with code 1:\n/);
    expect(bench.message, 'keeps the last lines').toContain('must run as root');
    expect(bench.message, 'drops early lines').not.toContain('line 5\n');
    expect(bench.hint, 'hint').toBe('re-run with sudo');
  });

  it('reports a killed script by its signal', async () => {
    const { runner } = recordingRunner(() => ({ exitCode: null, signal: 'SIGTERM' }));
    await expect(createLocalCluster({ runner, scriptsDir: '/s' }).up()).rejects.toThrow('/s/up.sh was killed by SIGTERM');
  });

  it('loads a valid image and rejects a bad tag before running anything', async () => {
    const { runner, calls } = recordingRunner(() => ({}));
    const cluster = createLocalCluster({ runner, scriptsDir: '/s' });
    await cluster.loadImage('bench/refsvc:go1.26-abc123');
    expect(
      calls.map((c) => [c.command, c.args]),
      'calls',
    ).toEqual([['/s/load-image.sh', ['bench/refsvc:go1.26-abc123']]]);
    const error = await cluster.loadImage('refsvc').catch((e: unknown) => e);
    expect((error as BenchError).code, 'usage code').toBe('usage');
    expect((error as BenchError).exitCode, 'usage exit').toBe(2);
    expect(calls.length, 'no extra call').toBe(1);
  });

  it('parses status.sh --json', async () => {
    const { runner, calls } = recordingRunner(() => ({ stdout: `${JSON.stringify(statusJson)}\n` }));
    const status = await createLocalCluster({ runner, scriptsDir: '/s' }).status();
    expect(calls[0]?.args, 'args').toEqual(['--json']);
    expect(status, 'status').toEqual(statusJson);
  });
});

describe('validateImageTag', () => {
  it.each([
    ['refsvc:dev', 'refsvc:dev'],
    [' localhost:5000/a/b:1.0 ', 'localhost:5000/a/b:1.0'],
    [`x@sha256:${'a'.repeat(64)}`, `x@sha256:${'a'.repeat(64)}`],
  ])('accepts %j', (input, expected) => {
    expect(validateImageTag(input)).toBe(expected);
  });

  it.each([[''], ['refsvc'], ['Refsvc:dev'], ['a b:c'], ['localhost:5000/x']])('rejects %j with a usage error', (input) => {
    expect(() => validateImageTag(input)).toThrow(BenchError);
  });
});

describe('parseLocalClusterStatus', () => {
  it('names the bad field', () => {
    const bad = { ...statusJson, state: 'sideways' };
    expect(() => parseLocalClusterStatus(JSON.stringify(bad))).toThrow(/field state/);
  });

  it('rejects output that is not JSON', () => {
    expect(() => parseLocalClusterStatus('state: up')).toThrow(/printed no JSON/);
  });
});

import { describe, expect, it } from 'vitest';
import type { ProcessRunner } from '../exec/index.js';
import { performClusterAction, type ClusterRequest } from './cluster-job.js';

const request = (over: Partial<ClusterRequest>): ClusterRequest => ({
  provider: 'local',
  action: 'up',
  image: undefined,
  fresh: false,
  cluster: undefined,
  nodeImage: undefined,
  ...over,
});

describe('performClusterAction', () => {
  const calls: string[] = [];
  const run: ProcessRunner = async (command, args) => {
    calls.push([command, ...args].join(' '));
    throw new Error('no process may run for a bad request');
  };
  const deps = { run, env: {}, signal: new AbortController().signal, log: () => {} };

  it.each([
    [request({ cluster: 'x' }), /--cluster is a kind flag/, /add --provider kind/],
    [request({ nodeImage: 'img' }), /--node-image is a kind flag/, /drop --node-image/],
    [request({ action: 'restart' }), /unknown cluster action "restart"/, /use up, down, load-image or status/],
    [request({ provider: 'kind', action: 'restart' }), /unknown cluster action "restart"/, /use up, down, load-image or status/],
    [request({ action: 'load-image' }), /needs an image tag/, /^e\.g\. bench cluster load-image refsvc:.*…$/],
    [request({ provider: 'kind', action: 'load-image' }), /needs an image tag/, /--provider kind$/],
  ])('a bad request is a usage error naming the fix, before anything runs (%#)', async (bad, message, hint) => {
    const error = await performClusterAction(bad, deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toMatch(message);
    expect((error as { hint?: string }).hint).toMatch(hint);
    expect(calls).toEqual([]);
  });

  it('kind down without podman on the machine: nothing to remove, said so', async () => {
    const seen: string[] = [];
    const fresh: ProcessRunner = async (command, args) => {
      const line = [command, ...args].join(' ');
      seen.push(line);
      if (line === 'kind version') return { command: line, exitCode: 0, signal: null, stdout: 'kind v0.33.0\n', stderr: '' };
      throw new Error(`${command}: not found on PATH`);
    };
    const out = await performClusterAction(request({ provider: 'kind', action: 'down' }), { ...deps, run: fresh });
    expect(out).toBe('cluster down: kind cluster bench');
    expect(seen).toEqual(['kind version', 'kind get clusters', 'podman --version']);
  });
});

import { readFile } from 'node:fs/promises';
import { loadYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type ProcessResult, type ProcessRunner, type RunProcessOptions, ProcessError } from '../../exec/index.js';
import {
  buildKindConfig,
  createClusterArgs,
  deleteClusterArgs,
  KindCluster,
  kindContext,
  kindToolDir,
  KIND_VERSION,
  loadImageArgs,
  nodeImageOf,
  readKindBaseConfig,
  validateClusterName,
  type KindConfig,
} from './kind-cluster.js';

const base: KindConfig = { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [{ role: 'control-plane' }, { role: 'worker' }] };

describe('buildKindConfig', () => {
  it('maps 127.0.0.1:<hostPort> to the NodePort on the control-plane node and sets the node image', () => {
    const config = buildKindConfig(base, { name: 'bench', nodeImage: 'kindest/node:v1.34.0', portMappings: [{ hostPort: 30080, containerPort: 30080 }] });
    expect(config).toEqual({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'bench',
      nodes: [
        {
          role: 'control-plane',
          image: 'kindest/node:v1.34.0',
          extraPortMappings: [{ containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1', protocol: 'TCP' }],
        },
        { role: 'worker', image: 'kindest/node:v1.34.0' },
      ],
    });
    expect(base.nodes?.[0], 'the base config is not modified').toEqual({ role: 'control-plane' });
  });

  it('without a node image leaves kind its default', () => {
    const config = buildKindConfig(base, { name: 'x', portMappings: [] });
    expect(config.nodes?.every((n) => n.image === undefined)).toBe(true);
  });

  it('rejects a foreign config and bad ports with the field', () => {
    expect(() => buildKindConfig({ ...base, apiVersion: 'v1' as never }, { name: 'x', portMappings: [] })).toThrow(/kind\/apiVersion must be Cluster/);
    expect(() => buildKindConfig(base, { name: 'x', portMappings: [{ hostPort: 0, containerPort: 30080 }] })).toThrow(
      'kind port mapping: hostPort must be a TCP port (got 0)',
    );
    expect(() => buildKindConfig({ ...base, nodes: [{ role: 'worker' }] }, { name: 'x', portMappings: [] })).toThrow(/no control-plane/);
  });

  it('the base config in infra/kind is a valid kind Cluster that listens on loopback only', async () => {
    const config = await readKindBaseConfig();
    const built = buildKindConfig(config, { name: 'bench', portMappings: [{ hostPort: 30080, containerPort: 30080 }] });
    expect(built.networking).toEqual({ apiServerAddress: '127.0.0.1' });
    expect(built.nodes?.[0]?.extraPortMappings?.[0]?.listenAddress).toBe('127.0.0.1');
  });
});

describe('kind command lines', () => {
  it('create, load, delete', () => {
    expect(createClusterArgs({ name: 'bench', configPath: '/tmp/c.yaml', nodeImage: 'kindest/node:v1.34.0' })).toEqual([
      'create',
      'cluster',
      '--name',
      'bench',
      '--config',
      '/tmp/c.yaml',
      '--image',
      'kindest/node:v1.34.0',
      '--wait',
      '120s',
    ]);
    expect(createClusterArgs({ name: 'b', configPath: 'c', kubeconfig: '/k' })).toEqual([
      'create',
      'cluster',
      '--name',
      'b',
      '--config',
      'c',
      '--kubeconfig',
      '/k',
      '--wait',
      '120s',
    ]);
    expect(loadImageArgs('bench', 'refsvc:abc')).toEqual(['load', 'docker-image', 'refsvc:abc', '--name', 'bench']);
    expect(deleteClusterArgs('bench')).toEqual(['delete', 'cluster', '--name', 'bench']);
    expect(kindContext('bench')).toBe('kind-bench');
  });

  it('cluster names are validated', () => {
    expect(validateClusterName('bench-1')).toBe('bench-1');
    expect(() => validateClusterName('Bench_1')).toThrow('--cluster Bench_1: must be lowercase letters, digits and dashes (at most 50)');
  });

  it('the pinned kind version is the one infra/kind/go.mod requires', async () => {
    const gomod = await readFile(`${kindToolDir}/go.mod`, 'utf8');
    expect(gomod).toMatch(/^tool sigs\.k8s\.io\/kind$/m);
    expect(gomod).toContain(`sigs.k8s.io/kind ${KIND_VERSION}`);
  });
});

/** A recording process runner: answers by command line, records every call. */
function recorder(answers: Record<string, Partial<ProcessResult> | Error>): {
  run: ProcessRunner;
  calls: Array<{ line: string; options: RunProcessOptions | undefined }>;
} {
  const calls: Array<{ line: string; options: RunProcessOptions | undefined }> = [];
  const run: ProcessRunner = async (command, args, options) => {
    const line = [command, ...args].join(' ');
    calls.push({ line, options });
    const key = Object.keys(answers).find((k) => line.startsWith(k));
    const answer = key === undefined ? undefined : answers[key];
    if (answer instanceof Error) throw answer;
    const result: ProcessResult = { command: line, exitCode: 0, signal: null, stdout: '', stderr: '', ...answer };
    if (result.exitCode !== 0) throw new ProcessError(result);
    return result;
  };
  return { run, calls };
}

describe('KindCluster with an injected runner', () => {
  it('uses kind from PATH when it runs', async () => {
    const { run, calls } = recorder({ 'kind version': { stdout: 'kind v0.33.0 go1.26 linux/amd64\n' }, 'kind get clusters': { stdout: 'other\nbench\n' } });
    const cluster = new KindCluster({ name: 'bench', run, portMappings: [{ hostPort: 30080, containerPort: 30080 }] });
    expect(await cluster.exists()).toBe(true);
    await cluster.loadImage('refsvc:abc');
    await cluster.delete();
    expect(calls.map((c) => c.line)).toEqual([
      'kind version',
      'kind get clusters',
      'kind load docker-image refsvc:abc --name bench',
      'kind delete cluster --name bench',
    ]);
  });

  it('falls back to the pinned `go tool kind` in infra/kind when kind is not on PATH', async () => {
    const { run, calls } = recorder({
      'kind version': new Error('kind: not found on PATH'),
      'go tool kind version': { stdout: 'kind v0.33.0\n' },
      'go tool kind get clusters': { stdout: '' },
    });
    const cluster = new KindCluster({ name: 'bench', run, portMappings: [] });
    expect(await cluster.exists()).toBe(false);
    expect(calls.map((c) => c.line)).toEqual(['kind version', 'go tool kind version', 'go tool kind get clusters']);
    expect(calls[2]?.options?.cwd, 'run in infra/kind, where go.mod pins it').toBe(kindToolDir);
  });

  it('no podman yet (a fresh machine): no cluster, so that create builds the image and installs it', async () => {
    const { run, calls } = recorder({
      'kind version': { stdout: 'kind v0.33.0\n' },
      'kind get clusters': { exitCode: 1, stderr: 'ERROR: failed to check podman version' },
      'podman --version': new Error('podman: not found on PATH'),
    });
    expect(await new KindCluster({ name: 'bench', run, portMappings: [] }).exists()).toBe(false);
    expect(calls.map((c) => c.line)).toEqual(['kind version', 'kind get clusters', 'podman --version']);
  });

  it('podman runs but kind fails: the error of kind, with the hint', async () => {
    const { run } = recorder({
      'kind version': { stdout: 'kind v0.33.0\n' },
      'kind get clusters': { exitCode: 1, stderr: 'ERROR: boom' },
      'podman --version': { stdout: 'podman version 4.3.1\n' },
    });
    await expect(new KindCluster({ name: 'bench', run, portMappings: [] }).exists()).rejects.toThrow(/kind get clusters failed/);
  });

  it('neither kind nor go: an infra error with the fix', async () => {
    const { run } = recorder({ kind: new Error('kind: not found on PATH'), go: new Error('go: not found on PATH') });
    await expect(new KindCluster({ name: 'bench', run, portMappings: [] }).exists()).rejects.toThrow(
      /no usable kind \(PATH: kind: not found on PATH; go tool: go: not found on PATH\)/,
    );
  });

  it('create writes the config it built and passes it to kind create cluster', async () => {
    let written: unknown = null;
    const { run, calls } = recorder({ 'kind version': { stdout: 'kind v0.33.0' } });
    const spying: ProcessRunner = async (command, args, options) => {
      const at = args.indexOf('--config');
      if (at !== -1) written = loadYaml(await readFile(args[at + 1]!, 'utf8'));
      return run(command, args, options);
    };
    const cluster = new KindCluster({
      name: 'bench',
      run: spying,
      nodeImage: 'kindest/node:v1.34.0',
      portMappings: [{ hostPort: 31000, containerPort: 30080 }],
    });
    await cluster.create();
    const create = calls.find((c) => c.line.startsWith('kind create'))!.line;
    expect(create).toMatch(/^kind create cluster --name bench --config \S+cluster\.yaml --image kindest\/node:v1\.34\.0 --wait 120s$/);
    expect(written).toMatchObject({
      kind: 'Cluster',
      name: 'bench',
      nodes: [
        {
          role: 'control-plane',
          image: 'kindest/node:v1.34.0',
          extraPortMappings: [{ containerPort: 30080, hostPort: 31000, listenAddress: '127.0.0.1', protocol: 'TCP' }],
        },
      ],
    });
  });

  it("a failing kind command is an infra error with kind's stderr", async () => {
    const { run } = recorder({ 'kind version': { stdout: 'kind v0.33.0' }, 'kind delete': { exitCode: 1, stderr: 'ERROR: failed to delete cluster "bench"' } });
    await expect(new KindCluster({ name: 'bench', run, portMappings: [] }).delete()).rejects.toThrow(
      /kind delete cluster failed: kind delete cluster --name bench exited with code 1:\nERROR: failed to delete cluster "bench"/,
    );
  });
});

describe('nodeImageOf (the node image in the run fingerprint)', () => {
  const id = 'a'.repeat(64);
  it('reads podman’s bare id and docker’s sha256: id alike', () => {
    expect(nodeImageOf(`localhost/bench-kind-node:v1.34.4-89b942eb85d3@${id}\n`)).toBe(`localhost/bench-kind-node:v1.34.4-89b942eb85d3@sha256:${id}`);
    expect(nodeImageOf(`kindest/node:v1.34.0@sha256:${id}`)).toBe(`kindest/node:v1.34.0@sha256:${id}`);
  });
  it('is null for anything else', () => {
    expect(nodeImageOf('')).toBeNull();
    expect(nodeImageOf('Error: no such container bench-control-plane')).toBeNull();
    expect(nodeImageOf(`@${id}`)).toBeNull();
  });
});

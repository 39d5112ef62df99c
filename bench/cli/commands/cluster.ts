/**
 * `bench cluster up|down|load-image|status [--provider local|kind]`: the local single-node Kubernetes
 * (infra/local-k8s), or the kind cluster `bench run --target kind` reuses (node image built here, on podman).
 */
import { createLocalCluster } from '../../cluster/index.js';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { parseChoice, type Flags } from '../../flags.js';
import { helpOf, parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

const spec = {
  name: 'cluster',
  usage: 'cluster <up|down|load-image IMAGE|status> [--provider local|kind] [--fresh] [--cluster NAME] [--node-image IMAGE]',
  description:
    'up: build (cached) and start the cluster; reuses a healthy one\n' +
    'down: stop it and remove everything up created (the build caches stay)\n' +
    "load-image: copy an image from the Docker engine into the cluster's containerd\n" +
    'status: what runs, as JSON\n' +
    'local: a single-node cluster on this host (infra/local-k8s); kind: a kind cluster whose node image is\n' +
    'built here (infra/kind/node), run by rootful podman; `bench run --target kind` reuses it',
  positionals: true,
  flags: {
    provider: { type: 'string', arg: 'NAME', help: 'local (default) | kind' },
    fresh: { type: 'boolean', help: 'with up: reset first, even when a cluster answers' },
    cluster: { type: 'string', arg: 'NAME', help: 'kind: the cluster name (default bench)' },
    'node-image': { type: 'string', arg: 'IMAGE', help: 'kind: a node image instead of the one built here' },
  },
} as const satisfies CommandSpec<Flags>;

export const clusterCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    ctx.stdout(helpOf(spec));
    return ExitCode.usage;
  }
  const provider = parseChoice('provider', values.provider ?? 'local', ['local', 'kind'] as const);
  const [action, ...rest] = positionals;
  if (provider === 'kind') return kindClusterAction(ctx, action, rest, values);
  for (const flag of ['cluster', 'node-image'] as const) {
    if (values[flag] !== undefined) throw usageError(`--${flag} is a kind flag`, `add --provider kind, or drop --${flag}`);
  }
  const cluster = createLocalCluster({ onProgress: (line) => ctx.stderr(`${line}\n`), env: ctx.env });
  switch (action) {
    case 'up': {
      const up = await cluster.up({ fresh: values.fresh === true, signal: ctx.signal });
      ctx.stdout(`cluster up: kubeconfig ${up.kubeconfigPath}, context ${up.contextName}\n`);
      return ExitCode.ok;
    }
    case 'down':
      await cluster.down({ signal: ctx.signal });
      ctx.stdout('cluster down\n');
      return ExitCode.ok;
    case 'load-image': {
      const tag = rest[0];
      if (tag === undefined) throw usageError('bench cluster load-image needs an image tag', 'e.g. bench cluster load-image refsvc:local-default-s-…');
      await cluster.loadImage(tag, { signal: ctx.signal });
      ctx.stdout(`loaded ${tag}\n`);
      return ExitCode.ok;
    }
    case 'status':
      ctx.stdout(`${JSON.stringify(await cluster.status({ signal: ctx.signal }), null, 2)}\n`);
      return ExitCode.ok;
    default:
      throw usageError(`unknown cluster action "${action}"`, 'use up, down, load-image or status');
  }
};

/** The kind cluster of `bench run --target kind`, made and kept here. */
async function kindClusterAction(
  ctx: Parameters<Command>[0],
  action: string | undefined,
  rest: string[],
  values: { fresh?: boolean | undefined; cluster?: string | undefined; 'node-image'?: string | undefined },
): Promise<ExitCode> {
  const { bringUpKindCluster, kindClusterOf } = await import('../../targets/kind/index.js');
  const log = (line: string) => ctx.stderr(`${line}\n`);
  const options = { cluster: values.cluster, nodeImage: values['node-image'], run: runProcess, log };
  switch (action) {
    case 'up': {
      if (values.fresh === true) {
        const old = kindClusterOf(options);
        if (await old.exists(ctx.signal)) await old.delete();
      }
      const { cluster, created } = await bringUpKindCluster({ ...options, signal: ctx.signal });
      ctx.stdout(`cluster up: kind cluster ${cluster.name} (${created ? 'created' : 'reused'}, ${cluster.provider}), context ${cluster.context}\n`);
      return ExitCode.ok;
    }
    case 'down': {
      const cluster = kindClusterOf(options);
      if (await cluster.exists(ctx.signal)) await cluster.delete();
      ctx.stdout(`cluster down: kind cluster ${cluster.name}\n`);
      return ExitCode.ok;
    }
    case 'load-image': {
      const tag = rest[0];
      if (tag === undefined)
        throw usageError('bench cluster load-image needs an image tag', 'e.g. bench cluster load-image refsvc:local-default-s-… --provider kind');
      await kindClusterOf(options).loadImage(tag, ctx.signal);
      ctx.stdout(`loaded ${tag}\n`);
      return ExitCode.ok;
    }
    case 'status': {
      const cluster = kindClusterOf(options);
      const exists = await cluster.exists(ctx.signal);
      ctx.stdout(`${JSON.stringify({ provider: 'kind', cluster: cluster.name, runtime: cluster.provider, exists, context: cluster.context }, null, 2)}\n`);
      return ExitCode.ok;
    }
    default:
      throw usageError(`unknown cluster action "${action}"`, 'use up, down, load-image or status');
  }
}

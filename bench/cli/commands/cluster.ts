/** `bench cluster up|down|load-image|status --provider local`: the local single-node Kubernetes (infra/local-k8s). */
import { createLocalCluster } from '../../cluster/index.js';
import { ExitCode, usageError } from '../../errors.js';
import { parseChoice, type Flags } from '../../flags.js';
import { helpOf, parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

const spec = {
  name: 'cluster',
  usage: 'cluster <up|down|load-image IMAGE|status> [--provider local] [--fresh]',
  description:
    'up: build (cached) and start the local single-node cluster; reuses a healthy one\n' +
    'down: stop it and remove everything up created (the build cache stays)\n' +
    "load-image: copy an image from the Docker engine into the cluster's containerd\n" +
    'status: what runs, as JSON',
  positionals: true,
  flags: {
    provider: { type: 'string', arg: 'NAME', help: 'local (kind clusters are created by `bench run --target kind`)' },
    fresh: { type: 'boolean', help: 'with up: reset first, even when a cluster answers' },
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
  parseChoice('provider', values.provider ?? 'local', ['local'] as const);
  const [action, ...rest] = positionals;
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

/**
 * `bench cluster up|down|load-image|status [--provider local|kind]`: the local single-node Kubernetes
 * (infra/local-k8s), or the kind cluster `bench run --target kind` reuses (node image built here, on podman).
 */
import { ExitCode } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { parseChoice, type Flags } from '../../flags.js';
import { performClusterAction } from '../../orchestrator/index.js';
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
  const [action, image] = positionals;
  const request = {
    provider: parseChoice('provider', values.provider ?? 'local', ['local', 'kind'] as const),
    action,
    image,
    fresh: values.fresh === true,
    cluster: values.cluster,
    nodeImage: values['node-image'],
  };
  const deps = { run: runProcess, env: ctx.env, signal: ctx.signal, log: (line: string) => ctx.stderr(`${line}\n`) };
  ctx.stdout(`${await performClusterAction(request, deps)}\n`);
  return ExitCode.ok;
};

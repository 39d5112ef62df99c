/**
 * `bench cluster` once its flags are read: the same four actions (up, down, load-image, status) on
 * either cluster provider — the local single-node Kubernetes (infra/local-k8s) or the kind cluster that
 * `bench run --target kind` reuses (node image built here, on podman).
 */
import { createLocalCluster } from '../cluster/index.js';
import { usageError } from '../errors.js';
import type { ProcessRunner } from '../exec/index.js';

export type ClusterProviderName = 'local' | 'kind';

export interface ClusterRequest {
  provider: ClusterProviderName;
  action: string | undefined;
  /** load-image: the image tag. */
  image: string | undefined;
  fresh: boolean;
  /** kind only: the cluster name and a node image instead of the one built here. */
  cluster: string | undefined;
  nodeImage: string | undefined;
}

export interface ClusterDeps {
  run: ProcessRunner;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

/** What either provider does for each action; each returns the line to print. */
interface ClusterActions {
  up(fresh: boolean): Promise<string>;
  down(): Promise<string>;
  loadImage(tag: string): Promise<string>;
  status(): Promise<unknown>;
}

function localActions(deps: ClusterDeps): ClusterActions {
  const cluster = createLocalCluster({ onProgress: deps.log, env: deps.env });
  const { signal } = deps;
  return {
    up: async (fresh) => {
      const up = await cluster.up({ fresh, signal });
      return `cluster up: kubeconfig ${up.kubeconfigPath}, context ${up.contextName}`;
    },
    down: async () => (await cluster.down({ signal }), 'cluster down'),
    loadImage: async (tag) => (await cluster.loadImage(tag, { signal }), `loaded ${tag}`),
    status: () => cluster.status({ signal }),
  };
}

async function kindActions(request: ClusterRequest, deps: ClusterDeps): Promise<ClusterActions> {
  const { bringUpKindCluster, kindClusterOf } = await import('../targets/kind/index.js');
  const { signal } = deps;
  const options = { cluster: request.cluster, nodeImage: request.nodeImage, run: deps.run, log: deps.log };
  const cluster = kindClusterOf(options);
  return {
    up: async (fresh) => {
      if (fresh && (await cluster.exists(signal))) await cluster.delete();
      const up = await bringUpKindCluster({ ...options, signal });
      return `cluster up: kind cluster ${up.cluster.name} (${up.created ? 'created' : 'reused'}, ${up.cluster.provider}), context ${up.cluster.context}`;
    },
    down: async () => {
      if (await cluster.exists(signal)) await cluster.delete();
      return `cluster down: kind cluster ${cluster.name}`;
    },
    loadImage: async (tag) => (await cluster.loadImage(tag, signal), `loaded ${tag}`),
    status: async () => ({
      provider: 'kind',
      cluster: cluster.name,
      runtime: cluster.provider,
      exists: await cluster.exists(signal),
      context: cluster.context,
    }),
  };
}

/** Runs one cluster action; returns what to print on stdout. */
export async function performClusterAction(request: ClusterRequest, deps: ClusterDeps): Promise<string> {
  if (request.provider === 'local') {
    for (const [flag, value] of [
      ['cluster', request.cluster],
      ['node-image', request.nodeImage],
    ] as const) {
      if (value !== undefined) throw usageError(`--${flag} is a kind flag`, `add --provider kind, or drop --${flag}`);
    }
  }
  const actions = request.provider === 'kind' ? await kindActions(request, deps) : localActions(deps);
  switch (request.action) {
    case 'up':
      return actions.up(request.fresh);
    case 'down':
      return actions.down();
    case 'load-image': {
      if (request.image === undefined) {
        const example = `bench cluster load-image refsvc:local-default-s-…${request.provider === 'kind' ? ' --provider kind' : ''}`;
        throw usageError('bench cluster load-image needs an image tag', `e.g. ${example}`);
      }
      return actions.loadImage(request.image);
    }
    case 'status':
      return JSON.stringify(await actions.status(), null, 2);
    default:
      throw usageError(`unknown cluster action "${request.action}"`, 'use up, down, load-image or status');
  }
}

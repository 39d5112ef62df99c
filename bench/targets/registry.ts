/** The targets by name: the CLI's `--target` choices come from here. */
import type { TargetName } from '../../scenarios/index.js';
import type { Target } from './types.js';

/** Target options from the command line. */
export interface TargetFlags {
  context?: string | undefined;
  kubeconfig?: string | undefined;
  cluster?: string | undefined;
  keepCluster?: boolean;
  nodeImage?: string | undefined;
  imageRegistry?: string | undefined;
}

export interface TargetDeps {
  log: (line: string) => void;
}

type TargetFactory = (flags: TargetFlags, deps: TargetDeps) => Promise<Target>;

export const targetFactories = {
  docker: async (_flags, deps) => {
    const { DockerTarget } = await import('./docker/docker-target.js');
    return new DockerTarget({ log: deps.log });
  },
  kind: async (flags, deps) => {
    const { kindTargetFromFlags } = await import('./kind/from-flags.js');
    return kindTargetFromFlags(flags, deps);
  },
  kubernetes: async (flags, deps) => {
    const { kubernetesTargetFromFlags } = await import('./kubernetes/from-flags.js');
    const { LOCAL_CONTEXT_NAME } = await import('../cluster/local.js');
    // Without --context, the local single-node cluster (infra/local-k8s) is the cluster this machine has.
    return kubernetesTargetFromFlags({ ...flags, context: flags.context ?? LOCAL_CONTEXT_NAME }, deps);
  },
} satisfies Record<TargetName, TargetFactory>;

export function createTarget(name: TargetName, flags: TargetFlags, deps: TargetDeps): Promise<Target> {
  return targetFactories[name](flags, deps);
}

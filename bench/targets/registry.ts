/** The targets by name: the CLI's `--target` choices come from here. */
import type { TargetName } from '../../scenarios/define.js';
import { usageError } from '../errors.js';
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
  kind: async () => {
    throw usageError('the kind target is not wired in yet', 'use --target docker');
  },
  kubernetes: async () => {
    throw usageError('the kubernetes target is not wired in yet', 'use --target docker');
  },
} satisfies Record<TargetName, TargetFactory>;

export function createTarget(name: TargetName, flags: TargetFlags, deps: TargetDeps): Promise<Target> {
  return targetFactories[name](flags, deps);
}

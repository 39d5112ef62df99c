/** `--target kind` from the command line's flags (`--cluster`, `--keep-cluster`, `--node-image`, `--kubeconfig`). */
import Docker from 'dockerode';
import { runProcess } from '../../exec/index.js';
import { ensureServiceImage } from '../images.js';
import type { KubernetesTarget } from '../kubernetes/kubernetes-target.js';
import { createKindTarget } from './kind-target.js';

export interface KindFlags {
  cluster?: string | undefined;
  keepCluster?: boolean | undefined;
  nodeImage?: string | undefined;
  kubeconfig?: string | undefined;
}

export function kindTargetFromFlags(flags: KindFlags, deps: { log: (line: string) => void }): KubernetesTarget {
  const docker = new Docker();
  return createKindTarget({
    cluster: flags.cluster,
    keepCluster: flags.keepCluster === true,
    nodeImage: flags.nodeImage,
    kubeconfig: flags.kubeconfig,
    run: runProcess,
    ensureImage: (settings, signal) => ensureServiceImage(settings, { docker, run: runProcess, signal, log: deps.log }),
    log: deps.log,
  });
}

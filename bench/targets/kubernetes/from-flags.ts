/**
 * `--target kubernetes` from the command line's flags: the context and kubeconfig, and how images reach
 * the nodes: `--image-registry REGISTRY` (tag and push), else the local cluster's own loader when the
 * context is the local cluster's (infra/local-k8s). Any other cluster without a registry is a usage error.
 */
import Docker from 'dockerode';
import { LOCAL_CONTEXT_NAME, LOCAL_KUBECONFIG_PATH, createLocalCluster } from '../../cluster/index.js';
import { usageError } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { ensureServiceImage } from '../images.js';
import { createFunctionImageLoader, createRegistryImageLoader, type ImageLoader } from './image-loader.js';
import { createKubernetesTarget, type KubernetesTarget } from './kubernetes-target.js';

/** The flags this target reads (a subset of the CLI's TargetFlags). */
export interface KubernetesFlags {
  context?: string | undefined;
  kubeconfig?: string | undefined;
  imageRegistry?: string | undefined;
}

export function kubernetesTargetFromFlags(flags: KubernetesFlags, deps: { log: (line: string) => void }): KubernetesTarget {
  const docker = new Docker();
  const kubeconfig = flags.kubeconfig ?? (flags.context === LOCAL_CONTEXT_NAME ? LOCAL_KUBECONFIG_PATH : undefined);
  let imageLoader: ImageLoader;
  if (flags.imageRegistry !== undefined) {
    imageLoader = createRegistryImageLoader(flags.imageRegistry, docker);
  } else if (flags.context === LOCAL_CONTEXT_NAME) {
    const cluster = createLocalCluster({ onProgress: deps.log });
    imageLoader = createFunctionImageLoader('local cluster (infra/local-k8s/load-image.sh)', (tag, signal) => cluster.loadImage(tag, { signal }));
  } else {
    throw usageError(
      `--target kubernetes${flags.context === undefined ? '' : ` --context ${flags.context}`}: no way to get the service image onto the nodes`,
      `pass --image-registry REGISTRY (the image is tagged and pushed there), or --context ${LOCAL_CONTEXT_NAME} for the local cluster (infra/local-k8s)`,
    );
  }
  return createKubernetesTarget({
    context: flags.context,
    kubeconfig,
    imageLoader,
    ensureImage: (settings, signal) => ensureServiceImage(settings, { docker, run: runProcess, signal, log: deps.log }),
    log: deps.log,
  });
}

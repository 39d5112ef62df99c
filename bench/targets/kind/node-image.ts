/**
 * The kind node image built on this machine (infra/kind/node/build.sh), for rootful podman: no registry
 * serves `kindest/node` here, and Docker's `--privileged` asks for a capability these VMs lack. The
 * image carries a ptp CNI network, kube-proxy as a node service and the control-plane images, so a
 * cluster on it needs kind's own CNI, kube-proxy and CoreDNS off (their images would need a registry),
 * and the control plane's CPU requests lowered (kubeadm patches shipped in the image).
 */
import path from 'node:path';
import { infraError } from '../../errors.js';
import { ProcessError, type ProcessRunner } from '../../exec/index.js';
import { repoRoot } from '../../paths.js';

export const nodeImageScript = path.join(repoRoot, 'infra', 'kind', 'node', 'build.sh');
export const BUILT_NODE_IMAGE_REPOSITORY = 'localhost/bench-kind-node';

/** kind's container runtime: `docker` (kind's default) or `podman` (KIND_EXPERIMENTAL_PROVIDER). */
export type KindProvider = 'docker' | 'podman';

export function isBuiltNodeImage(image: string | undefined): boolean {
  return image?.startsWith(`${BUILT_NODE_IMAGE_REPOSITORY}:`) === true;
}

/** What a cluster on the built image needs in its kind config. Pure. */
export function withBuiltNodeSettings<T extends { [key: string]: unknown }>(config: T): T {
  const networking = (config.networking ?? {}) as Record<string, unknown>;
  const patches = Array.isArray(config.kubeadmConfigPatches) ? (config.kubeadmConfigPatches as string[]) : [];
  return {
    ...config,
    // The subnets the image's CNI network, kube-proxy and service-IP guard are written for.
    networking: { ...networking, disableDefaultCNI: true, kubeProxyMode: 'none', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' },
    kubeadmConfigPatches: [
      ...patches,
      ['kind: InitConfiguration', 'skipPhases: [preflight, addon/kube-proxy, addon/coredns]', 'patches:', '  directory: /kind/patches', ''].join('\n'),
    ],
  };
}

/** Builds the node image (cached by the hash of its inputs) and returns its tag. */
export async function buildNodeImage(run: ProcessRunner, options: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<string> {
  options.log?.('building the kind node image (cached; infra/kind/node/build.sh)');
  try {
    const result = await run('bash', [nodeImageScript], {
      ...(options.signal ? { signal: options.signal } : {}),
      onStderr: (chunk) => options.log?.(chunk.trimEnd()),
    });
    const tag = result.stdout.trim().split('\n').pop() ?? '';
    if (!isBuiltNodeImage(tag)) throw new Error(`it printed "${tag}", not a ${BUILT_NODE_IMAGE_REPOSITORY} tag`);
    return tag;
  } catch (error) {
    const detail = error instanceof ProcessError ? error.message : (error as Error).message;
    throw infraError(
      `building the kind node image failed: ${detail}`,
      'it needs root, podman and debootstrap from Debian, and the local cluster build (bash infra/local-k8s/build.sh); or pass --node-image',
      error,
    );
  }
}

/**
 * metrics-server for a kind cluster: the image is built FROM scratch on the host (no registry) by
 * infra/k8s/build-metrics-server-image.sh, loaded into the nodes, and the pinned manifest in infra/k8s
 * is applied with @kubernetes/client-node; then we watch until the metrics API is Available.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { infraError } from '../../errors.js';
import type { ProcessRunner } from '../../exec/index.js';
import { repoRoot } from '../../paths.js';
import { apiMessage, apiStatus, type KubeClients } from '../kubernetes/client.js';
import { waitForWatch } from '../kubernetes/watches.js';

export const metricsServerManifestPath = path.join(repoRoot, 'infra', 'k8s', 'metrics-server.yaml');
export const metricsServerImageScript = path.join(repoRoot, 'infra', 'k8s', 'build-metrics-server-image.sh');

/** The objects of the manifest, in file order. */
export async function readMetricsServerManifest(file = metricsServerManifestPath): Promise<KubernetesObject[]> {
  const objects = loadAllYaml(await readFile(file, 'utf8')) as KubernetesObject[];
  return objects.filter((o) => o !== null && typeof o === 'object');
}

/** The image the manifest's Deployment runs. */
export function manifestImage(objects: readonly KubernetesObject[]): string {
  const deployment = objects.find((o) => o.kind === 'Deployment') as
    { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } } | undefined;
  const image = deployment?.spec?.template?.spec?.containers?.[0]?.image;
  if (image === undefined) throw new Error(`${metricsServerManifestPath}: no Deployment with a container image`);
  return image;
}

/** Creates each object, or replaces it when it exists (idempotent on a reused cluster). */
export async function applyObjects(clients: Pick<KubeClients, 'objects'>, objects: readonly KubernetesObject[]): Promise<void> {
  for (const object of objects) {
    try {
      await clients.objects.create(object);
    } catch (error) {
      if (apiStatus(error) !== 409) throw infraError(`creating ${object.kind} ${object.metadata?.name} failed: ${apiMessage(error)}`, undefined, error);
      const current = await clients.objects.read({
        apiVersion: object.apiVersion!,
        kind: object.kind!,
        metadata: { name: object.metadata!.name!, namespace: object.metadata?.namespace },
      } as never);
      await clients.objects.replace({ ...object, metadata: { ...object.metadata, resourceVersion: (current as KubernetesObject).metadata?.resourceVersion } });
    }
  }
}

/** Builds the image, loads it with `loadImage`, applies the manifest, waits for the metrics API. */
export async function installMetricsServer(deps: {
  clients: KubeClients;
  run: ProcessRunner;
  loadImage: (tag: string, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  log?: (line: string) => void;
  timeoutMs?: number;
}): Promise<void> {
  const objects = await readMetricsServerManifest();
  const image = manifestImage(objects);
  deps.log?.(`building ${image} FROM scratch (infra/k8s/build-metrics-server-image.sh)`);
  const built = await deps
    .run('bash', [metricsServerImageScript], { signal: deps.signal, onStderr: (c) => deps.log?.(c.trimEnd()) })
    .catch((error: unknown) => {
      throw infraError(
        `building the metrics-server image failed: ${(error as Error).message.split('\n')[0]}`,
        'it is built with Docker: is dockerd running? (`npm run setup` starts it)',
        error,
      );
    });
  const tag = built.stdout.trim().split('\n').pop();
  if (tag !== image)
    throw infraError(
      `the metrics-server image script built ${tag}, the manifest wants ${image}`,
      'keep infra/k8s/build-metrics-server-image.sh and metrics-server.yaml on the same version',
    );
  await deps.loadImage(image, deps.signal);
  await applyObjects(deps.clients, objects);
  const name = 'v1beta1.metrics.k8s.io';
  await waitForWatch<{ metadata?: { name?: string }; status?: { conditions?: Array<{ type: string; status: string }> } }, true>({
    watch: deps.clients.watch,
    path: '/apis/apiregistration.k8s.io/v1/apiservices',
    query: { fieldSelector: `metadata.name=${name}` },
    list: async () => {
      const list = (await deps.clients.objects.list(
        'apiregistration.k8s.io/v1',
        'APIService',
        undefined,
        undefined,
        undefined,
        undefined,
        `metadata.name=${name}`,
      )) as {
        items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
        metadata?: { resourceVersion?: string };
      };
      return list;
    },
    onList: (items) => (items.some(available) ? true : undefined),
    onEvent: (_type, item) => (available(item) ? true : undefined),
    signal: deps.signal,
    timeoutMs: deps.timeoutMs ?? 180_000,
    describe: () => `APIService ${name} to become Available (kubectl -n kube-system logs deploy/metrics-server)`,
  });
}

function available(item: { status?: { conditions?: Array<{ type: string; status: string }> } }): boolean {
  return item.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
}

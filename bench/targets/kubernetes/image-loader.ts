/**
 * How the service image reaches the cluster's nodes: loaded straight into the nodes' container runtime
 * (the local cluster's loader, `kind load docker-image`), or pushed to a registry the nodes pull from.
 */
import type Docker from 'dockerode';
import { infraError, usageError } from '../../errors.js';

export interface ImageLoader {
  readonly name: string;
  /** Makes the image `tag` (present in the local Docker engine) available to every node. */
  load(tag: string, signal: AbortSignal): Promise<void>;
  /** The image reference the pods must use (a registry loader prefixes the registry). @default the tag */
  reference?(tag: string): string;
  /** `Never` for images loaded into the nodes (a pull could only fail), `IfNotPresent` for a registry. */
  readonly pullPolicy: 'Never' | 'IfNotPresent';
}

/** Wraps a `loadImage(tag)` function (e.g. the local cluster's) as an ImageLoader. */
export function createFunctionImageLoader(name: string, loadImage: (tag: string, signal: AbortSignal) => Promise<unknown>): ImageLoader {
  return {
    name,
    pullPolicy: 'Never',
    async load(tag, signal) {
      await loadImage(tag, signal);
    },
  };
}

/** `--image-registry REGISTRY`: `REGISTRY/<repo>:<tag>`. */
export function registryReference(registry: string, tag: string): string {
  const trimmed = registry.replace(/\/+$/, '');
  if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(trimmed)) {
    throw usageError(`--image-registry ${registry}: not a registry host[/path] reference`, 'use e.g. --image-registry registry.example.com:5000/bench');
  }
  return `${trimmed}/${tag}`;
}

/** Tags the image as `REGISTRY/<tag>` and pushes it with the Docker engine (credentials from Docker's own config). */
export function createRegistryImageLoader(registry: string, docker: Docker): ImageLoader {
  registryReference(registry, 'check:latest');
  return {
    name: `registry ${registry}`,
    pullPolicy: 'IfNotPresent',
    reference: (tag) => registryReference(registry, tag),
    async load(tag) {
      const target = registryReference(registry, tag);
      const colon = target.lastIndexOf(':');
      const repo = target.slice(0, colon);
      const version = target.slice(colon + 1);
      try {
        await docker.getImage(tag).tag({ repo, tag: version });
        const stream = await docker.getImage(target).push({});
        await new Promise<void>((resolve, reject) => {
          docker.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
            const failed = output?.find((o) => o.error !== undefined);
            if (error) reject(error);
            else if (failed) reject(new Error(failed.error));
            else resolve();
          });
        });
      } catch (error) {
        throw infraError(
          `pushing ${target} failed: ${(error as Error).message}`,
          `check that the registry answers and that \`docker login ${registry.split('/')[0]}\` was done`,
          error,
        );
      }
    },
  };
}

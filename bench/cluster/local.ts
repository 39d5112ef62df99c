/**
 * The local single-node Kubernetes (`infra/local-k8s`): a typed wrapper over its scripts, for
 * `bench cluster up|down|load-image --provider local` and for integration tests. The scripts do the work
 * (build from the Go module proxy, second containerd, kubeadm, host kube-proxy, metrics-server); this module
 * runs them through an injected process runner and turns failures into BenchErrors that carry the command,
 * its exit code and the last lines of its stderr.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { BenchError, infraError, usageError } from '../errors.js';
import { runProcess, type ProcessResult, type ProcessRunner } from '../exec/index.js';

/** Directory of the scripts, resolved from this file (works from `bench/` sources and from `dist/bench/`). */
export function resolveLocalK8sDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..';
  return path.resolve(here, up, 'infra/local-k8s');
}

/** Kubeconfig written by `up.sh` (kubeadm's admin.conf, context renamed). */
export const LOCAL_KUBECONFIG_PATH = '/etc/kubernetes/admin.conf';
/** Context name in that kubeconfig. */
export const LOCAL_CONTEXT_NAME = 'bench-local';

/** What `status.sh --json` reports. */
export const localClusterStatusSchema = z.object({
  /** `up`: healthy; `down`: nothing of ours on the host; `stale`: leftovers or a half-started cluster. */
  state: z.enum(['up', 'down', 'stale']),
  kubeconfigPath: z.string(),
  contextName: z.string(),
  /** Whether the build cache for the pinned versions is complete (a cold build takes 30–45 min). */
  built: z.boolean(),
  cacheDir: z.string(),
  kubernetesVersion: z.string(),
  processes: z.object({ containerd: z.boolean(), kubelet: z.boolean(), kubeProxy: z.boolean() }),
  /** Node Ready and the metrics API serving; false when not checked (not root, or processes down). */
  nodeReady: z.boolean(),
  metricsApi: z.boolean(),
});
export type LocalClusterStatus = z.infer<typeof localClusterStatusSchema>;

export interface LocalClusterOptions {
  /** Runs the scripts; injected in unit tests. @default runProcess */
  runner?: ProcessRunner;
  /** Where `up.sh` and friends live. @default resolveLocalK8sDir() */
  scriptsDir?: string;
  /** Progress lines from the scripts' stderr (build and start-up take minutes). */
  onProgress?: (line: string) => void;
  /** Environment for the scripts (e.g. `BENCH_LOCAL_K8S_CACHE`). @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface LocalClusterUp {
  kubeconfigPath: string;
  contextName: string;
}

/** The `local` cluster provider. */
export interface LocalCluster {
  readonly provider: 'local';
  readonly kubeconfigPath: string;
  readonly contextName: string;
  /** Builds (cached) and starts the cluster; reuses a healthy one. */
  up(options?: { fresh?: boolean; signal?: AbortSignal }): Promise<LocalClusterUp>;
  /** Removes everything `up` created (the build cache stays). */
  down(options?: { signal?: AbortSignal }): Promise<void>;
  /** Copies an image from the Docker engine into the cluster's containerd. */
  loadImage(tag: string, options?: { signal?: AbortSignal }): Promise<void>;
  status(options?: { signal?: AbortSignal }): Promise<LocalClusterStatus>;
}

const STDERR_TAIL_LINES = 12;

/** Docker image reference with a tag or digest: `name[:tag]` where the last path part carries `:` or `@`. */
const IMAGE_REF = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/;

export function validateImageTag(tag: string): string {
  const trimmed = tag.trim();
  if (trimmed === '') throw usageError('image tag is empty', 'pass an image as name:tag, e.g. refsvc:dev');
  if (!IMAGE_REF.test(trimmed)) {
    throw usageError(
      `image "${tag}" is not a tagged image reference`,
      'pass lower-case name:tag (or name@sha256:…), e.g. refsvc:dev; nothing is pulled, the image must be in the Docker engine',
    );
  }
  return trimmed;
}

export function createLocalCluster(options: LocalClusterOptions = {}): LocalCluster {
  const runner = options.runner ?? runProcess;
  const scriptsDir = options.scriptsDir ?? resolveLocalK8sDir();

  async function run(script: string, args: readonly string[], signal: AbortSignal | undefined): Promise<ProcessResult> {
    const file = path.join(scriptsDir, script);
    let pending = '';
    const onStderr =
      options.onProgress === undefined
        ? undefined
        : (chunk: string): void => {
            pending += chunk;
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) if (line.trim() !== '') options.onProgress?.(line);
          };
    let result: ProcessResult;
    try {
      result = await runner(file, args, {
        allowFailure: true,
        ...(signal === undefined ? {} : { signal }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(onStderr === undefined ? {} : { onStderr }),
      });
    } catch (error) {
      if (error instanceof BenchError) throw error;
      throw infraError(`could not run ${file}: ${(error as Error).message}`, 'check that infra/local-k8s exists and is executable', error);
    }
    if (result.exitCode !== 0) throw scriptFailure(result);
    return result;
  }

  return {
    provider: 'local',
    kubeconfigPath: LOCAL_KUBECONFIG_PATH,
    contextName: LOCAL_CONTEXT_NAME,

    async up({ fresh = false, signal } = {}) {
      const result = await run('up.sh', fresh ? ['--fresh'] : [], signal);
      const printed = lastLine(result.stdout);
      return { kubeconfigPath: printed === '' ? LOCAL_KUBECONFIG_PATH : printed, contextName: LOCAL_CONTEXT_NAME };
    },

    async down({ signal } = {}) {
      await run('down.sh', [], signal);
    },

    async loadImage(tag, { signal } = {}) {
      await run('load-image.sh', [validateImageTag(tag)], signal);
    },

    async status({ signal } = {}) {
      const result = await run('status.sh', ['--json'], signal);
      return parseLocalClusterStatus(result.stdout);
    },
  };
}

/** Parses `status.sh --json` output; a malformed line is an infra error naming the field. */
export function parseLocalClusterStatus(stdout: string): LocalClusterStatus {
  const line = lastLine(stdout);
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw infraError(`status.sh printed no JSON (got ${JSON.stringify(line.slice(0, 200))})`, 'run infra/local-k8s/status.sh --json by hand');
  }
  const parsed = localClusterStatusSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? '?' : issue.path.join('.');
    throw infraError(`status.sh JSON: field ${field}: ${issue?.message ?? 'invalid'}`, 'infra/local-k8s/status.sh and bench/cluster/local.ts disagree');
  }
  return parsed.data;
}

/** A failed script as an infra error: command, exit code or signal, and the last stderr lines. */
export function scriptFailure(result: ProcessResult): BenchError {
  const how = result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${String(result.exitCode)}`;
  const tail = result.stderr.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
  const fix = /^\[local-k8s\] fix: (.*)$/m.exec(result.stderr)?.[1];
  return infraError(
    `${result.command} ${how}${tail === '' ? '' : `:\n${tail}`}`,
    fix ?? 'see the lines above; infra/local-k8s/README.md lists the prerequisites',
  );
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim();
}

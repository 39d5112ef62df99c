/**
 * The default target: one local Docker container per repeat, through the Docker Engine API (dockerode).
 * CPU and memory limits as `NanoCpus` / `Memory`, the port published on 127.0.0.1 only, every container
 * labelled with the run id so that Ctrl-C and `bench doctor --cleanup` can remove it.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import type { Cell } from '../../../scenarios/index.js';
import { findContainerCgroup, readCgroupSample, type CgroupPaths, type RuntimeSnapshot } from '../../collect/index.js';
import { infraError } from '../../errors.js';
import { runProcess, type ProcessRunner } from '../../exec/index.js';
import type { EffectiveSettings } from '../../results/index.js';
import { fetchRuntime, waitForReady } from '../http.js';
import { ensureServiceImage } from '../images.js';
import { effectiveFromRuntime, MiB, serviceEnv } from '../service-env.js';
import { OWNER_LABELS, ownerFromLabels, ownerLabels, type RunLeftovers } from '../owner.js';
import type { ContainerSample, DeployOptions, ImageBuilder, Sampler, ServiceHandle, Target, TargetVersions } from '../types.js';

export const RUN_LABEL = 'bench.run-id';
const SERVICE_PORT = '8080/tcp';

/** Deadline of one short engine call (ping, version, list): an engine that accepts but never answers. */
export const ENGINE_CALL_TIMEOUT_MS = 15_000;
/** Deadline of a call the engine may take a while over on a loaded host (create, start, remove). */
export const SLOW_ENGINE_CALL_TIMEOUT_MS = 60_000;

/**
 * One short Docker Engine call with a deadline, abandoned at once when `signal` aborts (Ctrl-C must not
 * wait for an engine that never answers). The request is aborted too, so no socket is left open.
 */
export async function engineCall<T>(
  what: string,
  call: (abortSignal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
  timeoutMs = ENGINE_CALL_TIMEOUT_MS,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the Docker engine did not answer ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
    onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(controller.signal), stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

/** dockerode takes `abortSignal` in these calls' options; its typings leave the options out. */
interface AbortableCalls {
  ping(options: { abortSignal: AbortSignal }): Promise<unknown>;
  version(options: { abortSignal: AbortSignal }): Promise<Docker.DockerVersion>;
}

export interface DockerTargetOptions {
  docker?: Docker;
  run?: ProcessRunner;
  log?: (line: string) => void;
}

/** Docker: containers on this host; samples its cgroup and builds images (no autoscaler, no rollout). */
export class DockerTarget implements Target, Sampler, ImageBuilder {
  readonly name = 'docker' as const;
  readonly docker: Docker;
  private readonly run: ProcessRunner;
  private readonly log: (line: string) => void;
  private readonly cgroups = new Map<string, CgroupPaths | null>();

  constructor(options: DockerTargetOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.run = options.run ?? runProcess;
    this.log = options.log ?? (() => undefined);
  }

  async prepare(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    try {
      await engineCall('ping', (abortSignal) => (this.docker as unknown as AbortableCalls).ping({ abortSignal }), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw infraError(
        `no Docker engine answers (${(error as Error).message})`,
        'start one with `sudo bash infra/setup/docker-engine.sh` (installs Debian docker.io when missing), then run `npx bench doctor`',
        error,
      );
    }
  }

  /** Docker and API versions, for the run's fingerprint. */
  async versions(): Promise<TargetVersions> {
    const v = await engineCall('version', (abortSignal) => (this.docker as unknown as AbortableCalls).version({ abortSignal }));
    return { docker: `${v.Version} (API ${v.ApiVersion})` };
  }

  async deploy(cell: Cell, options: DeployOptions): Promise<ServiceHandle> {
    const { settings } = cell;
    const image = await ensureServiceImage(settings, { docker: this.docker, run: this.run, signal: options.signal, log: this.log });
    const env = { ...serviceEnv(settings), ADDR: ':8080' };
    // Engine calls with a deadline and Ctrl-C honoured; a container created after an abort is still
    // labelled, so the run's final cleanup removes it.
    const container = await engineCall(
      'create container',
      () =>
        this.docker.createContainer({
          Image: image.tag,
          name: `bench-${options.runId}-${Math.random().toString(36).slice(2, 8)}`,
          Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
          Labels: { [RUN_LABEL]: options.runId, 'bench.cell': cell.id, ...ownerLabels() },
          ExposedPorts: { [SERVICE_PORT]: {} },
          HostConfig: {
            PortBindings: { [SERVICE_PORT]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
            ...(settings.cpuLimit !== null ? { NanoCpus: Math.round(settings.cpuLimit * 1e9) } : {}),
            ...(settings.memLimitMiB !== null ? { Memory: settings.memLimitMiB * MiB, MemorySwap: settings.memLimitMiB * MiB } : {}),
            ...(options.cpuset !== null ? { CpusetCpus: options.cpuset } : {}),
            AutoRemove: false,
            // The service needs no privilege and writes nothing to its filesystem.
            SecurityOpt: ['no-new-privileges'],
            CapDrop: ['ALL'],
            ReadonlyRootfs: true,
          },
        }),
      options.signal,
      SLOW_ENGINE_CALL_TIMEOUT_MS,
    );
    const ids = { containerId: container.id };
    try {
      const startedAtMs = performance.now();
      await engineCall('start container', () => container.start(), options.signal, SLOW_ENGINE_CALL_TIMEOUT_MS);
      const info = await engineCall('inspect container', () => container.inspect(), options.signal);
      const port = info.NetworkSettings.Ports[SERVICE_PORT]?.[0]?.HostPort;
      if (port === undefined) throw new Error('Docker published no port for 8080/tcp');
      const baseUrl = serviceAddress(info.NetworkSettings.IPAddress, port, process.env.BENCH_DOCKER_ADDRESS);
      const readyAtMs = await waitForReady(`${baseUrl}/ready`, options.readyTimeoutMs, options.signal).catch(async (error: Error) => {
        const logs = await this.logsTail(container.id);
        throw new Error(`${error.message}${logs === '' ? '' : `\ncontainer log:\n${logs}`}`);
      });
      return {
        target: 'docker',
        cellId: cell.id,
        baseUrl,
        ids,
        startedAtMs,
        readyAtMs,
        image: { tag: image.tag, id: image.id, bytes: image.bytes, binaryBytes: image.binaryBytes },
      };
    } catch (error) {
      await this.removeContainer(container.id);
      throw error;
    }
  }

  async image(settings: Cell['settings'], signal: AbortSignal): Promise<ServiceHandle['image']> {
    const image = await ensureServiceImage(settings, { docker: this.docker, run: this.run, signal, log: this.log });
    return { tag: image.tag, id: image.id, bytes: image.bytes, binaryBytes: image.binaryBytes };
  }

  async inspect(handle: ServiceHandle, signal: AbortSignal): Promise<{ runtime: RuntimeSnapshot; effective: EffectiveSettings }> {
    const runtime = await fetchRuntime(handle.baseUrl, signal);
    const containerId = handle.ids.containerId as string;
    const cgroup = await this.cgroupOf(containerId);
    let cgroupCpuLimit: number | null;
    let cgroupMemLimitBytes: number | null;
    if (cgroup !== null) {
      const reading = await readCgroupSample(cgroup);
      cgroupCpuLimit = reading.cpuLimit;
      cgroupMemLimitBytes = reading.memLimitBytes;
    } else {
      // Remote engine or unknown cgroup layout: fall back to what Docker was told.
      const info = await this.docker.getContainer(containerId).inspect();
      cgroupCpuLimit = info.HostConfig.NanoCpus ? info.HostConfig.NanoCpus / 1e9 : null;
      cgroupMemLimitBytes = info.HostConfig.Memory ? info.HostConfig.Memory : null;
    }
    return {
      runtime,
      effective: effectiveFromRuntime(runtime, cgroupCpuLimit, cgroupMemLimitBytes),
    };
  }

  async sample(handle: ServiceHandle, _signal?: AbortSignal): Promise<ContainerSample> {
    const containerId = handle.ids.containerId as string;
    const tMs = performance.now();
    const cgroup = await this.cgroupOf(containerId);
    if (cgroup !== null) {
      const r = await readCgroupSample(cgroup);
      return {
        tMs,
        cpuUsageNs: r.cpuUsageNs,
        nrPeriods: r.nrPeriods,
        nrThrottled: r.nrThrottled,
        throttledTimeNs: r.throttledTimeNs,
        memUsageBytes: r.memUsageBytes,
        memPeakBytes: r.memPeakBytes,
      };
    }
    const container = this.docker.getContainer(containerId) as unknown as { stats(options: object): Promise<Docker.ContainerStats> };
    const stats = await container.stats({ stream: false, 'one-shot': true });
    return {
      tMs,
      cpuUsageNs: stats.cpu_stats.cpu_usage.total_usage,
      nrPeriods: stats.cpu_stats.throttling_data?.periods ?? null,
      nrThrottled: stats.cpu_stats.throttling_data?.throttled_periods ?? null,
      throttledTimeNs: stats.cpu_stats.throttling_data?.throttled_time ?? null,
      memUsageBytes: stats.memory_stats.usage ?? 0,
      memPeakBytes: stats.memory_stats.max_usage ?? null,
    };
  }

  async stop(
    handle: ServiceHandle,
    options: { signal: AbortSignal; graceSeconds: number },
  ): Promise<{ exitCode: number | null; oomKilled: boolean; exitedAt?: string | null }> {
    const container = this.docker.getContainer(handle.ids.containerId as string);
    const before = await container.inspect();
    if (!before.State.Running) {
      // It died before anyone stopped it (OOM kill, crash): report that, not a graceful exit.
      return { exitCode: before.State.ExitCode, oomKilled: before.State.OOMKilled, exitedAt: finishedAt(before.State.FinishedAt) };
    }
    await container.kill({ signal: 'SIGTERM' }).catch(() => undefined);
    const deadline = performance.now() + options.graceSeconds * 1000;
    for (;;) {
      const info = await container.inspect();
      if (!info.State.Running) return { exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled };
      if (performance.now() > deadline) {
        await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
      }
      await sleep(10);
    }
  }

  /** Whether the container is still running, whether the kernel OOM-killed it, and when it exited. */
  async state(handle: ServiceHandle): Promise<{ running: boolean; oomKilled: boolean; exitCode: number | null; exitedAt: string | null }> {
    const info = await this.docker.getContainer(handle.ids.containerId as string).inspect();
    const running = info.State.Running;
    return {
      running,
      oomKilled: info.State.OOMKilled,
      exitCode: running ? null : info.State.ExitCode,
      exitedAt: running ? null : finishedAt(info.State.FinishedAt),
    };
  }

  async teardown(handle: ServiceHandle): Promise<void> {
    await this.removeContainer(handle.ids.containerId as string);
  }

  /** Containers of every run on this engine, grouped by run, with their owner labels. */
  async leftovers(): Promise<RunLeftovers[]> {
    const containers = await engineCall('list containers', (abortSignal) =>
      this.docker.listContainers({ all: true, filters: { label: [RUN_LABEL] }, abortSignal }),
    );
    const runs = new Map<string, RunLeftovers>();
    for (const c of containers) {
      const labels = c.Labels ?? {};
      const runId = labels[RUN_LABEL] ?? '';
      const created = Number(labels[OWNER_LABELS.createdAtMs] ?? c.Created * 1000);
      const run = runs.get(runId) ?? { runId, owner: ownerFromLabels(labels), createdAtMs: null, objects: [] };
      run.createdAtMs = Number.isFinite(created) ? Math.min(run.createdAtMs ?? created, created) : run.createdAtMs;
      run.objects.push(`container ${(c.Names?.[0] ?? c.Id).replace(/^\//, '')} (${c.State})`);
      runs.set(runId, run);
    }
    return [...runs.values()];
  }

  async cleanup(runId: string | null): Promise<number> {
    const containers = await engineCall('list containers', (abortSignal) =>
      this.docker.listContainers({ all: true, filters: { label: [runId === null ? RUN_LABEL : `${RUN_LABEL}=${runId}`] }, abortSignal }),
    );
    await Promise.all(containers.map((c) => this.removeContainer(c.Id)));
    return containers.length;
  }

  private async cgroupOf(containerId: string): Promise<CgroupPaths | null> {
    if (!this.cgroups.has(containerId)) this.cgroups.set(containerId, await findContainerCgroup(containerId));
    return this.cgroups.get(containerId) ?? null;
  }

  private async logsTail(containerId: string): Promise<string> {
    const buffer = await this.docker
      .getContainer(containerId)
      .logs({ stdout: true, stderr: true, tail: 10 })
      .catch(() => null);
    // Multiplexed stream frames carry an 8-byte header; strip non-printable bytes for a readable tail.
    return buffer === null
      ? ''
      : buffer
          .toString('utf8')
          .replace(/[^\x20-\x7e\n]/g, '')
          .trim();
  }

  private async removeContainer(id: string): Promise<void> {
    this.cgroups.delete(id);
    // No abort signal: teardown runs after Ctrl-C too; only a deadline.
    await engineCall('remove container', () => this.docker.getContainer(id).remove({ force: true, v: true }), undefined, SLOW_ENGINE_CALL_TIMEOUT_MS).catch(
      (error: { statusCode?: number }) => {
        if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
      },
    );
  }
}

/** Docker's `State.FinishedAt`, or null for its "never" value (`0001-01-01T00:00:00Z`) and garbage. */
export function finishedAt(value: string | undefined): string | null {
  if (value === undefined || value.startsWith('0001-')) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}

/**
 * Where the load goes. On Linux the container's address on Docker's bridge (reachable only from this
 * host): the published 127.0.0.1 port goes through docker-proxy, a userland copy that is pinned nowhere
 * and costs CPU on the generator's and the service's CPUs alike. `BENCH_DOCKER_ADDRESS=published` (or a
 * host where the bridge is not reachable) uses the published port.
 */
export function serviceAddress(bridgeIp: string | undefined, publishedPort: string, mode: string | undefined, platform: string = process.platform): string {
  const useBridge = mode !== 'published' && platform === 'linux' && bridgeIp !== undefined && /^\d{1,3}(\.\d{1,3}){3}$/.test(bridgeIp);
  return useBridge ? `http://${bridgeIp}:${SERVICE_PORT.split('/')[0]}` : `http://127.0.0.1:${publishedPort}`;
}

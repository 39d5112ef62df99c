/**
 * What `bench doctor` checks and cleans: the tools installed (and how to get the missing ones), and the
 * containers and namespaces of runs whose bench process is gone. The command parses its flags and calls these.
 */
import { existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { runProcess, type ProcessRunner } from '../exec/index.js';
import { findK6, k6InstallHint } from '../load/index.js';
import { detectCgroupVersion } from '../results/index.js';
import { LOCAL_KUBECONFIG_PATH } from '../cluster/index.js';
import { selectRunsToRemove, type CleanupSelection, type RunLeftovers } from '../targets/index.js';

/** Where doctor writes: the command's stdout and stderr. */
export interface DoctorOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  /** Needed for the default job (docker target): a missing essential makes doctor exit 3. */
  essential: boolean;
  detail: string;
  fix: string;
}

async function versionOf(run: ProcessRunner, command: string, args: string[]): Promise<string | null> {
  try {
    // A tool that hangs (a Docker socket that accepts but never answers) counts as absent.
    const result = await run(command, args, { signal: AbortSignal.timeout(15_000) });
    return (result.stdout.trim() || result.stderr.trim()).split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

/** `go version go1.26.8 linux/amd64` → [1, 26]. */
export function parseGoVersion(text: string): [number, number] | null {
  const match = /go(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

export async function runChecks(env: NodeJS.ProcessEnv, run: ProcessRunner = runProcess): Promise<Check[]> {
  const checks: Check[] = [];
  const go = await versionOf(run, 'go', ['version']);
  const goVersion = go === null ? null : parseGoVersion(go);
  const goOk = goVersion !== null && (goVersion[0] > 1 || goVersion[1] >= 25);
  checks.push({
    name: 'go',
    ok: goOk,
    essential: true,
    detail: go === null ? 'not found' : `${go}${goOk ? '' : ' (container-aware GOMAXPROCS needs Go 1.25 or later)'}`,
    fix: 'install Go 1.25+ (https://go.dev/dl or your package manager)',
  });
  const docker = await versionOf(run, 'docker', ['version', '--format', '{{.Server.Version}}']);
  checks.push({
    name: 'docker engine',
    ok: docker !== null && docker !== '',
    essential: true,
    detail: docker === null || docker === '' ? 'no engine answers' : `server ${docker}`,
    fix: 'sudo bash infra/setup/docker-engine.sh (installs Debian docker.io and starts dockerd)',
  });
  const cgroup = await detectCgroupVersion();
  checks.push({
    name: 'cgroup',
    ok: cgroup !== null,
    essential: false,
    detail: cgroup === null ? 'not found' : `v${cgroup}`,
    fix: 'a Linux host with cgroups',
  });
  const kind = await versionOf(run, 'kind', ['version']);
  checks.push({
    name: 'kind',
    ok: kind !== null,
    essential: false,
    detail: kind ?? 'not found (only needed for --target kind)',
    fix: 'none needed: `go tool kind` in infra/kind runs the pinned version; `sudo npx bench cluster up --provider kind` builds a node image here and runs it on podman',
  });
  const podman = await versionOf(run, 'podman', ['--version']);
  checks.push({
    name: 'podman',
    ok: podman !== null,
    essential: false,
    detail: podman ?? "not found (runs kind's nodes where Docker cannot run privileged containers)",
    fix: 'sudo npx bench cluster up --provider kind installs it (Debian podman) and builds the node image',
  });
  const { kindProviderReason } = await import('../targets/kind/index.js');
  checks.push({
    name: 'kind provider',
    ok: true,
    essential: false,
    detail: await kindProviderReason(),
    fix: 'none needed',
  });
  const kubectl = await versionOf(run, 'kubectl', ['version', '--client']);
  checks.push({
    name: 'kubectl',
    ok: kubectl !== null,
    essential: false,
    detail: kubectl ?? 'not found (optional; bench uses the Kubernetes API directly)',
    fix: 'your package manager, or https://kubernetes.io/docs/tasks/tools/',
  });
  const local = await access('/etc/kubernetes/admin.conf').then(
    () => true,
    () => false,
  );
  checks.push({
    name: 'local cluster',
    ok: local,
    essential: false,
    detail: local ? 'kubeconfig /etc/kubernetes/admin.conf' : 'not up (only needed for --target kubernetes here)',
    fix: 'sudo npx bench cluster up --provider local',
  });
  const k6 = await findK6(env);
  checks.push({
    name: 'k6',
    ok: k6 !== null,
    essential: false,
    detail: k6 === null ? 'not found on PATH or in K6_BINARY (only needed for --load k6)' : `${k6.path} (${k6.version})`,
    fix: k6InstallHint.split('\n').join('\n              '),
  });
  const wrk = await versionOf(run, 'wrk', ['--version']);
  checks.push({
    name: 'wrk',
    ok: wrk !== null,
    essential: false,
    detail: wrk === null ? 'not found (optional, for the generator benchmark)' : 'found',
    fix: 'apt-get install wrk',
  });
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks
    .map(
      (c) =>
        `${c.ok ? 'ok     ' : c.essential ? 'MISSING' : 'absent '}  ${c.name.padEnd(width)}  ${c.detail}${c.ok ? '' : `\n         ${' '.repeat(width)}  fix: ${c.fix}`}`,
    )
    .join('\n');
}

/** Where a run leaves objects: the Docker engine, and a cluster when one is configured. */
interface LeftoverSource {
  name: string;
  find(): Promise<RunLeftovers[]>;
  remove(runId: string): Promise<number>;
}

export async function leftoverSources(
  ctx: DoctorOutput & { env: NodeJS.ProcessEnv },
  kube: { context?: string | undefined; kubeconfig?: string | undefined },
): Promise<LeftoverSource[]> {
  const { DockerTarget } = await import('../targets/docker/docker-target.js');
  const docker = new DockerTarget();
  const sources: LeftoverSource[] = [{ name: 'docker', find: () => docker.leftovers(), remove: (runId) => docker.cleanup(runId) }];
  // A cluster only when one is configured: flags, the local cluster's kubeconfig, $KUBECONFIG or ~/.kube/config.
  const kubeconfig = kube.kubeconfig ?? (existsSync(LOCAL_KUBECONFIG_PATH) ? LOCAL_KUBECONFIG_PATH : undefined);
  const defaultConfig = ctx.env.KUBECONFIG ?? path.join(ctx.env.HOME ?? '', '.kube', 'config');
  if (kube.context === undefined && kubeconfig === undefined && !existsSync(defaultConfig)) return sources;
  try {
    const { createKubeClients } = await import('../targets/kubernetes/client.js');
    const { deleteRunNamespaces, findRunNamespaces } = await import('../targets/kubernetes/leftovers.js');
    const { core, context } = createKubeClients({ context: kube.context, kubeconfig });
    sources.push({ name: `kubernetes (${context})`, find: () => findRunNamespaces(core), remove: (runId) => deleteRunNamespaces(core, runId) });
  } catch (error) {
    ctx.stderr(`cleanup: kubernetes skipped: ${(error as Error).message}\n`);
  }
  return sources;
}

export async function cleanupLeftovers(ctx: DoctorOutput, sources: readonly LeftoverSource[], selection: CleanupSelection, dryRun: boolean): Promise<void> {
  for (const source of sources) {
    let runs: RunLeftovers[];
    try {
      runs = await source.find();
    } catch (error) {
      ctx.stderr(`cleanup: ${source.name}: ${(error as Error).message}\n`);
      continue;
    }
    let removed = 0;
    for (const { run, remove, reason } of selectRunsToRemove(runs, selection, Date.now())) {
      ctx.stdout(
        `cleanup: ${source.name}: ${remove ? (dryRun ? 'would remove' : 'removing') : 'keeping'} run ${run.runId}: ${reason}; ${run.objects.join(', ')}\n`,
      );
      if (remove && !dryRun) {
        removed += await source.remove(run.runId).catch((error: Error) => {
          ctx.stderr(`cleanup: ${source.name}: run ${run.runId}: ${error.message}\n`);
          return 0;
        });
      }
    }
    if (!dryRun) ctx.stdout(`cleanup: ${source.name}: removed ${removed} object(s) labelled by bench\n`);
  }
}

/**
 * kind cluster lifecycle: the config file (base config from infra/kind plus the port mapping and node
 * image of the run) and the `kind` command lines (create, load, delete), run through an injected
 * process runner. The `kind` binary is the one on PATH, or the version pinned in infra/kind/go.mod run
 * with `go tool kind`, so the same kind runs everywhere.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpYaml, loadYaml } from '@kubernetes/client-node';
import { infraError, usageError } from '../../errors.js';
import { ProcessError, type ProcessRunner } from '../../exec/index.js';
import { repoRoot } from '../../paths.js';
import { buildNodeImage, isBuiltNodeImage, withBuiltNodeSettings, type KindProvider } from './node-image.js';

/** kind version pinned by infra/kind/go.mod (`tool sigs.k8s.io/kind`). */
export const KIND_VERSION = 'v0.33.0';
export const kindToolDir = path.join(repoRoot, 'infra', 'kind');
export const kindBaseConfigPath = path.join(kindToolDir, 'cluster.yaml');

/** A host port on 127.0.0.1 forwarded to a port of the node container (a NodePort). */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
}

/** The parts of kind's `Cluster` (kind.x-k8s.io/v1alpha4) the harness reads or writes. */
export interface KindConfig {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  name?: string;
  nodes?: Array<{
    role: 'control-plane' | 'worker';
    image?: string;
    labels?: Record<string, string>;
    extraPortMappings?: Array<{ containerPort: number; hostPort: number; listenAddress?: string; protocol?: 'TCP' | 'UDP' | 'SCTP' }>;
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

/**
 * The run's cluster config: the base config with the port mappings on the first control-plane node,
 * bound to 127.0.0.1 only, and the node image on every node when one is given. Pure.
 */
export function buildKindConfig(base: KindConfig, options: { name: string; nodeImage?: string | undefined; portMappings: readonly PortMapping[] }): KindConfig {
  if (base.kind !== 'Cluster' || base.apiVersion !== 'kind.x-k8s.io/v1alpha4') {
    throw usageError(
      `kind config: kind/apiVersion must be Cluster / kind.x-k8s.io/v1alpha4 (got ${base.kind} / ${base.apiVersion})`,
      `fix ${path.relative(repoRoot, kindBaseConfigPath)}`,
    );
  }
  for (const mapping of options.portMappings) {
    for (const [field, port] of Object.entries(mapping)) {
      if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw usageError(`kind port mapping: ${field} must be a TCP port (got ${port})`);
    }
  }
  const nodes = structuredClone(base.nodes ?? [{ role: 'control-plane' as const }]);
  const controlPlane = nodes.find((n) => n.role === 'control-plane');
  if (controlPlane === undefined) throw usageError('kind config: nodes has no control-plane node', `fix ${path.relative(repoRoot, kindBaseConfigPath)}`);
  const existing = controlPlane.extraPortMappings ?? [];
  controlPlane.extraPortMappings = [
    ...existing.filter((m) => !options.portMappings.some((p) => p.hostPort === m.hostPort)),
    ...options.portMappings.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort, listenAddress: '127.0.0.1', protocol: 'TCP' as const })),
  ];
  if (options.nodeImage !== undefined) for (const node of nodes) node.image = options.nodeImage;
  return { ...base, name: options.name, nodes };
}

/** Reads the base config (YAML) from infra/kind. */
export async function readKindBaseConfig(file = kindBaseConfigPath): Promise<KindConfig> {
  const text = await readFile(file, 'utf8');
  try {
    return loadYaml<KindConfig>(text);
  } catch (error) {
    throw usageError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
}

/** How `kind` is run: a binary, or `go tool kind` in infra/kind. */
export interface KindCommand {
  command: string;
  prefix: string[];
  cwd?: string;
  /** How it was found, for the run's fingerprint. */
  source: 'PATH' | 'go tool';
}

export const kindOnPath: KindCommand = { command: 'kind', prefix: [], source: 'PATH' };
export const kindFromGoTool: KindCommand = { command: 'go', prefix: ['tool', 'kind'], cwd: kindToolDir, source: 'go tool' };

/** `kind create cluster --name N --config F [--image I] [--kubeconfig K] --wait 120s` */
export function createClusterArgs(options: { name: string; configPath: string; nodeImage?: string | undefined; kubeconfig?: string | undefined }): string[] {
  return [
    'create',
    'cluster',
    '--name',
    options.name,
    '--config',
    options.configPath,
    ...(options.nodeImage === undefined ? [] : ['--image', options.nodeImage]),
    ...(options.kubeconfig === undefined ? [] : ['--kubeconfig', options.kubeconfig]),
    '--wait',
    '120s',
  ];
}

/** `kind load docker-image TAG --name N` */
export function loadImageArgs(name: string, tag: string): string[] {
  return ['load', 'docker-image', tag, '--name', name];
}

/** `kind delete cluster --name N [--kubeconfig K]` */
export function deleteClusterArgs(name: string, kubeconfig?: string): string[] {
  return ['delete', 'cluster', '--name', name, ...(kubeconfig === undefined ? [] : ['--kubeconfig', kubeconfig])];
}

/** kubeconfig context kind writes for a cluster. */
export function kindContext(name: string): string {
  return `kind-${name}`;
}

/** Cluster names kind accepts (they become container names and a DNS label). */
export function validateClusterName(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 50) {
    throw usageError(`--cluster ${name}: must be lowercase letters, digits and dashes (at most 50)`, 'e.g. --cluster bench');
  }
  return name;
}

export interface KindClusterOptions {
  name: string;
  run: ProcessRunner;
  /** The node image; none: the image built here (infra/kind/node/build.sh), on podman. */
  nodeImage?: string | undefined;
  /** Environment of the kind commands (KIND_EXPERIMENTAL_PROVIDER is set from `defaultKindProvider`). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** kubeconfig kind writes to; default: kind's own default ($KUBECONFIG or ~/.kube/config). */
  kubeconfig?: string | undefined;
  portMappings: readonly PortMapping[];
  /** Base config file. @default infra/kind/cluster.yaml */
  baseConfigPath?: string;
  log?: (line: string) => void;
}

/** podman for the image built here (the only one that runs on these machines), else as the user says. */
export function defaultKindProvider(nodeImage: string | undefined, env: NodeJS.ProcessEnv): KindProvider {
  if (nodeImage === undefined || isBuiltNodeImage(nodeImage)) return 'podman';
  return env.KIND_EXPERIMENTAL_PROVIDER === 'podman' ? 'podman' : 'docker';
}

/** A kind cluster: finds kind, creates (or reuses), loads images, deletes. */
export class KindCluster {
  readonly name: string;
  private kind: KindCommand | null = null;
  /** `kind version`'s line, once resolved. */
  private kindVersion: string | null = null;
  readonly provider: KindProvider;
  private readonly options: KindClusterOptions;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: KindClusterOptions) {
    this.options = options;
    this.name = validateClusterName(options.name);
    const env = options.env ?? process.env;
    this.provider = defaultKindProvider(options.nodeImage, env);
    this.env = { ...env, KIND_EXPERIMENTAL_PROVIDER: this.provider };
  }

  get context(): string {
    return kindContext(this.name);
  }

  /** kind on PATH, else the pinned `go tool kind`; an infra error with the fix when neither runs. */
  async resolveKind(signal?: AbortSignal): Promise<KindCommand> {
    if (this.kind !== null) return this.kind;
    const tried: string[] = [];
    for (const candidate of [kindOnPath, kindFromGoTool]) {
      try {
        const result = await this.options.run(candidate.command, [...candidate.prefix, 'version'], {
          env: this.env,
          ...(candidate.cwd ? { cwd: candidate.cwd } : {}),
          ...(signal ? { signal } : {}),
        });
        this.options.log?.(`kind: ${result.stdout.trim()} (${candidate.source})`);
        this.kind = candidate;
        this.kindVersion = result.stdout.trim().split('\n')[0] ?? null;
        return candidate;
      } catch (error) {
        tried.push(`${candidate.source}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    throw infraError(
      `no usable kind (${tried.join('; ')})`,
      `install kind ${KIND_VERSION} on PATH, or install Go so that \`go tool kind\` in infra/kind can build the pinned version`,
    );
  }

  private async kindRun(args: string[], signal?: AbortSignal): Promise<string> {
    const kind = await this.resolveKind(signal);
    try {
      const result = await this.options.run(kind.command, [...kind.prefix, ...args], {
        env: this.env,
        ...(kind.cwd ? { cwd: kind.cwd } : {}),
        ...(signal ? { signal } : {}),
        onStderr: (chunk) => this.options.log?.(chunk.trimEnd()),
      });
      return result.stdout;
    } catch (error) {
      const detail = error instanceof ProcessError ? error.message : (error as Error).message;
      throw infraError(`kind ${args.slice(0, 2).join(' ')} failed: ${detail}`, "see kind's output above; `kind export logs` keeps the node logs", error);
    }
  }

  /**
   * Whether the cluster is there. Without the provider's command (podman, on a fresh machine, before
   * the node image build installs it) no cluster of it can exist: false, not kind's error.
   */
  async exists(signal?: AbortSignal): Promise<boolean> {
    let out: string;
    try {
      out = await this.kindRun(['get', 'clusters'], signal);
    } catch (error) {
      if (!(await this.providerRuns(signal))) return false;
      throw error;
    }
    return out.split('\n').some((line) => line.trim() === this.name);
  }

  private async providerRuns(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.options.run(this.provider, ['--version'], { env: this.env, ...(signal ? { signal } : {}) });
      return true;
    } catch {
      return false;
    }
  }

  /** Creates the cluster from the base config plus the run's port mappings and node image. */
  async create(signal?: AbortSignal): Promise<void> {
    const base = await readKindBaseConfig(this.options.baseConfigPath);
    const nodeImage =
      this.options.nodeImage ??
      (await buildNodeImage(this.options.run, { ...(signal ? { signal } : {}), ...(this.options.log ? { log: this.options.log } : {}) }));
    const config = buildKindConfig(base, { name: this.name, nodeImage, portMappings: this.options.portMappings });
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-kind-'));
    const configPath = path.join(dir, 'cluster.yaml');
    try {
      await writeFile(configPath, dumpYaml(isBuiltNodeImage(nodeImage) ? withBuiltNodeSettings(config) : config));
      this.options.log?.(`creating kind cluster ${this.name} (${this.provider}, ${nodeImage})`);
      await this.kindRun(createClusterArgs({ name: this.name, configPath, nodeImage, kubeconfig: this.options.kubeconfig }), signal);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async loadImage(tag: string, signal?: AbortSignal): Promise<void> {
    await this.kindRun(loadImageArgs(this.name, tag), signal);
  }

  /** kind's version and the node's image (`name@sha256:id`, read from the node container), for the run's fingerprint. */
  async versions(signal?: AbortSignal): Promise<{ kind?: string; kindNodeImage?: string }> {
    await this.resolveKind(signal);
    const format = this.provider === 'podman' ? '{{.ImageName}}@{{.Image}}' : '{{.Config.Image}}@{{.Image}}';
    const node = `${this.name}-control-plane`;
    const image = await this.options
      .run(this.provider, ['inspect', '--type', 'container', node, '--format', format], { env: this.env, ...(signal ? { signal } : {}) })
      .then(
        (result) => nodeImageOf(result.stdout),
        () => null,
      );
    return { ...(this.kindVersion !== null ? { kind: this.kindVersion } : {}), ...(image !== null ? { kindNodeImage: image } : {}) };
  }

  async delete(): Promise<void> {
    this.options.log?.(`deleting kind cluster ${this.name}`);
    await this.kindRun(deleteClusterArgs(this.name, this.options.kubeconfig));
  }
}

/** `name@id` as podman or docker inspect print it, with the id as `sha256:…`; null when it is not that. Exported for tests. */
export function nodeImageOf(inspectOutput: string): string | null {
  const line = inspectOutput.trim().split('\n')[0] ?? '';
  const at = line.lastIndexOf('@');
  if (at <= 0) return null;
  const name = line.slice(0, at);
  const id = line.slice(at + 1).replace(/^sha256:/, '');
  return /^[0-9a-f]{64}$/.test(id) ? `${name}@sha256:${id}` : null;
}

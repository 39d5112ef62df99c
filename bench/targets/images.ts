/**
 * Images of the reference service: the binary is built on the host by infra/refsvc/build.sh (Go's own
 * toolchain, static, per GC variant and toolchain), then wrapped `FROM scratch` through the Docker
 * Engine API. Nothing is ever pulled. Images are tagged by variant and the binary's content hash, so an
 * unchanged binary reuses its image.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { CellSettings } from '../../scenarios/index.js';
import { infraError } from '../errors.js';
import { ProcessError, type ProcessRunner } from '../exec/index.js';
import { refsvcDir } from '../paths.js';

/** One line of `build.sh --json`. */
export interface BuiltBinary {
  toolchain: string;
  gc: string;
  stripped: boolean;
  path: string;
  binaryBytes: number;
  sha256: string;
  goVersion: string;
}

export interface ServiceImage {
  tag: string;
  id: string;
  bytes: number;
  binaryBytes: number;
  goVersion: string;
}

export interface ImageDeps {
  docker: Docker;
  run: ProcessRunner;
  signal?: AbortSignal;
  /** Progress lines (build steps). */
  log?: (line: string) => void;
}

export type ImageSettings = Pick<CellSettings, 'gc' | 'toolchain' | 'stripped'>;

export function imageKey(settings: ImageSettings): string {
  return `${settings.toolchain}-${settings.gc}-${settings.stripped ? 's' : 'u'}`;
}

/** Parses build.sh's JSON lines; throws naming the line when the script printed something else. */
export function parseBuildOutput(stdout: string): BuiltBinary[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => {
      const value = JSON.parse(line) as Partial<BuiltBinary>;
      if (typeof value.path !== 'string' || typeof value.sha256 !== 'string' || typeof value.binaryBytes !== 'number') {
        throw new Error(`infra/refsvc/build.sh printed an unexpected line: ${line}`);
      }
      return value as BuiltBinary;
    });
}

export async function buildBinary(settings: ImageSettings, deps: ImageDeps): Promise<BuiltBinary> {
  const args = ['build.sh', '--gc', settings.gc, '--toolchain', settings.toolchain, settings.stripped ? '--strip' : '--no-strip', '--json'];
  let stdout: string;
  try {
    const options = { cwd: refsvcDir, ...(deps.signal ? { signal: deps.signal } : {}) };
    ({ stdout } = await deps.run('bash', args, options));
  } catch (error) {
    const detail = error instanceof ProcessError ? error.message : String(error);
    throw infraError(
      `building the reference service (${imageKey(settings)}) failed: ${detail}`,
      'check `go version` (Go 1.25+ needed) and run `bash infra/refsvc/build.sh` by hand',
      error,
    );
  }
  const built = parseBuildOutput(stdout)[0];
  if (built === undefined) throw infraError(`infra/refsvc/build.sh ${args.slice(1).join(' ')} printed no JSON line`);
  return built;
}

const builds = new Map<string, Promise<ServiceImage>>();

/** Builds (or reuses) the image of the reference service for these settings. */
export function ensureServiceImage(settings: ImageSettings, deps: ImageDeps): Promise<ServiceImage> {
  const key = imageKey(settings);
  let pending = builds.get(key);
  if (pending === undefined) {
    pending = buildImage(settings, deps);
    builds.set(key, pending);
    pending.catch(() => builds.delete(key));
  }
  return pending;
}

async function buildImage(settings: ImageSettings, deps: ImageDeps): Promise<ServiceImage> {
  const binary = await buildBinary(settings, deps);
  const tag = `refsvc:${imageKey(settings)}-${binary.sha256.slice(0, 12)}`;
  const existing = await deps.docker
    .getImage(tag)
    .inspect()
    .catch(() => null);
  if (existing !== null) {
    return { tag, id: existing.Id, bytes: existing.Size, binaryBytes: binary.binaryBytes, goVersion: binary.goVersion };
  }
  deps.log?.(`building image ${tag} (FROM scratch)`);
  const context = await mkdtemp(path.join(tmpdir(), 'bench-image-'));
  try {
    await copyFile(path.join(refsvcDir, 'Dockerfile.scratch'), path.join(context, 'Dockerfile'));
    await copyFile(binary.path, path.join(context, 'refsvc'));
    const stream = await deps.docker.buildImage({ context, src: ['Dockerfile', 'refsvc'] }, {
      t: tag,
      labels: { 'bench.image': 'refsvc', 'bench.variant': imageKey(settings) },
      pull: false,
    } as Docker.ImageBuildOptions);
    await new Promise<void>((resolve, reject) => {
      deps.docker.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
        const failed = output?.find((o) => o.error !== undefined);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.error));
        else resolve();
      });
    });
  } catch (error) {
    throw infraError(`docker build of ${tag} failed: ${(error as Error).message}`, 'is the Docker engine running? `bash infra/setup/docker-engine.sh`', error);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  const info = await deps.docker.getImage(tag).inspect();
  return { tag, id: info.Id, bytes: info.Size, binaryBytes: binary.binaryBytes, goVersion: binary.goVersion };
}

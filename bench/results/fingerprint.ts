/** The environment fingerprint of a run: what explains a result and what must match to compare two runs. */
import { access } from 'node:fs/promises';
import os from 'node:os';
import type { ProcessRunner } from '../exec/index.js';
import { repoRoot } from '../paths.js';
import type { Fingerprint } from './schema.js';

export async function detectCgroupVersion(root = '/sys/fs/cgroup'): Promise<1 | 2 | null> {
  const has = (p: string) => access(p).then(() => true, () => false);
  if (await has(`${root}/cgroup.controllers`)) return 2;
  if (await has(`${root}/cpu`)) return 1;
  return null;
}

async function firstLine(run: ProcessRunner, command: string, args: string[], cwd?: string): Promise<string | null> {
  try {
    const result = await run(command, args, cwd === undefined ? {} : { cwd });
    return result.stdout.trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

export interface FingerprintInputs {
  run: ProcessRunner;
  dockerVersion?: string | null;
  kubernetesVersion?: string | null;
  kindVersion?: string | null;
  kindNodeImage?: string | null;
  k6Version?: string | null;
}

export async function collectFingerprint(inputs: FingerprintInputs): Promise<Fingerprint> {
  const cpus = os.cpus();
  return {
    hostCpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    kernel: os.release(),
    cgroupVersion: await detectCgroupVersion(),
    os: `${os.platform()} ${os.arch()}`,
    nodeVersion: process.version,
    goVersion: await firstLine(inputs.run, 'go', ['version']),
    dockerVersion: inputs.dockerVersion ?? null,
    kubernetesVersion: inputs.kubernetesVersion ?? null,
    kindVersion: inputs.kindVersion ?? null,
    ...(inputs.kindNodeImage ? { kindNodeImage: inputs.kindNodeImage } : {}),
    k6Version: inputs.k6Version ?? null,
    gitSha: await firstLine(inputs.run, 'git', ['rev-parse', 'HEAD'], repoRoot),
    images: {},
  };
}

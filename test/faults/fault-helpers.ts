/** Helpers of the fault-injection suite: the real CLI, a tiny scenario, and what a process left on the engine. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { repoRoot } from '../helpers/docker.js';

export { dockerAvailable } from '../helpers/docker.js';

export interface Bench {
  pid: number;
  /** Exit code, or the signal that ended the process. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

/** Spawns the built CLI (`node bin/bench.mjs …`) as a user would. */
export function startBench(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Bench {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/bench.mjs'), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { pid: child.pid ?? -1, exit, stdout: () => out, stderr: () => err, kill: (signal) => child.kill(signal) };
}

export async function tempDir(prefix = 'bench-faults-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** A one-cell closed-model scenario file: the smallest run that deploys, loads, tears down and records. */
export async function tinyScenario(dir: string, repeats: number, durationMs: number): Promise<string> {
  const file = path.join(dir, `tiny-${repeats}x${durationMs}.json`);
  await writeFile(file, JSON.stringify({
    name: 'tiny', description: 'fault-injection smoke: one cell, a short closed-model load', claims: ['gogc-100'],
    kind: 'load', targets: ['docker'], repeats, matrix: {}, load: { model: 'closed', connections: 2, warmupMs: 0, durationMs },
  }));
  return file;
}

const docker = new Docker();

/** Containers (any state) created by the bench process `pid` (its owner label). */
export async function containersOfOwner(pid: number): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`bench.owner-pid=${pid}`] } });
}

/** Waits until `pid` has a running container; returns it. */
export async function runningContainerOf(pid: number, timeoutMs: number): Promise<Docker.ContainerInfo> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const running = (await containersOfOwner(pid)).find((c) => c.State === 'running');
    if (running !== undefined) return running;
    await sleep(200);
  }
  throw new Error(`no running container of pid ${pid} within ${timeoutMs} ms`);
}

export async function inspectContainer(id: string): Promise<Docker.ContainerInspectInfo> {
  return docker.getContainer(id).inspect();
}

export async function killContainer(id: string): Promise<void> {
  await docker.getContainer(id).kill();
}

/** Files left by an atomic write that did not finish. */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.tmp'));
}

/** Seeded moments (ms) in [lowMs, highMs): the same faults on every run of the suite. */
export function seededMoments(seed: number, count: number, lowMs: number, highMs: number): number[] {
  let state = seed >>> 0;
  const moments: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    moments.push(Math.round(lowMs + (state / 2 ** 32) * (highMs - lowMs)));
  }
  return moments;
}

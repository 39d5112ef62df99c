/** Helpers of the fault-injection suite: the real CLI, a tiny scenario, and what a process left on the engine. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
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
  await writeFile(
    file,
    JSON.stringify({
      name: 'tiny',
      description: 'fault-injection smoke: one cell, a short closed-model load',
      claims: ['gogc-100'],
      kind: 'load',
      targets: ['docker'],
      repeats,
      matrix: {},
      load: { model: 'closed', connections: 2, warmupMs: 0, durationMs },
    }),
  );
  return file;
}

/** The one-cell scenario with an open-model load: its arrivals come from the generator's child process. */
export async function tinyOpenScenario(dir: string, repeats: number, durationMs: number): Promise<string> {
  const file = path.join(dir, `tiny-open-${repeats}x${durationMs}.json`);
  await writeFile(
    file,
    JSON.stringify({
      name: 'tiny-open',
      description: 'fault-injection smoke: one cell, a short open-model load',
      claims: ['gogc-100'],
      kind: 'load',
      targets: ['docker'],
      repeats,
      matrix: {},
      load: { model: 'open', ratePerSec: 50, connections: 4, warmupMs: 0, durationMs },
    }),
  );
  return file;
}

/** Child processes of `pid` (Linux: /proc), e.g. the open-model generator of a bench process. */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}

/** Whether a process still exists (a zombie counts as gone). */
export async function processAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** Waits until none of `pids` is alive; returns those still alive after `timeoutMs`. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive: number[] = [];
    for (const pid of pids) if (await processAlive(pid)) alive.push(pid);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await sleep(100);
  }
}

/** Waits until the record in `out` holds at least `count` repeats. */
export async function waitForRepeats(out: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(path.join(out, 'results.json'), 'utf8').catch(() => null);
    if (text !== null) {
      try {
        if (((JSON.parse(text) as { repeats?: unknown[] }).repeats?.length ?? 0) >= count) return;
      } catch {
        // written atomically, so only a foreign file is unparseable: keep waiting
      }
    }
    await sleep(200);
  }
  throw new Error(`the record in ${out} did not reach ${count} repeat(s) within ${timeoutMs} ms`);
}

/**
 * Stops the Docker engine (SIGTERM to dockerd: it stops its containers, as a restart does) and starts it
 * again with the project's set-up script. Needs root and a dockerd that this machine started by hand
 * (no systemd here).
 */
export async function restartDockerd(): Promise<void> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  let dockerd: number | null = null;
  for (const pid of pids) {
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (comm === 'dockerd') dockerd = Number(pid);
  }
  if (dockerd === null) throw new Error('no dockerd process to restart');
  process.kill(dockerd, 'SIGTERM');
  const left = await waitGone([dockerd], 60_000);
  if (left.length > 0) throw new Error(`dockerd ${dockerd} did not stop within 60 s`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'infra/setup/docker-engine.sh')], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker-engine.sh exited with ${code}`))));
  });
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

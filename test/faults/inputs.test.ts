/**
 * Faults that need no engine: hostile or careless inputs through the real CLI (each exit 2, no file
 * written outside its folder), a closed stdout, and a Docker socket that accepts but never answers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/docker.js';
import { startBench, tempDir, tinyScenario } from './fault-helpers.js';

const fixture = readFileSync(path.join(repoRoot, 'test/fixtures/record-docker-smoke.json'), 'utf8');

/** A copy of the fixture record, edited, as an interrupted run in `root/name`. */
async function record(root: string, name: string, edit: (r: Record<string, any>) => void): Promise<string> {
  const r = JSON.parse(fixture) as Record<string, any>;
  r.status = 'interrupted';
  r.argv = ['bench', 'run', '--scenario', 'gomaxprocs'];
  edit(r);
  const dir = path.join(root, name);
  await mkdir(dir);
  await writeFile(path.join(dir, 'results.json'), JSON.stringify(r));
  return dir;
}

describe('bad inputs: exit 2, and no file outside the folder', () => {
  let outer: string;
  let root: string;
  const cases: Array<[string, string[], string]> = [];

  beforeAll(async () => {
    // `outer/work` is the working folder; anything appearing in `outer` besides it escaped.
    outer = await tempDir();
    root = path.join(outer, 'work');
    await mkdir(root);
    const huge = path.join(root, 'huge.json');
    await writeFile(
      huge,
      JSON.stringify({
        name: 'huge',
        description: 'x',
        claims: ['gogc-100'],
        kind: 'load',
        targets: ['docker'],
        repeats: 1e8,
        matrix: {},
        load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1000 },
      }),
    );
    await writeFile(
      path.join(root, 'evil.mjs'),
      `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(path.join(outer, 'imported'))}, 'x'); export default {};`,
    );
    const evil = await record(root, 'evil', (r) => (r.plan.scenarios[0].name = path.join(root, 'evil.mjs')));
    const escape = await record(root, 'escape', (r) => r.plan.cells.forEach((c: { scenario: string }) => (c.scenario = '../../x')));
    const profile = await record(root, 'profile', (r) => ((r.status = 'completed'), (r.profile = 'x/../../../y')));
    const existing = await record(root, 'existing', () => undefined);
    cases.push(
      ['--repeats 1e23', ['run', '--scenario', 'gomaxprocs', '--repeats', '99999999999999999999999', '--dry-run'], '--repeats must be at most 1000'],
      ['repeats: 1e8 in a scenario file', ['run', '--scenario', huge, '--dry-run'], 'scenario huge: repeats must be at most 1000'],
      ['--duration 0.0001ms', ['run', '--scenario', 'gomaxprocs', '--duration', '0.0001ms'], '--duration must be at least 1ms'],
      ['--duration 99999999999m', ['run', '--scenario', 'gomaxprocs', '--duration', '99999999999m'], '--duration must be at most 60m'],
      ['a record naming a module', ['run', '--resume', evil], 'plan.scenarios.0.name must be a kebab-case name'],
      ['a record whose charts would escape', ['report', escape], 'plan.cells.0.scenario must be a kebab-case name'],
      [
        'a baseline whose profile is a path',
        ['baseline', 'save', escape.replace('escape', 'profile'), '--dir', path.join(root, 'baselines')],
        'profile must be a kebab-case name',
      ],
      ['an --out that holds a run', ['run', '--scenario', 'gomaxprocs', '--out', existing], 'already holds a run'],
      ['--resume with a different plan', ['run', '--resume', existing, '--repeats', '1', '--duration', '1s'], 'conflicts with the resumed run'],
      ['--resume with another target', ['run', '--resume', existing, '--target', 'kind'], '--target "kind" conflicts'],
      ['doctor --run-id with a path', ['doctor', '--cleanup', '--run-id', '../x'], '--run-id must be a run id'],
    );
    void profile;
  });

  it('each is refused with exit 2 naming the problem', async () => {
    const before = await readdir(root, { recursive: true });
    for (const [what, args, message] of cases) {
      const bench = startBench(args, { cwd: root });
      const { code } = await bench.exit;
      expect(code, `${what}: ${bench.stderr()}`).toBe(2);
      expect(bench.stderr(), what).toContain(message);
      expect(bench.stderr(), `${what}: no stack`).not.toContain('    at ');
    }
    expect(await readdir(outer), 'nothing escaped the working folder, no module imported').toEqual(['work']);
    expect((await readdir(root, { recursive: true })).sort(), 'nothing created inside it either').toEqual(before.sort());
  });
});

describe('a closed stdout', () => {
  it('`bench report … --format json -o - | true` ends quietly, exit 0', async () => {
    const script = `node bin/bench.mjs report test/fixtures/record-docker-smoke.json --format json -o - | true; exit \${PIPESTATUS[0]}`;
    const child = spawn('bash', ['-c', script], { cwd: repoRoot });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});

describe('a Docker socket that accepts but never answers', () => {
  let server: net.Server;
  let socket: string;
  let dir: string;
  const held: net.Socket[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    socket = path.join(dir, 'docker.sock');
    server = net.createServer((s) => held.push(s));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('bench run gives up with exit 3 after the engine-call deadline', async () => {
    const started = Date.now();
    const bench = startBench(['run', '--scenario', await tinyScenario(dir, 1, 1000), '--out', path.join(dir, 'run1')], {
      env: { DOCKER_HOST: `unix://${socket}` },
    });
    const { code } = await bench.exit;
    expect(code, bench.stderr()).toBe(3);
    expect(bench.stderr()).toContain('did not answer ping');
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(existsSync(path.join(dir, 'run1')), 'no run folder for a run that never started').toBe(false);
  });

  it('the first Ctrl-C ends it at once (exit 130, no stack)', async () => {
    const bench = startBench(['run', '--scenario', await tinyScenario(dir, 1, 1000), '--out', path.join(dir, 'run2')], {
      env: { DOCKER_HOST: `unix://${socket}` },
    });
    // Past start-up and planning: waiting on the engine.
    for (let i = 0; i < 100 && !bench.stdout().includes('Plan:'); i++) await sleep(100);
    await sleep(1000);
    const interrupted = Date.now();
    bench.kill('SIGINT');
    const { code } = await bench.exit;
    expect(code, bench.stderr()).toBe(130);
    expect(Date.now() - interrupted).toBeLessThan(5000);
    expect(bench.stderr()).not.toContain('unexpected error');
  });
});

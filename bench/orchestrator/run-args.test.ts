import { describe, expect, it } from 'vitest';
import { parseRunArgs, runRequestOf } from './run-args.js';

const ctx = (argv: string[], env: NodeJS.ProcessEnv = {}) => ({ cwd: '/nowhere', env, argv });
const requestOf = async (argv: string[], env: NodeJS.ProcessEnv = {}) => runRequestOf(parseRunArgs(argv), ctx(argv, env));

describe("bench run's arguments as a run request (the CLI's and the nightly job's one reading)", () => {
  it('reads every value, and records the command line for --resume', async () => {
    const argv = ['--matrix', '--profile', 'smoke', '--target', 'kind', '--repeats', '3', '--duration', '2s', '--seed', '7', '--max-time', '0'];
    const request = await requestOf(argv);
    expect(request).toMatchObject({
      matrix: true,
      target: 'kind',
      profile: 'smoke',
      overrides: { repeats: 3, durationMs: 2000, warmupMs: undefined },
      seed: 7,
      load: 'native',
      hostCheck: 'invalid',
      maxTimeMs: 0,
      resumed: null,
      argv: ['bench', 'run', ...argv],
    });
  });

  it('defaults: docker, the default profile, the host check from BENCH_HOST_CHECK', async () => {
    const request = await requestOf(['--scenario', 'gogc'], { BENCH_HOST_CHECK: 'note' });
    expect(request).toMatchObject({ matrix: false, scenarioRefs: ['gogc'], target: 'docker', profile: 'default', hostCheck: 'note', maxTimeMs: undefined });
  });

  it.each([
    [['--bogus'], /bench run: Unknown option '--bogus'/],
    [['--matrix', '--repeats', '0'], /--repeats/],
    [['--matrix', '--target', 'mars'], /--target/],
    [['--matrix', '--host-check', 'maybe'], /--host-check/],
  ])('%j: a usage error naming the flag', async (argv, message) => {
    const error = await requestOf(argv).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toMatch(message);
  });
});

/**
 * `bench selftest`: measures the harness's own false-positive rate and power on this machine (see
 * bench/orchestrator/selftest.ts), or with `--agreement RUN_A RUN_B` the verdict agreement of two runs.
 * A benchmark that prints figures, not a test: the smoke profile takes about 10 minutes on 2 CPUs, the
 * default about 45. Every repeat is recorded as it ends (`results.json` in the output folder).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { renderAgreement } from '../../../reporters/index.js';
import { verdictAgreement } from '../../claims/index.js';
import { ExitCode, usageError } from '../../errors.js';
import { selftestPaths, selftestProfileNames, runSelftest } from '../../orchestrator/index.js';
import { createRunId, type RunRecord, readRunRecord } from '../../results/index.js';
import { parseChoice, parseSeed, type Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command, CommandContext } from '../types.js';

const spec = {
  name: 'selftest',
  usage: 'selftest [--profile smoke|default] [--out DIR] [--seed N]\n       bench selftest --agreement RUN_A RUN_B',
  description:
    "Measures this harness's error rates on this machine, on Docker:\n" +
    '- A/A comparisons (the same cell under two labels), sequential and duet: false-positive rate per metric;\n' +
    `- an injected +${selftestPaths.injectedWorkPct}% of SHA-256 work per request, about +25% of its CPU cost (${selftestPaths.base} → ${selftestPaths.injected}):\n` +
    '  power, and whether the CI of the measured change contains the expected change.\n' +
    'Prints a table and writes selftest.json and results.json to --out (default results/selftest-<id>).',
  positionals: true,
  flags: {
    profile: { type: 'string', arg: 'NAME', help: 'smoke (about 10 min on 2 CPUs) | default (about 45 min)' },
    out: { type: 'string', arg: 'DIR', help: 'where the results go' },
    seed: { type: 'string', arg: 'N', help: 'seed of the interleaved order (default: random, recorded)' },
    agreement: { type: 'boolean', help: 'two run folders of `bench run --matrix`: verdict per claim, and whether they agree' },
  },
} as const satisfies CommandSpec<Flags>;

async function agreementCommand(ctx: CommandContext, dirs: string[]): Promise<ExitCode> {
  if (dirs.length !== 2)
    throw usageError(`--agreement needs two run folders (got ${dirs.length})`, 'e.g. bench selftest --agreement results/run-a results/run-b');
  const [a, b] = (await Promise.all(dirs.map((d) => readRunRecord(path.resolve(ctx.cwd, d))))) as [RunRecord, RunRecord];
  ctx.stdout(`${renderAgreement(a.runId, b.runId, verdictAgreement(a, b))}\n`);
  return ExitCode.ok;
}

export const selftestCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values, positionals } = parsed;
  if (values.agreement) return agreementCommand(ctx, positionals);
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'see bench selftest --help');
  const profileName = parseChoice('profile', values.profile ?? 'smoke', selftestProfileNames);
  const seed = values.seed === undefined ? randomBytes(4).readUInt32BE() : parseSeed(values.seed);
  const runId = createRunId('selftest');
  const dir = path.resolve(ctx.cwd, values.out ?? path.join('results', runId));

  const status = await runSelftest({
    profileName,
    seed,
    runId,
    dir,
    argv: ['bench', 'selftest', ...ctx.argv],
    signal: ctx.signal,
    env: ctx.env,
    isTTY: ctx.isTTY,
    stdout: ctx.stdout,
  });
  return status === 'completed' ? ExitCode.ok : ExitCode.interrupted;
};

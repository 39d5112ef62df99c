/** `bench run`: plan, run and record scenarios on a target (its flags: bench/orchestrator/run-args.ts). */
import { ExitCode } from '../../errors.js';
import { performRun, runFlags, runRequestOf } from '../../orchestrator/index.js';
import type { Command } from '../types.js';
import { parseCommand } from '../help.js';

const spec = { name: 'run', usage: 'run (--matrix | --scenario NAME|FILE ...) [options]', flags: runFlags, positionals: false };

export const runCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  return performRun(await runRequestOf(parsed.values, ctx), ctx);
};

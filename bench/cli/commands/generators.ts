/** `bench generators` (`npm run bench:generators`): the load path's own throughput and dispatch lag, printed. */
import { ExitCode } from '../../errors.js';
import { runGeneratorBenchmark } from '../../orchestrator/index.js';
import { parsePositiveInt, type Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

const spec = {
  name: 'generators',
  usage: 'generators [--connections N] [--seconds N]',
  description:
    'Closed model: the built-in driver and autocannon against wrk (-t1, -t2) on the trivial and the 10 ms\n' +
    'sleep endpoint; open model: dispatch lag at 30, 100, 300 and 1000 req/s. Needs Docker; wrk optional.',
  positionals: false,
  flags: {
    connections: { type: 'string', arg: 'N', help: 'connections of the closed model (default 50, env CONNECTIONS)' },
    seconds: { type: 'string', arg: 'N', help: 'measured seconds per run (default 10, env SECONDS)' },
  },
} as const satisfies CommandSpec<Flags>;

export const generatorsCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values } = parsed;
  const connections = parsePositiveInt('connections', values.connections ?? ctx.env.CONNECTIONS ?? '50');
  const seconds = parsePositiveInt('seconds', values.seconds ?? ctx.env.SECONDS ?? '10');
  await runGeneratorBenchmark({ connections, seconds, signal: ctx.signal, print: (line) => ctx.stdout(`${line}\n`) });
  return ExitCode.ok;
};

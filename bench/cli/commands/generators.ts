/** `bench generators` (`npm run bench:generators`): the load path's own throughput and dispatch lag, printed. */
import { ExitCode } from '../../errors.js';
import { runGeneratorBenchmark } from '../../orchestrator/generator-benchmark.js';
import { parseCommandArgs, parsePositiveInt } from '../args.js';
import type { Command } from '../types.js';

const help = `Usage: bench generators [--connections N] [--seconds N]
  Closed model: the built-in driver and autocannon against wrk (-t1, -t2) on the trivial and the 10 ms
  sleep endpoint; open model: dispatch lag at 30, 100, 300 and 1000 req/s. Needs Docker; wrk optional.
  --connections N   connections of the closed model (default 50, env CONNECTIONS)
  --seconds N       measured seconds per run (default 10, env SECONDS)
`;

export const generatorsCommand: Command = async (ctx) => {
  const { values } = parseCommandArgs(
    'generators',
    ctx.argv,
    { connections: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    false,
  );
  if (values.help) {
    ctx.stdout(help);
    return ExitCode.ok;
  }
  const connections = parsePositiveInt('connections', values.connections ?? ctx.env.CONNECTIONS ?? '50');
  const seconds = parsePositiveInt('seconds', values.seconds ?? ctx.env.SECONDS ?? '10');
  await runGeneratorBenchmark({ connections, seconds, signal: ctx.signal, print: (line) => ctx.stdout(`${line}\n`) });
  return ExitCode.ok;
};

/**
 * `bench gcbench`: the standard GC-bound benchmark under both GC builds (bench/gcbench), written as JSON
 * and printed as a markdown table.
 */
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { defaultGcBenchmarks, defaultGcBenchOptions, runGcBenchToFile } from '../../gcbench/index.js';
import { renderGcBench } from '../../../reporters/index.js';
import { parsePositiveInt, type Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';
import { timeStamp } from '../../results/index.js';

const spec = {
  name: 'gcbench',
  usage: 'gcbench [options]',
  description:
    "Runs github.com/google/btree's own benchmarks (pinned in infra/gcbench/go.mod) under Go's default GC\n" +
    "and GOEXPERIMENT=nogreenteagc, rounds interleaved, and compares ns/op with the project's statistics.",
  positionals: false,
  flags: {
    rounds: { type: 'string', arg: 'N', help: `rounds, each runs both builds once (default ${defaultGcBenchOptions.rounds})` },
    benchtime: { type: 'string', arg: 'D', help: `go test -benchtime of each run, e.g. 1s or 5000x (default ${defaultGcBenchOptions.benchtime})` },
    bench: { type: 'string', multiple: true, arg: 'NAME', help: `a benchmark of the package (repeatable; default ${defaultGcBenchmarks.join(', ')})` },
    seed: { type: 'string', arg: 'N', help: 'seed of the bootstrap (default 1)' },
    out: {
      type: 'string',
      arg: 'FILE',
      help: 'where the JSON goes (default results/gcbench-<time>.json); as results/<run>/gcbench.json it belongs to that run, and its report (bench report, or the end of bench run --resume) shows it beside Green Tea',
    },
  },
} as const satisfies CommandSpec<Flags>;

export const gcbenchCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values } = parsed;
  const rounds = values.rounds === undefined ? defaultGcBenchOptions.rounds : parsePositiveInt('--rounds', values.rounds, 100);
  const benchtime = values.benchtime ?? defaultGcBenchOptions.benchtime;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h)|\d+x)$/.test(benchtime)) {
    throw usageError(`bench gcbench: --benchtime must be a duration such as 1s or 500ms, or a count such as 5000x (got ${JSON.stringify(benchtime)})`);
  }
  const seed = values.seed === undefined ? 1 : parsePositiveInt('--seed', values.seed);
  const out = path.resolve(ctx.cwd, values.out ?? path.join('results', `gcbench-${timeStamp(new Date())}.json`));
  const result = await runGcBenchToFile(
    {
      rounds,
      benchtime,
      benchmarks: values.bench ?? [...defaultGcBenchmarks],
      seed,
      signal: ctx.signal,
      run: runProcess,
      log: (line) => ctx.stderr(`gcbench: ${line}\n`),
    },
    out,
  );
  ctx.stdout(`${renderGcBench(result)}\nwritten to ${path.relative(ctx.cwd, out) || out}\n`);
  return ExitCode.ok;
};

/**
 * `bench gcbench`: the standard GC-bound benchmark under both GC builds (bench/gcbench), written as JSON
 * and printed as a markdown table.
 */
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { defaultGcBenchmarks, defaultGcBenchOptions, runGcBenchToFile } from '../../gcbench/index.js';
import { renderGcBench } from '../../../reporters/gcbench.js';
import { parseCommandArgs, parsePositiveInt } from '../args.js';
import type { Command } from '../types.js';

const help = `Usage: bench gcbench [options]

Runs github.com/google/btree's own benchmarks (pinned in infra/gcbench/go.mod) under Go's default GC
and GOEXPERIMENT=nogreenteagc, rounds interleaved, and compares ns/op with the project's statistics.

  --rounds N        rounds, each runs both builds once (default ${defaultGcBenchOptions.rounds})
  --benchtime D     go test -benchtime of each run, e.g. 1s or 5000x (default ${defaultGcBenchOptions.benchtime})
  --bench NAME      a benchmark of the package (repeatable; default ${defaultGcBenchmarks.join(', ')})
  --seed N          seed of the bootstrap (default 1)
  --out FILE        where the JSON goes (default results/gcbench-<time>.json); as
                    results/<run>/gcbench.json it belongs to that run, and its report
                    (bench report, or the end of bench run --resume) shows it beside Green Tea
`;

const options = {
  rounds: { type: 'string' },
  benchtime: { type: 'string' },
  bench: { type: 'string', multiple: true },
  seed: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const gcbenchCommand: Command = async (ctx) => {
  const { values } = parseCommandArgs('gcbench', ctx.argv, options, false);
  if (values.help) {
    ctx.stdout(help);
    return ExitCode.ok;
  }
  const rounds = values.rounds === undefined ? defaultGcBenchOptions.rounds : parsePositiveInt('--rounds', values.rounds, 100);
  const benchtime = values.benchtime ?? defaultGcBenchOptions.benchtime;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h)|\d+x)$/.test(benchtime)) {
    throw usageError(`bench gcbench: --benchtime must be a duration such as 1s or 500ms, or a count such as 5000x (got ${JSON.stringify(benchtime)})`);
  }
  const seed = values.seed === undefined ? 1 : parsePositiveInt('--seed', values.seed);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const out = path.resolve(ctx.cwd, values.out ?? path.join('results', `gcbench-${stamp}.json`));
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

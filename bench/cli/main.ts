/**
 * The `bench` CLI shell: picks the command, loads it lazily, gives it the outside world, and runs it
 * inside the error boundary (error-boundary.ts).
 */
import { ExitCode } from '../errors.js';
import { withErrorBoundary } from './error-boundary.js';
import type { Command, CommandContext } from './types.js';

/**
 * Commands by name with their one-line summary. Each lives in `commands/<name>.ts` as `<name>Command`,
 * loaded on first use so `bench list` does not load Docker or Kubernetes clients.
 */
export const commands = {
  run: 'run scenarios (bench run --matrix)',
  list: 'list scenarios, claims and matrix sizes',
  doctor: 'check what is installed; --cleanup removes leftovers',
  report: 'markdown/JSON report of a stored run',
  compare: 'regression table: baseline vs current run (exit 1 on regression)',
  baseline: 'save a run as the baseline for its environment and profile',
  cluster: 'local Kubernetes cluster: up | down | load-image | status',
  nightly: 'the nightly regression job: run, compare with the baseline, history (npm run nightly)',
  selftest: 'measure this harness’s false-positive rate and power here; --agreement of two runs',
  gcbench: 'a standard GC-bound Go benchmark under the default GC vs nogreenteagc (JSON + table)',
  generators: 'benchmark of the load generators themselves (npm run bench:generators)',
  history: 'trend of metrics per cell over the nightly runs, with change points; append a run',
} as const;

/** The module of each command (static imports, so that bundlers and test runners resolve them). */
const modules: Record<CommandName, () => Promise<Record<string, unknown>>> = {
  run: () => import('./commands/run.js'),
  list: () => import('./commands/list.js'),
  doctor: () => import('./commands/doctor.js'),
  report: () => import('./commands/report.js'),
  compare: () => import('./commands/compare.js'),
  baseline: () => import('./commands/baseline.js'),
  cluster: () => import('./commands/cluster.js'),
  nightly: () => import('./commands/nightly.js'),
  selftest: () => import('./commands/selftest.js'),
  gcbench: () => import('./commands/gcbench.js'),
  generators: () => import('./commands/generators.js'),
  history: () => import('./commands/history.js'),
};

async function loadCommand(name: CommandName): Promise<Command> {
  const command = (await modules[name]())[`${name}Command`];
  if (typeof command !== 'function') throw new Error(`commands/${name}.js has no ${name}Command`);
  return command as Command;
}

export type CommandName = keyof typeof commands;

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`);
  return ['Usage: bench <command> [options]', '', 'Commands:', ...lines, '', 'Run `bench <command> --help` for the options of a command.'].join('\n');
}

/** Runs one CLI invocation in-process; returns the exit code (testable without spawning). */
export async function runCli(argv: string[], context: Omit<CommandContext, 'argv'>): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout(`${usage()}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (!Object.hasOwn(commands, name)) {
    context.stderr(`bench: unknown command "${name}"\n${usage()}\n`);
    return ExitCode.usage;
  }
  return withErrorBoundary(async () => {
    const command = await loadCommand(name as CommandName);
    return command({ ...context, argv: rest });
  }, context);
}

/** Process entry: wires signals and streams, sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nbench: ${signal}: stopping after cleanup (press Ctrl-C again to quit at once)\n`);
      controller.abort(new Error(`interrupted by ${signal}`));
    } else {
      process.stderr.write('bench: quitting now; run `npx bench doctor --cleanup` to remove leftovers\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that goes away (`bench report … -o - | head -c 100`) ends the output, quietly.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  const code = await runCli(argv, {
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
    stdout: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
  });
  process.exitCode = controller.signal.aborted && code === ExitCode.ok ? 130 : code;
  // Keep-alive sockets and watches must not keep an interrupted or finished run alive.
  setTimeout(() => process.exit(), 2000).unref();
}

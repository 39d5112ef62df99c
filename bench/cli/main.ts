/**
 * The `bench` CLI shell: picks the command, loads it lazily, gives it the outside world, and runs it
 * inside the error boundary (orchestrator/error-boundary.ts).
 */
import { ExitCode } from '../errors.js';
import { withErrorBoundary } from '../orchestrator/index.js';
import type { Command, CommandContext } from './types.js';

/**
 * Commands by name: the one-line summary and the module, `commands/<name>.ts` with `<name>Command`,
 * loaded on first use (static imports, which bundlers and test runners resolve) so that `bench list`
 * does not load Docker or Kubernetes clients.
 */
const commands = {
  run: ['run scenarios (bench run --matrix)', () => import('./commands/run.js')],
  list: ['list scenarios, claims and matrix sizes', () => import('./commands/list.js')],
  doctor: ['check what is installed; --cleanup removes leftovers', () => import('./commands/doctor.js')],
  report: ['markdown/JSON report of a stored run', () => import('./commands/report.js')],
  compare: ['regression table: baseline vs current run (exit 1 on regression)', () => import('./commands/compare.js')],
  baseline: ['save a run as the baseline for its environment and profile', () => import('./commands/baseline.js')],
  cluster: ['local Kubernetes cluster: up | down | load-image | status', () => import('./commands/cluster.js')],
  nightly: ['the nightly regression job: run, compare with the baseline, history (npm run nightly)', () => import('./commands/nightly.js')],
  selftest: ['measure this harness’s false-positive rate and power here; --agreement of two runs', () => import('./commands/selftest.js')],
  gcbench: ['a standard GC-bound Go benchmark under the default GC vs nogreenteagc (JSON + table)', () => import('./commands/gcbench.js')],
  generators: ['benchmark of the load generators themselves (npm run bench:generators)', () => import('./commands/generators.js')],
  history: ['trend of metrics per cell over the nightly runs, with change points; append a run', () => import('./commands/history.js')],
} as const satisfies Record<string, readonly [string, () => Promise<Record<string, unknown>>]>;

async function loadCommand(name: CommandName): Promise<Command> {
  const module: Record<string, unknown> = await commands[name][1]();
  const command = module[`${name}Command`];
  if (typeof command !== 'function') throw new Error(`commands/${name}.js has no ${name}Command`);
  return command as Command;
}

export type CommandName = keyof typeof commands;

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, [summary]]) => `  ${name.padEnd(width)}  ${summary}`);
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

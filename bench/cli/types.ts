import type { ExitCode } from '../errors.js';

/** What a command gets from the CLI shell: its own arguments and the outside world, injected. */
export interface CommandContext {
  /** Arguments after the command name (e.g. for `bench report x -o y`: `['x', '-o', 'y']`). */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Interrupted by Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (progress lines redraw in place). */
  isTTY: boolean;
}

/** One CLI command: parses its own options and does its work. Throws BenchError for known failures. */
export type Command = (context: CommandContext) => Promise<ExitCode>;

/**
 * A command of the CLI as one spec: its usage, description and flag table (bench/flags.ts), from which
 * both its `--help` and the reading of its arguments come.
 */
import { commandHelp, parseCommandArgs, type Flags } from '../flags.js';
import type { CommandContext } from './types.js';

/** `-h, --help`, which every command takes. */
const helpFlag = { help: { type: 'boolean', short: 'h', help: 'show this help' } } as const satisfies Flags;

/** A command as `--help` shows it and as its arguments are read. */
export interface CommandSpec<F extends Flags> {
  name: string;
  /** After `Usage: bench `; more forms on lines of their own. */
  usage: string;
  /** What the command does, printed as written between the usage and the flags. */
  description?: string;
  flags: F;
  /** Whether it takes arguments besides its flags (run directories, actions). */
  positionals: boolean;
}

/** The `--help` text of a command, `-h, --help` last. Pure. */
export function helpOf<F extends Flags>(spec: CommandSpec<F>): string {
  return commandHelp(spec.usage, spec.description ?? '', { ...spec.flags, ...helpFlag });
}

/**
 * Reads a command's arguments (a usage error names a flag that is not in its table); on `--help`
 * prints the help and returns null, so the command returns at once.
 */
export function parseCommand<const F extends Flags>(ctx: Pick<CommandContext, 'argv' | 'stdout'>, spec: CommandSpec<F>) {
  const parsed = parseCommandArgs(spec.name, ctx.argv, { ...spec.flags, ...helpFlag }, spec.positionals);
  if ((parsed.values as { help?: boolean }).help !== true) return parsed;
  ctx.stdout(helpOf(spec));
  return null;
}

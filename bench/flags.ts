/**
 * Parsers of command-line values, below every layer (as errors.ts): each throws a usage error naming the
 * flag and the fix. The CLI parses with them; the orchestrator checks job specs with the same rules.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

/** `parseArgs` with strict checking, turning its errors into usage errors with a hint. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw usageError(`bench ${command}: ${message}`, `see \`bench ${command} --help\``);
  }
}

/**
 * `10s`, `1500ms`, `2m`, or a bare number of seconds → whole milliseconds, at most `maxMs`. Zero only
 * when `allowZero` (a warm-up may be 0; a measured window may not, also after rounding: `0.0001ms`).
 */
export function parseDuration(flag: string, value: string, options: { allowZero?: boolean; maxMs?: number } = {}): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw usageError(`--${flag} must be a duration such as 10s, 1500ms or 2m (got "${value}")`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = Math.round(unit === 'ms' ? amount : unit === 's' ? amount * 1000 : amount * 60_000);
  if (ms <= 0 && !(options.allowZero === true && ms === 0)) {
    throw usageError(`--${flag} must be at least 1ms (got "${value}", ${ms} ms after rounding)`, `e.g. --${flag} 10s`);
  }
  const maxMs = options.maxMs ?? 3_600_000;
  if (ms > maxMs) throw usageError(`--${flag} must be at most ${maxMs / 60_000}m (got "${value}")`, `e.g. --${flag} 30s`);
  return ms;
}

/** A whole number from 1 to `max` (checked on the text, so `1e30` or 30 digits never become a number). */
export function parsePositiveInt(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw usageError(`--${flag} must be a positive whole number (got "${value}")`);
  if (value.length > 16 || Number(value) > max)
    throw usageError(`--${flag} must be at most ${max} (got "${value.length > 24 ? `${value.slice(0, 20)}…` : value}")`);
  return Number(value);
}

/** `--seed`: a whole number of at most 10 digits (a 32-bit seed), checked on the text. */
export function parseSeed(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw usageError(`--seed must be a whole number (got "${value}")`);
  return Number(value);
}

export function parseChoice<const T extends readonly string[]>(flag: string, value: string, choices: T): T[number] {
  if (!(choices as readonly string[]).includes(value)) {
    throw usageError(`--${flag} must be one of ${choices.join(', ')} (got "${value}")`);
  }
  return value as T[number];
}

/* A command's flags in one table: how `parseArgs` reads each one and what `--help` says of it. */

/** One flag: `parseArgs`'s fields plus its placeholder and its line of help. */
export interface Flag {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in `--help`, e.g. `DIR`. */
  arg?: string;
  help: string;
  /** `bench run`: on `--resume` the value comes from the record, and a flag given again may only repeat it. */
  recorded?: true;
}

export type Flags = Readonly<Record<string, Flag>>;

const WIDTH = 100;
const LEFT_MAX = 24;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/**
 * `Usage: bench <usage>`, the description (kept as written), then a row per flag: the flag and its
 * placeholder, its help wrapped to 100 columns. Pure.
 */
export function commandHelp(usage: string, description: string, flags: Flags): string {
  const rows = Object.entries(flags).map(([name, flag]) => {
    const short = flag.short === undefined ? '' : `-${flag.short}, `;
    return [`${short}--${name}${flag.arg === undefined ? '' : ` ${flag.arg}`}`, flag.help] as const;
  });
  const left = Math.min(LEFT_MAX, Math.max(...rows.map(([l]) => l.length)));
  const body = rows.flatMap(([l, help]) => {
    const text = wrap(help, WIDTH - left - 4);
    const first = l.length <= left ? [`  ${l.padEnd(left)}  ${text.shift()}`] : [`  ${l}`];
    return [...first, ...text.map((t) => `  ${' '.repeat(left)}  ${t}`)];
  });
  return [`Usage: bench ${usage}`, '', ...(description === '' ? [] : [description, '']), ...body, ''].join('\n');
}

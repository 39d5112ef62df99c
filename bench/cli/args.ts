/** Small parsers for CLI values; each throws a usage error naming the flag and the fix. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../errors.js';

/** `parseArgs` with strict checking, turning its errors into usage errors with a hint. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw usageError(`bench ${command}: ${message}`, `see \`bench ${command} --help\``);
  }
}

/** `10s`, `1500ms`, `2m`, or a bare number of seconds → milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw usageError(`--${flag} must be a duration such as 10s, 1500ms or 2m (got "${value}")`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? amount : unit === 's' ? amount * 1000 : amount * 60_000;
  if (ms <= 0) throw usageError(`--${flag} must be > 0 (got "${value}")`);
  return Math.round(ms);
}

export function parsePositiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw usageError(`--${flag} must be a positive whole number (got "${value}")`);
  return Number(value);
}

export function parseChoice<const T extends readonly string[]>(flag: string, value: string, choices: T): T[number] {
  if (!(choices as readonly string[]).includes(value)) {
    throw usageError(`--${flag} must be one of ${choices.join(', ')} (got "${value}")`);
  }
  return value as T[number];
}

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

export function parseChoice<const T extends readonly string[]>(flag: string, value: string, choices: T): T[number] {
  if (!(choices as readonly string[]).includes(value)) {
    throw usageError(`--${flag} must be one of ${choices.join(', ')} (got "${value}")`);
  }
  return value as T[number];
}

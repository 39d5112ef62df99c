/** CLI values that name the project's own vocabulary (--threshold, --fail-on); the generic parsers live in bench/flags.ts. */
import { usageError } from '../errors.js';
import { failOnChoices, type FailOn } from '../claims/fail-on.js';
import { parseChoice } from '../flags.js';

export { parseChoice, parseCommandArgs, parseDuration, parsePositiveInt } from '../flags.js';

/** `5%`, `5`, `2.5%` → 5, 5, 2.5. */
export function parseThreshold(value: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  if (!match) throw usageError(`--threshold must be a percentage such as 5% (got "${value}")`, 'bench compare a b --threshold 5%');
  const pct = Number(match[1]);
  if (pct >= 1000) throw usageError(`--threshold must be below 1000% (got "${value}")`);
  return pct;
}

/** `--fail-on` values (repeated or comma-separated) → the conditions; default: regression. */
export function parseFailOn(values: readonly string[] | undefined): FailOn[] {
  if (values === undefined || values.length === 0) return ['regression'];
  return [...new Set(values.flatMap((v) => v.split(',')).map((v) => parseChoice('fail-on', v.trim(), failOnChoices)))];
}

/** How a repeat's outcome reads in progress lines, problem lists and reports. Pure. */
import type { Outcome } from './schema.js';

/** A death, e.g. `OOM-killed at 3.2 s (exit code 137)` or `exited with code 2`. */
export function describeDeath(outcome: Extract<Outcome, { state: 'died' }>): string {
  const what = outcome.cause === 'oom' ? 'OOM-killed' : 'exited on its own';
  const when = outcome.atMs === null ? '' : ` at ${(outcome.atMs / 1000).toFixed(1)} s`;
  return `${what}${when} (exit code ${outcome.exitCode ?? 'unknown'})`;
}

/** The outcome's reason, error or death; '' for a completed repeat. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.state) {
    case 'completed':
      return '';
    case 'failed':
      return outcome.error;
    case 'invalid':
    case 'skipped':
      return outcome.reason;
    case 'died':
      return describeDeath(outcome);
  }
}

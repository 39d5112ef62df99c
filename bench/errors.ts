/** Exit codes of the `bench` CLI (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  /** A regression was found (`compare`) or a `--fail-on` condition was met. */
  regression: 1,
  /** Bad usage or configuration: flags, scenario files, results files. */
  usage: 2,
  /** Infrastructure missing or failed: Docker, cluster, toolchain, k6. */
  infra: 3,
  /** The load was invalid: the generator could not hold the rate or was saturated. */
  invalidLoad: 4,
  /** Interrupted by Ctrl-C / SIGTERM; the record keeps what was measured (`--resume` continues). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type BenchErrorCode = 'usage' | 'infra' | 'invalidLoad' | 'regression';

/**
 * A known failure with a short message and a hint for the fix. The CLI prints message and hint (no
 * stack) and exits with the code's exit status.
 */
export class BenchError extends Error {
  override readonly name = 'BenchError';
  readonly code: BenchErrorCode;
  readonly hint: string | undefined;

  constructor(code: BenchErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): ExitCode {
    return ExitCode[this.code];
  }
}

export function usageError(message: string, hint?: string): BenchError {
  return new BenchError('usage', message, hint === undefined ? {} : { hint });
}

export function infraError(message: string, hint?: string, cause?: unknown): BenchError {
  return new BenchError('infra', message, { ...(hint === undefined ? {} : { hint }), cause });
}

export function isBenchError(error: unknown): error is BenchError {
  return error instanceof BenchError;
}

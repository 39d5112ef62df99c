/**
 * The one error boundary: known errors (BenchError) print a message and a hint, unknown ones the
 * stack; Ctrl-C before a run loop is an interruption, not an error. Used by the CLI's shell (main.ts)
 * and by the nightly job around each target's run.
 */
import { ExitCode, isBenchError } from '../errors.js';
import { forbiddenError } from '../targets/index.js';

function formatError(raw: unknown): { text: string; code: ExitCode } {
  const error = forbiddenError(raw) ?? raw;
  if (isBenchError(error)) {
    const hint = error.hint === undefined ? '' : `\nhint: ${error.hint}`;
    return { text: `bench: ${error.message}${hint}`, code: error.exitCode };
  }
  const e = error as Error;
  return { text: `bench: unexpected error: ${e?.stack ?? String(error)}`, code: ExitCode.infra };
}

/** Runs a command, turning what it throws into a message on stderr and an exit code. */
export async function withErrorBoundary(run: () => Promise<ExitCode>, context: { signal: AbortSignal; stderr: (text: string) => void }): Promise<ExitCode> {
  try {
    return await run();
  } catch (error) {
    if (context.signal.aborted && !isBenchError(error)) {
      // Ctrl-C before the run loop (preparing the target, waiting on the engine): not an error of bench.
      context.stderr(`bench: ${(context.signal.reason as Error | undefined)?.message ?? 'interrupted'}\n`);
      return ExitCode.interrupted;
    }
    const { text, code } = formatError(error);
    context.stderr(`${text}\n`);
    return code;
  }
}

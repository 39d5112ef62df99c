/**
 * `bench baseline save <run> [--dir DIR]`: stores a run as the accepted baseline for its kind of
 * machine and profile, at `<dir>/<target>-<cpus>cpu-cg<v>-<hash>-<profile>/results.json` (default dir:
 * `baselines/` in the repository). `bench compare --baseline auto <current>` picks it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { readRunRecord, resolveRecordPath, writeFileAtomic, baselineFile, DEFAULT_BASELINE_DIR } from '../../results/index.js';
import { baselineName } from '../../stats/index.js';
import type { Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

const spec = {
  name: 'baseline',
  usage: 'baseline save <run-dir> [--dir DIR]\n       bench baseline path <run-dir> [--dir DIR]',
  description:
    "save: copy a run's results.json to DIR/<environment fingerprint>-<profile>/results.json\n" +
    "path: print where the baseline for a run's environment and profile is (or would be)",
  positionals: true,
  flags: { dir: { type: 'string', arg: 'DIR', help: 'baseline directory (default: baselines/ in the repository)' } },
} as const satisfies CommandSpec<Flags>;

export const baselineCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values, positionals } = parsed;
  const [action, run, ...extra] = positionals;
  if (action !== 'save' && action !== 'path') {
    throw usageError(
      `bench baseline: the first argument must be save or path (got ${action === undefined ? 'nothing' : `"${action}"`})`,
      'bench baseline save results/<run-id>',
    );
  }
  if (run === undefined || extra.length > 0)
    throw usageError(`bench baseline ${action}: expected one run directory`, `bench baseline ${action} results/<run-id>`);
  const dir = values.dir === undefined ? DEFAULT_BASELINE_DIR : path.resolve(ctx.cwd, values.dir);
  const source = path.resolve(ctx.cwd, run);
  const record = await readRunRecord(source);
  const target = baselineFile(dir, baselineName(record));
  if (action === 'path') {
    ctx.stdout(`${target}\n`);
    return ExitCode.ok;
  }
  if (record.status !== 'completed') {
    throw usageError(
      `bench baseline save: run ${record.runId} is ${record.status}, not completed`,
      'only a completed run can become a baseline; finish it with `bench run --resume`',
    );
  }
  // Copy the validated file as it is, byte for byte.
  await writeFileAtomic(target, await readFile(await resolveRecordPath(source), 'utf8'));
  ctx.stdout(`baseline for ${baselineName(record)}: ${target} (run ${record.runId})\n`);
  return ExitCode.ok;
};

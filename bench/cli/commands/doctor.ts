/** `bench doctor`: what is installed, what is missing, how to get it; `--cleanup` removes leftovers. */
import { ExitCode, usageError } from '../../errors.js';
import { cleanupLeftovers, formatChecks, leftoverSources, runChecks } from '../../orchestrator/doctor.js';
import { RUN_ID_PATTERN } from '../../results/layout.js';
import type { CleanupSelection } from '../../targets/owner.js';
import { parseCommandArgs, parseDuration } from '../args.js';
import type { Command } from '../types.js';

const doctorUsage = `Usage: bench doctor [--cleanup [--dry-run] [--run-id ID ...] [--older-than D]]
  --cleanup         remove containers (and cluster namespaces) of runs whose bench process is gone;
                    a run that is still going is never touched
  --run-id ID       remove exactly this run's containers, whoever owns them (repeatable)
  --older-than D    remove runs created longer ago than D (e.g. 30m, 2h), whoever owns them
  --dry-run         list what --cleanup would remove and why, remove nothing
  --context NAME, --kubeconfig FILE
                    the cluster whose bench namespaces to clean too (default: the local cluster's
                    kubeconfig, else $KUBECONFIG or ~/.kube/config when there is one)
`;

/** Parses `--older-than`: a duration with `h` and `d` allowed besides `ms`, `s`, `m`. */
export function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(d|h)$/.exec(value.trim());
  if (match) return Math.round(Number(match[1]) * (match[2] === 'd' ? 86_400_000 : 3_600_000));
  return parseDuration('older-than', value, { allowZero: true, maxMs: Number.MAX_SAFE_INTEGER });
}

export const doctorCommand: Command = async (ctx) => {
  const { values } = parseCommandArgs(
    'doctor',
    ctx.argv,
    {
      cleanup: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'run-id': { type: 'string', multiple: true },
      'older-than': { type: 'string' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    false,
  );
  if (values.help) {
    ctx.stdout(doctorUsage);
    return ExitCode.ok;
  }
  const selecting = values['dry-run'] === true || values['run-id'] !== undefined || values['older-than'] !== undefined;
  if (selecting && !values.cleanup) throw usageError('--dry-run, --run-id and --older-than go with --cleanup', 'bench doctor --cleanup --dry-run');
  for (const id of values['run-id'] ?? []) {
    if (!RUN_ID_PATTERN.test(id)) throw usageError(`--run-id must be a run id such as 20261207-014500-docker-ab12 (got ${JSON.stringify(id)})`);
  }
  const selection: CleanupSelection = {
    ...(values['run-id'] === undefined ? {} : { runIds: values['run-id'] }),
    ...(values['older-than'] === undefined ? {} : { olderThanMs: parseAge(values['older-than']) }),
  };
  const checks = await runChecks(ctx.env);
  ctx.stdout(`${formatChecks(checks)}\n`);
  if (values.cleanup) {
    const sources = await leftoverSources(ctx, { context: values.context, kubeconfig: values.kubeconfig });
    await cleanupLeftovers(ctx, sources, selection, values['dry-run'] === true);
  }
  return checks.some((c) => c.essential && !c.ok) ? ExitCode.infra : ExitCode.ok;
};

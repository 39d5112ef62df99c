/** `bench doctor`: what is installed, what is missing, how to get it; `--cleanup` removes leftovers. */
import { ExitCode, usageError } from '../../errors.js';
import { cleanupLeftovers, formatChecks, leftoverSources, runChecks } from '../../orchestrator/index.js';
import { RUN_ID_PATTERN } from '../../results/index.js';
import type { CleanupSelection } from '../../targets/index.js';
import { parseDuration, type Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

const spec = {
  name: 'doctor',
  usage: 'doctor [--cleanup [--dry-run] [--run-id ID ...] [--older-than D]]',
  positionals: false,
  flags: {
    cleanup: {
      type: 'boolean',
      help: 'remove containers (and cluster namespaces) of runs whose bench process is gone; a run that is still going is never touched',
    },
    'run-id': { type: 'string', multiple: true, arg: 'ID', help: "remove exactly this run's containers, whoever owns them (repeatable)" },
    'older-than': { type: 'string', arg: 'D', help: 'remove runs created longer ago than D (e.g. 30m, 2h), whoever owns them' },
    'dry-run': { type: 'boolean', help: 'list what --cleanup would remove and why, remove nothing' },
    context: {
      type: 'string',
      arg: 'NAME',
      help: "the cluster whose bench namespaces to clean too (default: the local cluster's kubeconfig, else $KUBECONFIG or ~/.kube/config when there is one)",
    },
    kubeconfig: { type: 'string', arg: 'FILE', help: 'the kubeconfig of --context' },
  },
} as const satisfies CommandSpec<Flags>;

/** Parses `--older-than`: a duration with `h` and `d` allowed besides `ms`, `s`, `m`. */
export function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(d|h)$/.exec(value.trim());
  if (match) return Math.round(Number(match[1]) * (match[2] === 'd' ? 86_400_000 : 3_600_000));
  return parseDuration('older-than', value, { allowZero: true, maxMs: Number.MAX_SAFE_INTEGER });
}

export const doctorCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values } = parsed;
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

/** The end of `bench run`: the record's status and honest limits, the report, the exit code. */
import path from 'node:path';
import { ExitCode } from '../errors.js';
import type { RunPlanSummary } from './run-plan.js';
import type { RunRecord, RunStore } from '../results/index.js';
import { expectedAutoGomaxprocs } from '../stats/index.js';
import { unawareNodeCpus } from '../targets/index.js';
import { spoiltByHost } from './adaptive.js';
import { writeRunReport, type RunConsole } from './report-files.js';

/** What this run could not show, stated in the record and the report. Pure. */
export function describeLimits(record: RunRecord, hostCpus: number, availableCpus: number): string[] {
  const limits: string[] = [];
  const cells = record.plan.cells;
  const unaware = [...new Set(cells.map((c) => unawareNodeCpus(c.settings.maxprocs)).filter((n): n is number => n !== null))];
  if (unaware.length > 0) {
    limits.push(
      `A container-unaware service is emulated with GOMAXPROCS=${unaware.join('/')} (a node of ${unaware.join('/')} CPUs); this host has ${hostCpus}.`,
    );
  }
  const limited = cells.map((c) => c.settings.cpuLimit).filter((l): l is number => l !== null);
  if (limited.some((l) => expectedAutoGomaxprocs(l, Number.POSITIVE_INFINITY) >= availableCpus)) {
    limits.push(
      `With ${availableCpus} CPUs available to the service, container-aware GOMAXPROCS (at least 2) equals the runtime's container-unaware default (${availableCpus}) for every CPU limit here; only the emulated bigger node shows the difference.`,
    );
  }
  const toolchains = [...new Set(cells.map((c) => c.settings.toolchain))];
  limits.push(
    `Toolchains measured: ${toolchains.map((t) => (t === 'local' ? (record.fingerprint.goVersion ?? 'local go') : t)).join(', ')}. Older runtime behaviour is reproduced with the runtime's own switches (GODEBUG=containermaxprocs=0, GOEXPERIMENT=nogreenteagc), not older toolchains.`,
  );
  if (record.placement.serviceCpus === null) limits.push(record.placement.note);
  const busy = record.repeats.filter(
    (r) => (r.outcome.state === 'invalid' && r.outcome.reason.startsWith('host busy')) || r.notes.some((n) => n.startsWith('host busy')),
  );
  if (busy.length > 0) {
    const worst = Math.max(...busy.map((r) => r.metrics.hostForeignCores ?? 0));
    limits.push(
      `The host was busy during ${busy.length} of ${record.repeats.length} repeats (other processes used up to ${worst.toFixed(2)} cores): ` +
        'sequential repeats measured then are invalid, duet pairs shared the disturbance; rerun on a quiet machine for full power.',
    );
  }
  return limits;
}

/** Sentences `describeLimits` writes, recognised so a resumed run does not repeat them. */
const derivedLimitPattern = /^(A container-unaware service|With \d+ CPUs available|Toolchains measured|not pinned|The host was busy)/;

/** Whether the run measured nothing: it has repeats and every one of them failed. Pure. */
export function everyRepeatFailed(record: RunRecord): boolean {
  return record.repeats.length > 0 && record.repeats.every((r) => r.outcome.state === 'failed');
}

/**
 * What to type when some repeats failed for reasons outside the service (an engine or API server that
 * went away): `--resume` retries exactly those. Null when none failed. Pure.
 */
export function retryHint(record: Pick<RunRecord, 'repeats'>, dirShown: string): string | null {
  const failed = record.repeats.filter((r) => r.outcome.state === 'failed').length;
  return failed === 0 ? null : `Retry the ${failed} failed repeat(s) with: npx bench run --resume ${dirShown}`;
}

export async function finishRun(
  ctx: RunConsole,
  store: RunStore,
  summary: RunPlanSummary,
  cpus: { hostCpus: number; availableCpus: number },
): Promise<ExitCode> {
  const status = summary.status === 'completed' && everyRepeatFailed(store.record) ? 'failed' : summary.status;
  // Limits found while running (skipped generators, execution fallbacks) stay; the derived ones are re-derived.
  const found = store.record.limits.filter((l) => !derivedLimitPattern.test(l));
  await store.update({ status, limits: [...new Set([...found, ...describeLimits(store.record, cpus.hostCpus, cpus.availableCpus)])] });
  const record = store.record;
  const counts: Record<string, number> = { completed: 0, invalid: 0, failed: 0, skipped: 0 };
  for (const r of record.repeats) counts[r.outcome.state] = (counts[r.outcome.state] ?? 0) + 1;
  const heading = status === 'completed' ? 'Done' : status === 'failed' ? 'Failed' : 'Interrupted';
  const other = Object.entries(counts)
    .filter(([state]) => !['completed', 'invalid', 'failed', 'skipped'].includes(state))
    .map(([state, n]) => `, ${n} ${state}`)
    .join('');
  ctx.stdout(
    `\n${heading}: ${counts.completed} completed, ${counts.invalid} invalid, ${counts.failed} failed, ${counts.skipped} skipped${other} → ${path.relative(ctx.cwd, store.file) || store.file}\n`,
  );
  for (const r of record.repeats.filter((x) => x.outcome.state === 'failed').slice(0, 5)) {
    ctx.stdout(`  failed: ${r.cellId} #${r.repeat + 1}: ${r.outcome.state === 'failed' ? r.outcome.error.split('\n')[0] : ''}\n`);
  }
  if (status === 'failed') {
    ctx.stderr(`bench: every repeat failed, nothing was measured (${path.relative(ctx.cwd, store.file) || store.file})\n`);
    ctx.stdout(`Fix the cause above. ${retryHint(record, path.relative(ctx.cwd, store.dir) || store.dir) ?? ''}\n`);
    return ExitCode.infra;
  }
  const retry = status === 'completed' ? retryHint(record, path.relative(ctx.cwd, store.dir) || store.dir) : null;
  if (retry !== null) ctx.stdout(`${retry}\n`);
  if (status === 'interrupted') {
    ctx.stdout(`Resume with: npx bench run --resume ${path.relative(ctx.cwd, store.dir) || store.dir}\n`);
    return ExitCode.interrupted;
  }
  await writeRunReport(ctx, store.dir, record);
  // A cell none of whose repeats measured valid load says nothing about the service.
  const byCell = new Map<string, string[]>();
  for (const r of record.repeats) byCell.set(r.cellId, [...(byCell.get(r.cellId) ?? []), r.outcome.state]);
  const allInvalid = [...byCell.entries()].filter(([, states]) => states.length > 0 && states.every((s) => s === 'invalid'));
  if (allInvalid.length > 0) {
    const repeats = record.repeats.filter((r) => allInvalid.some(([id]) => id === r.cellId));
    const spoilt = repeats.filter((r) => spoiltByHost(r.outcome)).length;
    const why =
      spoilt === repeats.length
        ? `the host spoilt all ${repeats.length}: the generator sent late, or the hypervisor or other processes took the CPUs`
        : 'the generator missed the rate or was saturated';
    ctx.stderr(`bench: invalid load in every repeat of ${allInvalid.map(([id]) => id).join(', ')} (${why})\n`);
    if (spoilt > 0) {
      const where =
        cpus.hostCpus <= 2
          ? `on ${cpus.hostCpus} CPUs the generator shares a CPU with the service or the cluster node; a host with more CPUs, or a quieter one, measures these cells`
          : 'a quieter host measures these cells';
      ctx.stderr(`hint: ${where} (\`--host-check note\` keeps such repeats, with a note, at the cost of a less exact arrival process)\n`);
    }
    return ExitCode.invalidLoad;
  }
  return ExitCode.ok;
}

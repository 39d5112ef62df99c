/**
 * One line of the nightly history (`results/history.jsonl`): a run reduced to the median of every metric
 * per cell, with what identifies the environment it ran in. Pure: building, keying and validating entries.
 */
import { median } from '../stats/index.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isMetricName, type Fingerprint, type RunRecord } from '../results/index.js';

export const HISTORY_SCHEMA_VERSION = 1;

export const historyEntrySchema = z.object({
  schemaVersion: z.literal(HISTORY_SCHEMA_VERSION),
  runId: z.string().min(1),
  /** When the run started (the record's `createdAt`): the time axis of the trend. */
  createdAt: z.string().min(1),
  gitSha: z.string().nullable(),
  /** `machineKey(fingerprint)`: entries are only ever trended against entries with the same key. */
  environmentKey: z.string().min(1),
  /** What the key was made of, for the reader of the file. */
  environment: z.string(),
  target: z.string().min(1),
  profile: z.string().min(1),
  goVersion: z.string().nullable(),
  /** The run directory, as given when the entry was appended. */
  runDir: z.string(),
  /** Per cell id: how many repeats completed, and the median of each metric over them. */
  cells: z.record(z.string(), z.object({ n: z.number().int().min(0), medians: z.record(z.string(), z.number()) })),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/**
 * The hardware side of a fingerprint: what makes two runners the same kind of machine. Toolchain,
 * Docker, Kubernetes and service versions are deliberately left out: a change in them is exactly what the
 * nightly job is there to catch, so it must not start a fresh history.
 */
export function environmentDescription(fingerprint: Fingerprint): string {
  return [`${fingerprint.hostCpus} CPUs`, fingerprint.cpuModel.replace(/\s+/g, ' ').trim(), fingerprint.os, `cgroup v${fingerprint.cgroupVersion ?? '?'}`].join(
    ' · ',
  );
}

/**
 * The machine a history entry was measured on: 12 hex digits of the SHA-256 of `environmentDescription`
 * (CPUs, CPU model, OS, cgroup version). Stored as the entry's `environmentKey`; not to be confused with
 * what makes two runs comparable for `bench compare` (`environmentKey` of bench/stats/compare-runs.ts:
 * target, CPUs, cgroup version), which a history series adds its target and profile to.
 */
export function machineKey(fingerprint: Fingerprint): string {
  return createHash('sha256').update(environmentDescription(fingerprint)).digest('hex').slice(0, 12);
}

/** Median of a non-empty list (one home: bench/stats/descriptive.ts). */
export const medianOf = median;

/**
 * Reduces a run record to a history entry: per cell, the median of each vocabulary metric over the
 * completed repeats (invalid, failed and skipped repeats measured nothing usable and are left out).
 */
export function createHistoryEntry(record: RunRecord, runDir: string): HistoryEntry {
  const cells: HistoryEntry['cells'] = {};
  for (const cell of record.plan.cells) {
    const completed = record.repeats.filter((r) => r.cellId === cell.id && r.outcome.state === 'completed');
    const byMetric = new Map<string, number[]>();
    for (const repeat of completed) {
      for (const [name, value] of Object.entries(repeat.metrics)) {
        if (!isMetricName(name) || !Number.isFinite(value)) continue;
        byMetric.set(name, [...(byMetric.get(name) ?? []), value]);
      }
    }
    const medians: Record<string, number> = {};
    for (const [name, values] of [...byMetric.entries()].sort(([a], [b]) => a.localeCompare(b))) medians[name] = medianOf(values);
    cells[cell.id] = { n: completed.length, medians };
  }
  return {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    runId: record.runId,
    createdAt: record.createdAt,
    gitSha: record.fingerprint.gitSha,
    environmentKey: machineKey(record.fingerprint),
    environment: environmentDescription(record.fingerprint),
    target: record.target,
    profile: record.profile,
    goVersion: record.fingerprint.goVersion,
    runDir,
    cells,
  };
}

/** The series a trend is drawn over: same environment, target and profile. */
export function seriesKey(entry: Pick<HistoryEntry, 'environmentKey' | 'target' | 'profile'>): string {
  return `${entry.target}/${entry.profile}/${entry.environmentKey}`;
}

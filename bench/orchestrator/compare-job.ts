/**
 * `bench compare` once its flags are read: the two records (the baseline given, or the one saved for the
 * current run's environment and profile), the comparison under the `--fail-on` conditions, rendered.
 */
import { access } from 'node:fs/promises';
import { renderCompareJson, renderCompareMarkdown } from '../../reporters/index.js';
import { compareWithFailOn, type FailOn } from '../claims/index.js';
import { usageError } from '../errors.js';
import { baselineFile, type RunRecord, readRunRecord } from '../results/index.js';
import { baselineName, IncomparableRunsError, type CompareResult } from '../stats/index.js';

/** The baseline saved in `dir` for the run's environment and profile; `exists` says whether it is there yet. */
export async function savedBaseline(dir: string, record: RunRecord): Promise<{ file: string; exists: boolean }> {
  const file = baselineFile(dir, baselineName(record));
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  return { file, exists };
}

export interface CompareRequest {
  /** A run folder or results.json, or `auto`: the baseline saved in `baselineDir`. */
  baseline: string;
  current: string;
  baselineDir: string;
  thresholdPct: number;
  force: boolean;
  /** Metrics that form their own multiple-comparison family; null: one family of all rows. */
  familyMetrics: ReadonlySet<string> | null;
  failOn: readonly FailOn[];
  format: 'md' | 'json';
}

/** The comparison and its rendering; `reasons` are the `--fail-on` conditions met. */
export async function compareJob(request: CompareRequest): Promise<{ result: CompareResult; reasons: string[]; text: string }> {
  const current = await readRunRecord(request.current);
  let file = request.baseline;
  if (request.baseline === 'auto') {
    const saved = await savedBaseline(request.baselineDir, current);
    if (!saved.exists) {
      throw usageError(
        `--baseline auto: no baseline for this environment and profile at ${saved.file}`,
        `accept a run first: bench baseline save <run> --dir ${request.baselineDir}`,
      );
    }
    file = saved.file;
  }
  const baseline = await readRunRecord(file);
  try {
    const settings = { thresholdPct: request.thresholdPct, force: request.force, familyMetrics: request.familyMetrics };
    const { result, reasons } = compareWithFailOn(baseline, current, settings, request.failOn);
    const text = request.format === 'md' ? renderCompareMarkdown(result) : renderCompareJson(result, request.failOn, reasons);
    return { result, reasons, text };
  } catch (error) {
    if (error instanceof IncomparableRunsError) {
      throw usageError(`bench compare: ${error.message}`, 'compare runs from the same kind of machine, or pass --force to compare anyway');
    }
    throw error;
  }
}

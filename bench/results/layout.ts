/**
 * Paths built from run-record fields. A record is data someone may have edited: every name in it that
 * becomes part of a path must stay a plain name, and every path built from it must stay inside the
 * folder it is meant for.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { usageError } from '../errors.js';
import { repoRoot } from '../paths.js';


/** Scenario and profile names: kebab-case, as `defineScenario` requires. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
/** A new run id: the UTC time, the target and four hex digits (`20261207-014500-docker-ab12`). */
export function createRunId(target: string, date = new Date()): string {
  return `${timeStamp(date)}-${target}-${randomBytes(2).toString('hex')}`;
}

/** The UTC time in folder names: `20261207-014500`. */
export function timeStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Run ids as `createRunId` makes them (`20261207-014500-docker-ab12`), or any plain file name. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * `dir/...parts`, refused when the result leaves `dir` (`..`, an absolute part, a separator in a name
 * that should be one).
 */
export function resolveInside(dir: string, parts: readonly string[], what: string): string {
  const base = path.resolve(dir);
  const full = path.resolve(base, ...parts);
  const relative = path.relative(base, full);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw usageError(`${what}: ${JSON.stringify(parts.join('/'))} would be written outside ${base}`, 'the run record names a path, not a plain name; it was edited by hand or is corrupt');
  }
  return full;
}

/** The fields of a record (already schema-valid) that must be plain names, with the first bad one. */
export function findBadRecordName(record: {
  runId: string;
  profile: string;
  plan: { scenarios: ReadonlyArray<{ name: string }>; cells: ReadonlyArray<{ scenario: string }> };
}): { field: string; value: string } | null {
  if (!RUN_ID_PATTERN.test(record.runId)) return { field: 'runId', value: record.runId };
  if (!NAME_PATTERN.test(record.profile)) return { field: 'profile', value: record.profile };
  for (const [i, s] of record.plan.scenarios.entries()) {
    if (!NAME_PATTERN.test(s.name)) return { field: `plan.scenarios.${i}.name`, value: s.name };
  }
  for (const [i, c] of record.plan.cells.entries()) {
    if (!NAME_PATTERN.test(c.scenario)) return { field: `plan.cells.${i}.scenario`, value: c.scenario };
  }
  return null;
}

/** The documented baseline location (`bench baseline`, `bench compare --baseline auto`, `bench nightly`). */
export const DEFAULT_BASELINE_DIR = path.join(repoRoot, 'baselines');

/** The record's file name in a run directory (and in a baseline folder). */
export const RESULTS_FILE = 'results.json';

/**
 * Where the baseline named `name` (`baselineName(record)`: environment fingerprint and profile) lives
 * in `dir`. The name is built from record fields: it must stay one folder inside `dir`.
 */
export function baselineFile(dir: string, name: string): string {
  const folder = resolveInside(dir, [name], 'baseline');
  if (path.dirname(folder) !== path.resolve(dir)) throw usageError(`baseline: ${JSON.stringify(name)} is not one folder name`, 'the run record was edited by hand or is corrupt');
  return path.join(folder, RESULTS_FILE);
}

/**
 * The one formatter of schema (zod) errors: every bad field as `path: message (got value)`, the path
 * written as in the source (`matrix.cpuLimit[2]`), so that an error names the field and what it held.
 * Used for run records, history entries and scenario definitions alike.
 */
import type { ZodError } from 'zod';

export interface IssueFormat {
  /** Put before every issue, e.g. the file: `scenarios/gc.ts: matrix.cpuLimit[2]: …`. */
  readonly source?: string;
  /** The path shown for an issue about the whole value. */
  readonly rootName?: string;
  /** At most this many issues (all by default). */
  readonly limit?: number;
  readonly separator?: string;
  /** At most this many characters of the value shown after `got`. */
  readonly maxValueChars?: number;
}

/** `matrix.cpuLimit[2]` for the path ['matrix', 'cpuLimit', 2]. */
export function formatIssuePath(keys: ReadonlyArray<PropertyKey>): string {
  return keys.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

function valueAt(data: unknown, keys: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = data;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** One line per zod issue, naming the field, the rule it broke and the value it held. */
export function formatZodIssues(error: ZodError, data: unknown, format: IssueFormat = {}): string {
  const { source, rootName = '(root)', limit = Number.POSITIVE_INFINITY, separator = '; ', maxValueChars = 60 } = format;
  return error.issues
    .slice(0, limit)
    .map((issue) => {
      const got = valueAt(data, issue.path);
      const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)?.slice(0, maxValueChars)})`;
      const field = formatIssuePath(issue.path) || rootName;
      return `${source === undefined ? '' : `${source}: `}${field}: ${issue.message}${shown}`;
    })
    .join(separator);
}

/**
 * The history file: JSON lines, one entry per nightly run, appended. A bad line is reported with the file,
 * the line number and the field, never skipped silently.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import { formatZodIssues } from '../results/index.js';
import { historyEntrySchema, type HistoryEntry } from './entry.js';

/** Default location, relative to the working directory. */
export const DEFAULT_HISTORY_FILE = path.join('results', 'history.jsonl');

/** Parses the text of a history file. Empty lines are allowed (an editor's trailing newline). */
export function parseHistory(text: string, source: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      throw usageError(`${source}:${i + 1}: not valid JSON (${(error as Error).message})`, 'remove or fix that line; every line is one JSON object');
    }
    const parsed = historyEntrySchema.safeParse(data);
    if (!parsed.success) {
      throw usageError(
        `${source}:${i + 1}: invalid history entry: ${formatZodIssues(parsed.error, data, { limit: 5 })}`,
        'remove or fix that line (it was not written by `bench history append`)',
      );
    }
    entries.push(parsed.data);
  }
  return entries;
}

/** Reads a history file; a missing file is an empty history. */
export async function readHistory(file: string): Promise<HistoryEntry[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw usageError(`${file}: cannot read (${error.code ?? error.message})`, 'check --file');
  });
  return parseHistory(text, file);
}

/**
 * Appends one entry as one line. A single `appendFile` of one line is one O_APPEND write, so two jobs
 * appending at once do not interleave their lines. An entry of a run already in the file is refused.
 */
export async function appendHistoryEntry(file: string, entry: HistoryEntry): Promise<void> {
  const existing = await readHistory(file);
  if (existing.some((e) => e.runId === entry.runId)) {
    throw usageError(`${file}: run ${entry.runId} is already in the history`, 'each run is appended once');
  }
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(historyEntrySchema.parse(entry))}\n`, 'utf8');
}

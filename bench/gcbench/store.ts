/** Where a run keeps its standard GC benchmark (`gcbench.json` in the run directory), and reading it. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GcBenchResult } from './summary.js';

/** The file name `bench gcbench --out <run-dir>/gcbench.json` writes and the report reads. */
export const GCBENCH_FILE = 'gcbench.json';

/** The run directory's standard GC benchmark, or `null` when it has none. */
export async function readGcBenchResult(runDir: string): Promise<GcBenchResult | null> {
  const file = path.join(runDir, GCBENCH_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const data = JSON.parse(text) as Partial<GcBenchResult>;
  if (data.kind !== 'gcbench' || data.schemaVersion !== 1 || !Array.isArray(data.comparisons)) {
    throw new Error(`${file}: not a gcbench result of schema version 1 (write it with \`bench gcbench --out ${file}\`)`);
  }
  return data as GcBenchResult;
}

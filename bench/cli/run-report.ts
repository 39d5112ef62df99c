/** Writes report.md (and its charts) beside a finished run's record and prints the verdict table. */
import type { RunRecord } from '../results/schema.js';
import type { CommandContext } from './types.js';

export async function writeRunReport(ctx: CommandContext, runDir: string, record: RunRecord): Promise<void> {
  // Filled in when the reporters land (issue 4): until then the record alone is written.
  void ctx;
  void runDir;
  void record;
}

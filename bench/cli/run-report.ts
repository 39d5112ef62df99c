/** Writes report.md (and its charts) beside a finished run's record and prints the verdict table. */
import path from 'node:path';
import { readGcBenchResult } from '../gcbench/store.js';
import type { RunRecord } from '../results/schema.js';
import { useColor, writeReport } from './commands/report.js';
import type { CommandContext } from './types.js';

export async function writeRunReport(ctx: CommandContext, runDir: string, record: RunRecord): Promise<void> {
  const { summary, files } = await writeReport(record, path.join(runDir, 'report.md'), { color: useColor(ctx), gcBench: await readGcBenchResult(runDir) });
  ctx.stdout(`\n${summary}\n`);
  ctx.stdout(`report: ${path.relative(ctx.cwd, files[0] ?? '') || files[0]} (${files.length - 1} chart file(s))\n`);
}

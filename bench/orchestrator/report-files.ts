/** Writes a run's report (markdown + charts, or JSON) beside its record: what `bench report` and the end of `bench run` call. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { claimsCatalog } from '../../scenarios/index.js';
import { reporters, renderConsoleSummary } from '../../reporters/index.js';
import { evaluateClaims } from '../claims/index.js';
import { readGcBenchResult, type GcBenchResult } from '../gcbench/index.js';
import { resolveInside, type RunRecord } from '../results/index.js';
import { analyseRun } from '../stats/index.js';

/** Where a run's end writes: the command's console, injected (the CLI's context is one). */
export interface RunConsole {
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Whether the console summary may use colour: a TTY and no NO_COLOR. */
export function useColor(out: Pick<RunConsole, 'isTTY' | 'env'>): boolean {
  return out.isTTY && (out.env.NO_COLOR === undefined || out.env.NO_COLOR === '');
}

/** Analyses a record and renders its report (its chart files not written). */
export async function renderReport(record: RunRecord, options: { format?: 'md' | 'json'; seed?: number; gcBench?: GcBenchResult | null }) {
  const analysis = analyseRun(record, options.seed === undefined ? {} : { seed: options.seed });
  const verdicts = evaluateClaims(analysis, claimsCatalog);
  const output = await reporters[options.format ?? 'md'].render({ record, analysis, verdicts, gcBench: options.gcBench ?? null });
  return { output, verdicts };
}

/**
 * Analyses a record and writes its report (markdown + charts, or JSON) to `outFile`; returns the
 * verdicts' console summary.
 */
export async function writeReport(
  record: RunRecord,
  outFile: string,
  options: { format?: 'md' | 'json'; seed?: number; color: boolean; gcBench?: GcBenchResult | null },
): Promise<{ summary: string; files: string[] }> {
  const { output, verdicts } = await renderReport(record, options);
  const dir = path.dirname(outFile);
  await mkdir(dir, { recursive: true });
  await writeFile(outFile, output.text, 'utf8');
  const written = [outFile];
  for (const file of output.files) {
    // Chart names come from scenario names in the record: they must stay beside the report.
    const target = resolveInside(dir, [file.name], 'report chart');
    await writeFile(target, file.content, 'utf8');
    written.push(target);
  }
  return { summary: renderConsoleSummary(verdicts, { color: options.color }), files: written };
}

/** Writes report.md (and its charts) beside a finished run's record and prints the verdict table. */
export async function writeRunReport(out: RunConsole, runDir: string, record: RunRecord): Promise<void> {
  const { summary, files } = await writeReport(record, path.join(runDir, 'report.md'), { color: useColor(out), gcBench: await readGcBenchResult(runDir) });
  out.stdout(`\n${summary}\n`);
  out.stdout(`report: ${path.relative(out.cwd, files[0] ?? '') || files[0]} (${files.length - 1} chart file(s))\n`);
}

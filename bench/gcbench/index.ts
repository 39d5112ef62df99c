export { parseGoBenchOutput } from './parse.js';
export type { GoBenchLine } from './parse.js';
export { compareGcBenchSamples, interleavedOrder, gcBenchBuilds } from './summary.js';
export type { GcBenchBuild, GcBenchSample, GcBenchComparison, GcBenchResult } from './summary.js';
export { runGcBench, runGcBenchToFile, requiredVersion, defaultGcBenchmarks, defaultGcBenchOptions, gcBenchModuleDir, gcBenchPackage } from './run.js';
export type { GcBenchOptions } from './run.js';
export { readGcBenchResult, GCBENCH_FILE } from './store.js';

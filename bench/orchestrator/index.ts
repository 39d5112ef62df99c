/** The public face of bench/orchestrator/: what other folders import from it. */
export { performClusterAction } from './cluster-job.js';
export { compareJob } from './compare-job.js';
export { cleanupLeftovers, formatChecks, leftoverSources, runChecks } from './doctor.js';
export { runGeneratorBenchmark } from './generator-benchmark.js';
export { appendRunToHistory, showHistory } from './history-job.js';
export { parseGate, parseTargets, performNightly } from './nightly.js';
export { performRun } from './perform-run.js';
export { parseRunArgs, runFlags, runRequestOf } from './run-args.js';
export { withErrorBoundary } from './error-boundary.js';
export { planLimits } from './plan-bounds.js';
export { resumedFlags } from './plan-run.js';
export { renderReport, useColor, writeReport } from './report-files.js';
export { runSelftest } from './selftest-run.js';
export { selftestPaths, selftestProfileNames } from './selftest.js';

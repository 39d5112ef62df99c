export { runProcess, ProcessError, describeFailure } from './run-process.js';
export type { ProcessResult, ProcessRunner, RunProcessOptions } from './run-process.js';

/** The load generators by name: `--load` choices come from here. */
import { infraError } from '../errors.js';
import { AutocannonLoadGenerator } from './autocannon.js';
import { K6LoadGenerator } from './k6.js';
import { NativeLoadGenerator } from './native.js';
import type { LoadGenerator } from './types.js';

export interface LoadGeneratorOptions {
  k6Path?: string | undefined;
  env: NodeJS.ProcessEnv;
}

export const loadGeneratorFactories = {
  native: async (_options: LoadGeneratorOptions): Promise<LoadGenerator> => new NativeLoadGenerator(),
  autocannon: async (_options: LoadGeneratorOptions): Promise<LoadGenerator> => new AutocannonLoadGenerator(),
  k6: (options: LoadGeneratorOptions): Promise<LoadGenerator> =>
    K6LoadGenerator.create({ env: options.env, ...(options.k6Path ? { binary: options.k6Path } : {}) }),
} satisfies Record<string, (options: LoadGeneratorOptions) => Promise<LoadGenerator>>;

export type LoadGeneratorName = keyof typeof loadGeneratorFactories;
export const loadGeneratorNames = Object.keys(loadGeneratorFactories) as LoadGeneratorName[];

/**
 * Creates the named generator and checks it can run here. `auto` takes the first available one; an
 * explicitly named generator that cannot run is an infrastructure error (exit 3) with the fix.
 */
export async function createLoadGenerator(
  name: LoadGeneratorName | 'auto',
  options: LoadGeneratorOptions,
  onSkip: (reason: string) => void = () => undefined,
): Promise<LoadGenerator> {
  // auto: k6 where the user has it, else the built-in generator; the skipped one and why is reported.
  const names: LoadGeneratorName[] = name === 'auto' ? ['k6', 'native'] : [name];
  const reasons: string[] = [];
  for (const candidate of names) {
    const generator = await loadGeneratorFactories[candidate](options);
    const reason = await generator.unavailableReason();
    if (reason === null) return generator;
    reasons.push(`${candidate}: ${reason}`);
    onSkip(`load generator ${candidate} skipped: ${reason}`);
  }
  throw infraError(`no load generator can run: ${reasons.join('; ')}`, 'see `npx bench doctor`');
}

export { AutocannonLoadGenerator } from './autocannon.js';
export { NativeLoadGenerator } from './native.js';
export { runNativeClosedModel } from './closed-model.js';
export { K6LoadGenerator, findK6, k6InstallHint } from './k6.js';
export { runOpenModel, createSchedule, rateAt } from './open-model.js';
export { judgeLoad, LATE_SENDS_REASON, validityThresholds } from './validity.js';
export { createLatencyHistogram, encodeHistogram, decodeHistogram, summarizeHistogram } from './histogram.js';
export type { LoadGenerator, LoadResult, LoadRequest, LoadProgress, LoadRunOptions, LatencySummary } from './types.js';
export { runClosedModel } from './autocannon.js';
export { openModelProcess } from './native.js';
export { successfulRequests } from './validity.js';

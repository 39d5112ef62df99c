export { RUN_RECORD_SCHEMA_VERSION, runRecordSchema, repeatResultSchema } from './schema.js';
export type { RunRecord, RepeatResult, Fingerprint, Placement, EffectiveSettings, Outcome, PlanRecord, RuntimeWindow } from './schema.js';
export { metrics, isMetricName, GC_CPU_THROTTLED_SHARE_LIMIT, gcCpuInflatedByThrottling } from './metrics.js';
export { describeDeath, describeOutcome } from './outcome.js';
export type { MetricName, MetricInfo } from './metrics.js';
export { RunStore, readRunRecord, parseRunRecord, writeFileAtomic, resolveRecordPath, repeatKey, RESULTS_FILE } from './store.js';

export { RUN_RECORD_SCHEMA_VERSION, runRecordSchema, repeatResultSchema } from './schema.js';
export type { RunRecord, RepeatResult, Fingerprint, Placement, EffectiveSettings, Outcome, PlanRecord } from './schema.js';
export { metrics, isMetricName } from './metrics.js';
export type { MetricName, MetricInfo } from './metrics.js';
export { RunStore, readRunRecord, parseRunRecord, writeFileAtomic, resolveRecordPath, repeatKey, RESULTS_FILE } from './store.js';

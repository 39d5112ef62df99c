export { HISTORY_SCHEMA_VERSION, historyEntrySchema, createHistoryEntry, machineKey, environmentDescription, medianOf, seriesKey } from './entry.js';
export type { HistoryEntry } from './entry.js';
export { detectChangePoints, referenceOf, standardise, DEFAULT_CHANGE_POINT_OPTIONS, MAD_TO_SIGMA } from './change-points.js';
export type { ChangePoint, ChangePointOptions } from './change-points.js';
export { buildTrends, groupSeries, cellMatcher, sparkline, formatMetricValue, renderTrendText, renderDriftMarkdown, DEFAULT_TREND_METRICS } from './trend.js';
export type { CellTrend, FlaggedChange, TrendPoint, TrendSelection } from './trend.js';
export { DEFAULT_HISTORY_FILE, parseHistory, readHistory, appendHistoryEntry } from './file.js';
export { selectSeries } from './trend.js';

/** The public face of bench/collect/: what other folders import from it. */
export { hasCpuFigures, readContainerStats, sumContainerStats } from './cadvisor.js';
export type { CadvisorContainerStats } from './cadvisor.js';
export { findContainerCgroup, readCgroupSample } from './cgroup.js';
export type { CgroupPaths } from './cgroup.js';
export { clusterCommands, engineCommands, HOST_BUSY_REASON, hostActivity, hostBusyReason, readHostCpu } from './host-activity.js';
export type { HostCpuSnapshot } from './host-activity.js';
export { hpaEventReasons, parseRescaleSize, summarizeHpaTimeline } from './hpa-timeline.js';
export type { ReplicaSample, ScalingEvent } from './hpa-timeline.js';
export { loadResultMetrics, summariseLoadWindow } from './load-window.js';
export type { RuntimeSnapshot } from './runtime-snapshot.js';
export type { ContainerSample } from './sample.js';

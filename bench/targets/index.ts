export { DockerTarget, RUN_LABEL, waitForReady, fetchRuntime } from './docker/docker-target.js';
export { ensureServiceImage, buildBinary, imageKey, parseBuildOutput } from './images.js';
export type { ServiceImage, BuiltBinary, ImageDeps } from './images.js';
export { serviceEnv, settingsMismatches, expectedAutoGomaxprocs, goMemLimitBytes, unawareNodeCpus, MiB } from './service-env.js';
export type { Target, TargetCapabilities, ServiceHandle, ContainerSample, DeployOptions, TargetObserver } from './types.js';

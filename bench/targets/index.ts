export { DockerTarget, RUN_LABEL } from './docker/docker-target.js';
export { httpGet, waitForReady, fetchRuntime } from './http.js';
export { ensureServiceImage, buildBinary, imageKey, parseBuildOutput } from './images.js';
export type { ServiceImage, BuiltBinary, ImageDeps } from './images.js';
export { serviceEnv, settingsMismatches, expectedAutoGomaxprocs, goMemLimitBytes, unawareNodeCpus, MiB } from './service-env.js';
export { capability } from './types.js';
export type {
  Target,
  Capabilities,
  Sampler,
  ScalingObserver,
  Rollout,
  ImageBuilder,
  ServiceHandle,
  ContainerSample,
  DeployOptions,
  TargetObserver,
} from './types.js';
export { forbiddenError } from './kubernetes/forbidden.js';
export { selectRunsToRemove } from './owner.js';
export type { CleanupSelection, RunLeftovers } from './owner.js';
export { createTarget } from './registry.js';
export type { TargetFlags } from './registry.js';

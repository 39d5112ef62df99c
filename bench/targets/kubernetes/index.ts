export { createKubernetesTarget, KubernetesTarget, waitForHttpReady, parseCpuMillicores, parseBytes } from './kubernetes-target.js';
export type { KubernetesTargetOptions, EnsureImage } from './kubernetes-target.js';
export { createFunctionImageLoader, createRegistryImageLoader, registryReference } from './image-loader.js';
export type { ImageLoader } from './image-loader.js';
export {
  buildCellObjects,
  buildDeployment,
  buildService,
  buildHorizontalPodAutoscaler,
  buildNamespace,
  buildEnv,
  buildResources,
  namespaceName,
  runLabelValue,
  objectName,
  cellKey,
  defaultHpaOptions,
  RUN_LABEL,
  CELL_LABEL,
} from './objects.js';
export type { HpaOptions, CellObjectOptions } from './objects.js';
export { createKubeClients } from './client.js';
export type { KubeClients } from './client.js';
export { applyPodEvent, summarizePodStartup, countPods } from './pod-timeline.js';
export type { PodLifecycle, PodLike } from './pod-timeline.js';
export { listAndWatch, waitForWatch } from './watches.js';

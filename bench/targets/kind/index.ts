export {
  createKindTarget,
  kindClusterOf,
  bringUpKindCluster,
  kindClusterProvider,
  kindImageLoader,
  KIND_NODE_PORT,
  DEFAULT_KIND_CLUSTER,
} from './kind-target.js';
export type { KindTargetOptions } from './kind-target.js';
export {
  KindCluster,
  KIND_VERSION,
  buildKindConfig,
  readKindBaseConfig,
  createClusterArgs,
  loadImageArgs,
  deleteClusterArgs,
  kindContext,
  validateClusterName,
  defaultKindProvider,
  kindOnPath,
  kindFromGoTool,
} from './kind-cluster.js';
export type { KindConfig, PortMapping, KindCommand, KindClusterOptions } from './kind-cluster.js';
export { installMetricsServer, readMetricsServerManifest, manifestImage, applyObjects } from './metrics-server.js';
export { buildNodeImage, isBuiltNodeImage, withBuiltNodeSettings, BUILT_NODE_IMAGE_REPOSITORY } from './node-image.js';
export type { KindProvider } from './node-image.js';
export { kindProviderReason, missingCapabilities } from './provider-check.js';

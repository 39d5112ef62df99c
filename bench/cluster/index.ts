export {
  createLocalCluster,
  parseLocalClusterStatus,
  resolveLocalK8sDir,
  scriptFailure,
  validateImageTag,
  localClusterStatusSchema,
  LOCAL_CONTEXT_NAME,
  LOCAL_KUBECONFIG_PATH,
} from './local.js';
export type { LocalCluster, LocalClusterOptions, LocalClusterStatus, LocalClusterUp } from './local.js';

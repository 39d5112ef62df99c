/**
 * Where the Kubernetes target's cluster comes from. The target does the work on any cluster; a provider
 * only makes the cluster exist before it (and removes it after, when the run made it). kind is one
 * provider (bench/targets/kind), the local single-node cluster and any cluster named by `--context` need
 * none: they exist before the run, and `bench cluster up` makes the local one.
 */
import type { TargetVersions } from '../types.js';
import type { KubeClients } from './client.js';

export interface ClusterProvider {
  /** For logs: `kind (bench)`. */
  readonly name: string;
  /** Makes the cluster exist (creates it, or reuses one); called once, before the target connects. */
  provision(signal: AbortSignal): Promise<void>;
  /** Whether the cluster exists, without making it (`bench doctor --cleanup` from a fresh process). */
  exists(): Promise<boolean>;
  /** Once the target's clients answer: what the cluster needs before cells run (metrics-server on kind). */
  ready?(clients: KubeClients, signal: AbortSignal): Promise<void>;
  /** What the provider knows of its cluster for the run's fingerprint (kind: its version and node image). */
  versions?(): Promise<Pick<TargetVersions, 'kind' | 'kindNodeImage'>>;
  /** Removes what `provision` made (a cluster this run created, unless kept). */
  release(): Promise<void>;
}

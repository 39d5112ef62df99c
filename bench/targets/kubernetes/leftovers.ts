/**
 * A run's namespaces on a cluster, with their owner labels, for `bench doctor --cleanup`: found by the
 * run label, grouped by run, deleted by run (the namespace takes everything of the run with it).
 */
import type { V1Namespace, V1NamespaceList } from '@kubernetes/client-node';
import { OWNER_LABELS, ownerFromLabels, type RunLeftovers } from '../owner.js';
import { RUN_LABEL, runLabelValue } from './objects.js';

/** The two calls this needs of the core API (a fake in unit tests). */
export interface NamespaceApi {
  listNamespace(request: { labelSelector: string }): Promise<V1NamespaceList>;
  deleteNamespace(request: { name: string; propagationPolicy: string }): Promise<unknown>;
}

/** Deadline of one API call: an API server that accepts but never answers must not hang doctor. */
const API_CALL_TIMEOUT_MS = 15_000;

async function withDeadline<T>(what: string, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the API server did not answer ${what} within ${API_CALL_TIMEOUT_MS / 1000} s`)), API_CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Namespaces of every run on the cluster, grouped by run (the run label's value). */
export async function findRunNamespaces(api: NamespaceApi): Promise<RunLeftovers[]> {
  const list = await withDeadline('list namespaces', api.listNamespace({ labelSelector: RUN_LABEL }));
  const runs = new Map<string, RunLeftovers>();
  for (const ns of list.items as V1Namespace[]) {
    const labels = ns.metadata?.labels ?? {};
    const runId = labels[RUN_LABEL] ?? '';
    const stamped = Number(labels[OWNER_LABELS.createdAtMs]);
    const created = Number.isFinite(stamped)
      ? stamped
      : ns.metadata?.creationTimestamp === undefined
        ? null
        : new Date(ns.metadata.creationTimestamp).getTime();
    const run = runs.get(runId) ?? { runId, owner: ownerFromLabels(labels), createdAtMs: null, objects: [] };
    if (created !== null) run.createdAtMs = Math.min(run.createdAtMs ?? created, created);
    run.objects.push(`namespace ${ns.metadata?.name ?? '?'}${ns.status?.phase === 'Terminating' ? ' (terminating)' : ''}`);
    runs.set(runId, run);
  }
  return [...runs.values()];
}

/** Deletes the namespaces of one run (not waiting for them to go); returns how many. */
export async function deleteRunNamespaces(api: NamespaceApi, runId: string): Promise<number> {
  const list = await withDeadline('list namespaces', api.listNamespace({ labelSelector: `${RUN_LABEL}=${runLabelValue(runId)}` }));
  const names = list.items.map((n) => n.metadata?.name).filter((n): n is string => n !== undefined);
  for (const name of names) await withDeadline(`delete namespace ${name}`, api.deleteNamespace({ name, propagationPolicy: 'Background' }));
  return names.length;
}

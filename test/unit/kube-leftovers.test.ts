import type { V1NamespaceList } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deleteRunNamespaces, findRunNamespaces, type NamespaceApi } from '../../bench/targets/kubernetes/leftovers.js';

function fakeApi(namespaces: Array<{ name: string; labels: Record<string, string>; created?: string }>) {
  const deleted: string[] = [];
  const selectors: string[] = [];
  const api: NamespaceApi = {
    async listNamespace({ labelSelector }) {
      selectors.push(labelSelector);
      const [key, value] = labelSelector.split('=');
      const items = namespaces
        .filter((n) => key !== undefined && n.labels[key] !== undefined && (value === undefined || n.labels[key] === value))
        .map((n) => ({ metadata: { name: n.name, labels: n.labels, ...(n.created === undefined ? {} : { creationTimestamp: new Date(n.created) }) } }));
      return { items } as V1NamespaceList;
    },
    async deleteNamespace({ name }) {
      deleted.push(name);
      return {};
    },
  };
  return { api, deleted, selectors };
}

const owner = { 'bench.owner-pid': '42', 'bench.owner-host': 'box', 'bench.owner-boot-id': 'b', 'bench.owner-start': '7' };

describe('namespaces of runs on a cluster', () => {
  it('groups by run with the owner and the creation time', async () => {
    const { api } = fakeApi([
      { name: 'bench-run-a', labels: { 'bench.run-id': 'run-a', ...owner, 'bench.created-at': '5000' } },
      { name: 'bench-run-b', labels: { 'bench.run-id': 'run-b' }, created: '2026-01-01T00:00:00Z' },
      { name: 'default', labels: {} },
    ]);
    const runs = await findRunNamespaces(api);
    expect(runs).toEqual([
      { runId: 'run-a', owner: { pid: 42, host: 'box', bootId: 'b', startTicks: '7' }, createdAtMs: 5000, objects: ['namespace bench-run-a'] },
      { runId: 'run-b', owner: null, createdAtMs: Date.parse('2026-01-01T00:00:00Z'), objects: ['namespace bench-run-b'] },
    ]);
  });

  it("deletes only the named run's namespaces", async () => {
    const { api, deleted, selectors } = fakeApi([
      { name: 'bench-run-a', labels: { 'bench.run-id': 'run-a' } },
      { name: 'bench-run-b', labels: { 'bench.run-id': 'run-b' } },
    ]);
    expect(await deleteRunNamespaces(api, 'run-b')).toBe(1);
    expect(deleted).toEqual(['bench-run-b']);
    expect(selectors).toEqual(['bench.run-id=run-b']);
  });
});

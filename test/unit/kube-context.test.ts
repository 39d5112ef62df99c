import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKubeClients, isThisMachine } from '../../bench/targets/kubernetes/client.js';

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: remote, context: { cluster: c, user: u } }]
current-context: remote
`;

describe('--context must be a cluster on this machine', () => {
  it.each([
    ['https://127.0.0.1:6443', true],
    ['https://127.3.2.1:40123', true],
    ['https://[::1]:6443', true],
    ['https://localhost:6443', true],
    ['https://10.1.2.3:6443', true],
    ['https://my-box:6443', true],
    ['https://203.0.113.7:6443', false],
    ['https://k8s.example.com', false],
    ['https://[2001:db8::1]:6443', false],
    ['not a url', false],
  ])('%s → %s', (server, local) => {
    expect(isThisMachine(server, ['10.1.2.3', 'my-box'])).toBe(local);
  });

  it('refuses a remote context with a clear usage error, before any API call', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'bench-kube-')), 'config');
    await writeFile(file, kubeconfig('https://203.0.113.7:6443'));
    expect(() => createKubeClients({ kubeconfig: file, context: 'remote' })).toThrow(
      'context remote: its API server https://203.0.113.7:6443 is not this machine',
    );
    await writeFile(file, kubeconfig('https://127.0.0.1:6443'));
    expect(createKubeClients({ kubeconfig: file, context: 'remote' }).context).toBe('remote');
  });
});

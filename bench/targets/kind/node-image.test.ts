import { describe, expect, test } from 'vitest';
import { defaultKindProvider } from './kind-cluster.js';
import { buildNodeImage, isBuiltNodeImage, withBuiltNodeSettings } from './node-image.js';
import type { ProcessRunner } from '../../exec/index.js';

describe('the node image built here', () => {
  test('is recognised by its repository, and runs on podman unless the user names another image', () => {
    expect(isBuiltNodeImage('localhost/bench-kind-node:v1.34.4-5deca21d0255')).toBe(true);
    expect(isBuiltNodeImage('kindest/node:v1.34.0')).toBe(false);
    expect(isBuiltNodeImage(undefined)).toBe(false);
    expect(defaultKindProvider(undefined, {})).toBe('podman');
    expect(defaultKindProvider('localhost/bench-kind-node:v1.34.4-x', {})).toBe('podman');
    expect(defaultKindProvider('kindest/node:v1.34.0', {})).toBe('docker');
    expect(defaultKindProvider('kindest/node:v1.34.0', { KIND_EXPERIMENTAL_PROVIDER: 'podman' })).toBe('podman');
  });

  test("turns kind's CNI, kube-proxy and CoreDNS off and points kubeadm at the image's patches, keeping the user's settings", () => {
    const config = withBuiltNodeSettings({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      networking: { apiServerAddress: '127.0.0.1' },
      kubeadmConfigPatches: ['kind: ClusterConfiguration\n'],
    });
    expect(config.networking).toEqual({
      apiServerAddress: '127.0.0.1',
      disableDefaultCNI: true,
      kubeProxyMode: 'none',
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    });
    const patches = config.kubeadmConfigPatches as string[];
    expect(patches[0]).toBe('kind: ClusterConfiguration\n');
    expect(patches[1]).toContain('skipPhases: [preflight, addon/kube-proxy, addon/coredns]');
    expect(patches[1]).toContain('directory: /kind/patches');
  });

  test("returns the build script's last line as the tag, and explains a failure with the fix", async () => {
    const ok: ProcessRunner = async () => ({ stdout: 'noise\nlocalhost/bench-kind-node:v1.34.4-abc\n', stderr: '', code: 0 }) as never;
    await expect(buildNodeImage(ok)).resolves.toBe('localhost/bench-kind-node:v1.34.4-abc');
    const odd: ProcessRunner = async () => ({ stdout: 'something else\n', stderr: '', code: 0 }) as never;
    await expect(buildNodeImage(odd)).rejects.toThrow(/not a localhost\/bench-kind-node tag/);
    const failed: ProcessRunner = async () => {
      throw new Error('kind node image: needs root');
    };
    await expect(buildNodeImage(failed)).rejects.toMatchObject({ hint: expect.stringContaining('--node-image') });
  });
});

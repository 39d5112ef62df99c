import { describe, expect, it } from 'vitest';
import { registryReference } from './image-loader.js';
import { createKubernetesTarget, parseBytes, parseCpuMillicores } from './kubernetes-target.js';

describe('metrics API quantities', () => {
  it('CPU to millicores', () => {
    expect(parseCpuMillicores('250m')).toBe(250);
    expect(parseCpuMillicores('1')).toBe(1000);
    expect(parseCpuMillicores('1500000n')).toBe(1.5);
    expect(parseCpuMillicores('2500u')).toBe(2.5);
    expect(parseCpuMillicores('x')).toBeNaN();
  });

  it('memory to bytes', () => {
    expect(parseBytes('12345Ki')).toBe(12345 * 1024);
    expect(parseBytes('64Mi')).toBe(64 * 1048576);
    expect(parseBytes('1G')).toBe(1e9);
    expect(parseBytes('1000')).toBe(1000);
  });
});

describe('options', () => {
  it('--image-registry references', () => {
    expect(registryReference('registry.example.com:5000/bench/', 'refsvc:abc')).toBe('registry.example.com:5000/bench/refsvc:abc');
    expect(() => registryReference('https://x', 'refsvc:abc')).toThrow('--image-registry https://x: not a registry host[/path] reference');
  });

  it('ports are checked before anything connects', () => {
    const base = {
      imageLoader: { name: 'x', pullPolicy: 'Never' as const, load: async () => undefined },
      ensureImage: async () => ({ tag: 't', id: 'i', bytes: 0, binaryBytes: 0 }),
    };
    expect(() => createKubernetesTarget({ ...base, nodePort: 80 })).toThrow('nodePort must be in the NodePort range 30000-32767 (got 80)');
    expect(() => createKubernetesTarget({ ...base, hostPort: 70000 })).toThrow('hostPort must be a TCP port (got 70000)');
  });
});

describe('kubernetesTargetFromFlags', () => {
  it('a cluster other than the local one needs --image-registry', async () => {
    const { kubernetesTargetFromFlags } = await import('./from-flags.js');
    expect(() => kubernetesTargetFromFlags({ context: 'prod' }, { log: () => undefined })).toThrow(
      /--context prod: no way to get the service image onto the nodes/,
    );
  });
});

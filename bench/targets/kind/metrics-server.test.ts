import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { manifestImage, metricsServerImageScript, readMetricsServerManifest } from './metrics-server.js';

describe('metrics-server manifest (infra/k8s)', () => {
  it('is pinned to v0.8.0, with --kubelet-insecure-tls, and names the image the build script makes', async () => {
    const objects = await readMetricsServerManifest();
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'ServiceAccount/metrics-server',
      'ClusterRole/system:aggregated-metrics-reader',
      'ClusterRole/system:metrics-server',
      'RoleBinding/metrics-server-auth-reader',
      'ClusterRoleBinding/metrics-server:system:auth-delegator',
      'ClusterRoleBinding/system:metrics-server',
      'Service/metrics-server',
      'Deployment/metrics-server',
      'APIService/v1beta1.metrics.k8s.io',
    ]);
    const image = manifestImage(objects);
    expect(image).toBe('registry.k8s.io/metrics-server/metrics-server:v0.8.0');
    const deployment = objects.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } };
    expect(deployment.spec.template.spec.containers[0]?.args).toContain('--kubelet-insecure-tls');
    const { stdout } = await promisify(execFile)('bash', [metricsServerImageScript, '--print-tag']);
    expect(stdout.trim(), 'the script builds the tag the manifest runs').toBe(image);
  });
});

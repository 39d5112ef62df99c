import { describe, expect, it } from 'vitest';
import { forbiddenError, parseForbidden } from './forbidden.js';

// The Status body the API server sends with a 403 (kube-apiserver's wording).
const status = (message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message });
const deployments =
  'deployments.apps is forbidden: User "system:serviceaccount:ci:bench" cannot create resource "deployments" in API group "apps" in the namespace "bench-20261207-x"';

describe('a 403 from the API server', () => {
  it('names the user, verb, resource, group and namespace', () => {
    expect(parseForbidden(deployments)).toEqual({
      user: 'system:serviceaccount:ci:bench',
      verb: 'create',
      resource: 'deployments',
      group: 'apps',
      namespace: 'bench-20261207-x',
    });
    expect(parseForbidden('nodes "vm" is forbidden: User "u" cannot get resource "nodes/proxy" in API group "" at the cluster scope')).toEqual({
      user: 'u',
      verb: 'get',
      resource: 'nodes/proxy',
      group: '',
      namespace: null,
    });
  });

  it('becomes an infrastructure error (exit 3) with the missing RBAC rule as the hint', () => {
    const e = forbiddenError({ code: 403, body: status(deployments) });
    expect(e?.exitCode).toBe(3);
    expect(e?.message).toBe(
      'the Kubernetes API server refused: user "system:serviceaccount:ci:bench" may not create deployments (API group apps) in namespace bench-20261207-x',
    );
    expect(e?.hint).toMatch(
      /^grant the RBAC rule \{ apiGroups: \["apps"\], resources: \["deployments"\], verbs: \["create"\] \}; infra\/k8s\/bench-rbac\.yaml/,
    );
  });

  it('says what it can of an unusual 403, and leaves other errors alone', () => {
    expect(forbiddenError({ code: 403, body: 'nope' })?.message).toBe('the Kubernetes API server refused a call (403 Forbidden): nope');
    expect(forbiddenError({ code: 404, body: status('not found') })).toBeNull();
    expect(forbiddenError(new Error('x'))).toBeNull();
  });
});

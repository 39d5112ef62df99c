/**
 * A 403 from the Kubernetes API server, said as what it is: which user may not do which verb on which
 * resource, and the RBAC rule that would allow it (`infra/k8s/bench-rbac.yaml` has every rule bench
 * needs). Recognised from the error's shape (an `ApiException` of @kubernetes/client-node: `code` and a
 * Status `body`), so the CLI's error boundary can use it without loading the client. Pure.
 */
import { infraError, type BenchError } from '../../errors.js';

export interface Forbidden {
  user: string | null;
  verb: string;
  resource: string;
  group: string;
  namespace: string | null;
}

/** The parts of the API server's "forbidden" message, or null when it is not one. Exported for tests. */
export function parseForbidden(message: string): Forbidden | null {
  const m = /(?:User "([^"]*)" )?cannot (\w+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/.exec(message);
  if (m === null) return null;
  return { user: m[1] ?? null, verb: m[2] as string, resource: m[3] as string, group: m[4] as string, namespace: m[5] ?? null };
}

function statusMessage(body: unknown): string | null {
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return body !== null && typeof body === 'object' ? ((body as { message?: string }).message ?? null) : null;
}

/** A BenchError (exit 3) for a 403 of the API server, naming the rule that is missing; null for anything else. */
export function forbiddenError(error: unknown): BenchError | null {
  const e = error as { code?: unknown; body?: unknown } | null;
  if (e === null || typeof e !== 'object' || e.code !== 403) return null;
  const message = statusMessage(e.body) ?? '';
  const f = parseForbidden(message);
  if (f === null) {
    return infraError(
      `the Kubernetes API server refused a call (403 Forbidden): ${message.slice(0, 300) || 'no reason given'}`,
      'the user of this context lacks a permission bench needs: apply infra/k8s/bench-rbac.yaml (docs/kubernetes-rbac.md)',
      error,
    );
  }
  const rule = `{ apiGroups: ["${f.group}"], resources: ["${f.resource}"], verbs: ["${f.verb}"] }`;
  return infraError(
    `the Kubernetes API server refused: ${f.user === null ? 'this user' : `user "${f.user}"`} may not ${f.verb} ${f.resource}${f.group === '' ? '' : ` (API group ${f.group})`}${f.namespace === null ? '' : ` in namespace ${f.namespace}`}`,
    `grant the RBAC rule ${rule}${f.namespace === null ? ' in a ClusterRole' : ''}; infra/k8s/bench-rbac.yaml has every rule bench needs (docs/kubernetes-rbac.md)`,
    error,
  );
}

// What the background audit needs from RBAC, asked of the apiserver once at startup with
// SelfSubjectAccessReviews (which any authenticated user may create), so a missing permission shows up
// as one clear log line instead of a 403 per scan.

import type { AuthorizationV1Api } from '@kubernetes/client-node';
import type { Registry } from '../engine/registry.ts';
import { REPORT_GROUP } from './report.ts';

export interface Permission {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export function describe(p: Permission): string {
  const res = p.group ? `${p.resource}.${p.group}` : p.resource;
  return `${p.verb} ${res}${p.name ? `/${p.name}` : ''}${p.namespace ? ` in ${p.namespace}` : ' (cluster-wide)'}`;
}

export function neededPermissions(registry: Registry, opts: { reports: boolean; leaseNamespace: string; leaseName: string }): Permission[] {
  const out: Permission[] = registry.kinds.map((k) => ({ verb: 'list', group: k.group, resource: k.plural }));
  if (opts.reports) {
    for (const resource of ['policyreports', 'clusterpolicyreports']) {
      for (const verb of ['list', 'get', 'create', 'update', 'delete']) out.push({ verb, group: REPORT_GROUP, resource });
    }
  }
  out.push({ verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: opts.leaseNamespace });
  for (const verb of ['get', 'update']) out.push({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace: opts.leaseNamespace, name: opts.leaseName });
  return out;
}

/** The permissions the apiserver says we lack. Throws when the reviews themselves cannot be made. */
export async function missingPermissions(api: Pick<AuthorizationV1Api, 'createSelfSubjectAccessReview'>, wanted: readonly Permission[]): Promise<Permission[]> {
  const answers = await Promise.all(
    wanted.map(async (p) => {
      const review = await api.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              verb: p.verb,
              group: p.group,
              resource: p.resource,
              ...(p.namespace ? { namespace: p.namespace } : {}),
              ...(p.name ? { name: p.name } : {}),
            },
          },
        },
      });
      return review.status?.allowed === true;
    }),
  );
  return wanted.filter((_, i) => !answers[i]);
}

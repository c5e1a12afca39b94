// API clients for the audit with a deadline on every request: client-node sets none, and a list or a
// lease renewal that hangs on a half-open connection must fail (and be retried) rather than stall the loop.

import {
  AuthorizationV1Api,
  CoordinationV1Api,
  createConfiguration,
  CustomObjectsApi,
  KubernetesObjectApi,
  ServerConfiguration,
  type Configuration,
  type KubeConfig,
} from '@kubernetes/client-node';

export interface AuditClients {
  objects: KubernetesObjectApi;
  custom: CustomObjectsApi;
  leases: CoordinationV1Api;
  authz: AuthorizationV1Api;
}

export interface ClientTimeouts {
  /** One page of a list (large pages of large objects take a while). */
  listMs: number;
  /** Report writes and reads. */
  writeMs: number;
  /** Lease reads and writes: well under the renew deadline, so a hung call cannot eat it. */
  leaseMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = { listMs: 30_000, writeMs: 10_000, leaseMs: 4_000 };

export function configurationWithTimeout(kc: KubeConfig, timeoutMs: number): Configuration {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return ctx;
        },
        post: async (res) => res,
      },
    ],
  });
}

export function auditClients(kc: KubeConfig, t: ClientTimeouts = DEFAULT_TIMEOUTS): AuditClients {
  const objects = new KubernetesObjectApi(configurationWithTimeout(kc, t.listMs));
  return {
    objects,
    custom: new CustomObjectsApi(configurationWithTimeout(kc, t.writeMs)),
    leases: new CoordinationV1Api(configurationWithTimeout(kc, t.leaseMs)),
    authz: new AuthorizationV1Api(configurationWithTimeout(kc, t.writeMs)),
  };
}

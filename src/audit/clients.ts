// API clients for the audit:
// - a deadline on every request: client-node sets none, and a list or a lease renewal that hangs on a
//   half-open connection must fail (and be retried) rather than stall the loop;
// - one connection pool: client-node 2 builds a new undici Agent (so a new TLS connection, kept alive
//   afterwards) for every request; a scan that writes thousands of reports would open thousands of
//   connections. The pool is rebuilt every few minutes so rotated client certificates and CAs are picked up.

import {
  ApiException,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  HttpMethod,
  ServerConfiguration,
  type Configuration,
  type KubeConfig,
  type RequestContext,
  type SecurityAuthentication,
} from '@kubernetes/client-node';
import type { KObject } from '../engine/types.ts';
import type { ListPage } from './list.ts';

export interface AuditClients {
  list: ListPage;
  custom: CustomObjectsApi;
  leases: CoordinationV1Api;
  authz: AuthorizationV1Api;
  /** Events in meshguard's namespace (only when events are on). */
  core: CoreV1Api;
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

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** kc's authentication (headers, exec/token refresh, TLS material), with its per-request dispatcher replaced by a shared one. */
export class SharedConnectionAuth implements SecurityAuthentication {
  readonly #kc: KubeConfig;
  readonly #maxAgeMs: number;
  #shared: { dispatcher: Dispatcher; since: number } | undefined;

  constructor(kc: KubeConfig, maxAgeMs = 5 * 60_000) {
    this.#kc = kc;
    this.#maxAgeMs = maxAgeMs;
  }

  getName(): string {
    return 'kubeconfig authentication, shared connections';
  }

  async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
    await this.#kc.applySecurityAuthentication(ctx);
    const fresh = ctx.getDispatcher();
    if (!fresh) return; // plain HTTP without TLS options: fetch's global pool already applies
    const now = Date.now();
    if (!this.#shared || now - this.#shared.since > this.#maxAgeMs) {
      const old = this.#shared?.dispatcher;
      this.#shared = { dispatcher: fresh, since: now };
      // close() lets requests in flight finish, then drops the idle connections.
      void old?.close().catch(() => undefined);
    }
    ctx.setDispatcher(this.#shared.dispatcher);
  }
}

export function configurationWithTimeout(kc: KubeConfig, timeoutMs: number, auth: SecurityAuthentication = new SharedConnectionAuth(kc)): Configuration {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: auth },
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
  const auth = new SharedConnectionAuth(kc);
  return {
    list: rawLister(kc, t.listMs, auth),
    custom: new CustomObjectsApi(configurationWithTimeout(kc, t.writeMs, auth)),
    leases: new CoordinationV1Api(configurationWithTimeout(kc, t.leaseMs, auth)),
    authz: new AuthorizationV1Api(configurationWithTimeout(kc, t.writeMs, auth)),
    core: new CoreV1Api(configurationWithTimeout(kc, t.writeMs, auth)),
  };
}

/**
 * Lists by REST path and returns the JSON as the apiserver sent it. client-node's generic
 * KubernetesObjectApi.list deserializes a custom resource list's metadata as object metadata, which drops
 * `continue`: only the first page would ever be read. The path also needs no discovery round trip.
 */
export function rawLister(kc: KubeConfig, timeoutMs: number, auth: SecurityAuthentication = new SharedConnectionAuth(kc)): ListPage {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const server = new ServerConfiguration(cluster.server, {});
  const http = createConfiguration().httpApi;
  return async ({ apiVersion, plural, limit, continueToken }) => {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}/${plural}` : `/api/${apiVersion}/${plural}`;
    const ctx = server.makeRequestContext(path, HttpMethod.GET);
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setQueryParam('limit', String(limit));
    if (continueToken) ctx.setQueryParam('continue', continueToken);
    await auth.applySecurityAuthentication(ctx);
    ctx.setSignal(AbortSignal.timeout(timeoutMs));
    const res = await http.send(ctx).toPromise();
    const text = await res.body.text();
    if (res.httpStatusCode < 200 || res.httpStatusCode > 299) throw new ApiException(res.httpStatusCode, 'Unsuccessful HTTP Request', text, res.headers);
    return JSON.parse(text) as { items: KObject[]; metadata?: { continue?: string } };
  };
}

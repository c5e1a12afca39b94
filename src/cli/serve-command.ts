// Options → running server; SIGTERM/SIGINT drain in-flight requests and exit 0.

import type { Mode } from '../admission/mode.ts';
import { createLogger } from '../server/logger.ts';
import { startServer, type ContextSource } from '../server/serve.ts';
import { topologyFileSource } from '../server/topology-file.ts';
import { createMetrics } from '../server/metrics.ts';
import { kubeConfigLocation } from '../kube/location.ts';
import type { BackgroundAudit } from '../audit/background.ts';
import { buildRegistry } from '../rules/index.ts';
import { InputError } from './inputs.ts';

export interface ServeCliOptions {
  tlsCert: string;
  tlsKey: string;
  port: number;
  healthPort: number;
  host: string;
  mode: Mode;
  config?: string;
  kubeconfig?: string;
  topology?: string;
  auditInterval: number;
  auditReports: string;
  events: string;
  leaseNamespace: string;
  leaseName: string;
  bodyLimit: number;
}

export async function runServe(opts: ServeCliOptions): Promise<void> {
  const reports = parseBool(opts.auditReports, '--audit-reports');
  const events = parseBool(opts.events, '--events');
  const log = createLogger();
  const sources: ContextSource[] = [];
  const metrics = createMetrics();
  if (opts.topology) sources.push(topologyFileSource(opts.topology, log, metrics));
  // The Kubernetes client (and everything that uses it) is loaded only when there are credentials to use.
  const kube = kubeConfigLocation(opts.kubeconfig) ? await loadKube(opts.kubeconfig) : undefined;
  const kc = kube?.kc;
  let audit: BackgroundAudit | undefined;
  let cluster: ContextSource | undefined;
  if (kube && kc) {
    cluster = kube.clusterSource(kc, { log, metrics, onTopologyChange: () => audit?.topologyChanged() });
    sources.push(cluster);
  } else log.info({ event: 'kube.none' }, 'no kubeconfig: running without cluster lookups; topology rules use --topology or are skipped');
  const server = await startServer(
    { tlsCert: opts.tlsCert, tlsKey: opts.tlsKey, port: opts.port, healthPort: opts.healthPort, host: opts.host, mode: opts.mode, bodyLimit: opts.bodyLimit, log, metrics, ...(opts.config ? { config: opts.config } : {}) },
    sources,
  );
  if (opts.auditInterval > 0 && kube && kc) {
    audit = new kube.BackgroundAudit({
      clients: kube.auditClients(kc),
      registry: buildRegistry(),
      intervalSeconds: opts.auditInterval,
      reports,
      events,
      leaseNamespace: opts.leaseNamespace,
      leaseName: opts.leaseName,
      log,
      metrics,
      overrides: () => server.config().overrides,
      clusterDomain: () => server.config().clusterDomain,
      lookups: () => cluster?.lookups?.(),
    });
    audit.start();
  } else if (opts.auditInterval > 0) {
    log.warn({ event: 'audit.disabled' }, 'background audit needs cluster access (a kubeconfig or in-cluster credentials): not running');
  }
  const stop = (signal: string) => {
    log.info({ event: 'server.signal', signal }, 'shutting down');
    // The audit releases its Lease while admission drains, so another replica takes over at once.
    void Promise.all([audit?.stop(), server.shutdown()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function loadKube(file: string | undefined) {
  const [{ loadKubeConfig }, { clusterSource }, { BackgroundAudit }, { auditClients }] = await Promise.all([
    import('../kube/client.ts'),
    import('../kube/informers.ts'),
    import('../audit/background.ts'),
    import('../audit/clients.ts'),
  ]);
  return { kc: loadKubeConfig(file), clusterSource, BackgroundAudit, auditClients };
}

function parseBool(value: string, flag: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InputError(`${flag} must be true or false, not ${JSON.stringify(value)}`);
}

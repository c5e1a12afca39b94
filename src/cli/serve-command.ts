// Options → running server; SIGTERM/SIGINT drain in-flight requests and exit 0.

import type { Mode } from '../admission/mode.ts';
import { createLogger } from '../server/logger.ts';
import { startServer, type ContextSource } from '../server/serve.ts';
import { topologyFileSource } from '../server/topology-file.ts';
import { createMetrics } from '../server/metrics.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { clusterSource } from '../kube/informers.ts';

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
  leaseNamespace: string;
  leaseName: string;
  bodyLimit: number;
}

export async function runServe(opts: ServeCliOptions): Promise<void> {
  const log = createLogger();
  const sources: ContextSource[] = [];
  const metrics = createMetrics();
  if (opts.topology) sources.push(topologyFileSource(opts.topology, log, metrics));
  const kc = loadKubeConfig(opts.kubeconfig);
  if (kc) sources.push(clusterSource(kc, { log, metrics }));
  else log.info({ event: 'kube.none' }, 'no kubeconfig: running without cluster lookups; topology rules use --topology or are skipped');
  const server = await startServer(
    { tlsCert: opts.tlsCert, tlsKey: opts.tlsKey, port: opts.port, healthPort: opts.healthPort, host: opts.host, mode: opts.mode, bodyLimit: opts.bodyLimit, log, metrics, ...(opts.config ? { config: opts.config } : {}) },
    sources,
  );
  const stop = (signal: string) => {
    log.info({ event: 'server.signal', signal }, 'shutting down');
    void server.shutdown().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

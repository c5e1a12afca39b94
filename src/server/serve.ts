// `meshguard serve`: wires sources (certificate, config, topology, cluster caches) to the two listeners,
// sets timeouts against slow clients, and drains in-flight requests on SIGTERM.

import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { AdmissionState } from '../admission/handle.ts';
import type { Mode } from '../admission/mode.ts';
import { DEFAULT_CONFIG, parseConfig, type MeshguardConfig } from '../config/config.ts';
import { WatchedFile } from '../config/watched-file.ts';
import type { ClusterLookups, TopologyView } from '../engine/context.ts';
import { buildRegistry } from '../rules/index.ts';
import { createAdmissionApp, DEFAULT_BODY_LIMIT } from './app.ts';
import { createHealthApp, type ReadinessCheck } from './health.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { CertSource, TLS12_CIPHERS, TLS_MIN_VERSION } from './tls.ts';

export interface ServeOptions {
  tlsCert: string;
  tlsKey: string;
  port: number;
  healthPort: number;
  host: string;
  mode: Mode;
  config?: string;
  bodyLimit?: number;
  /** Seconds to finish in-flight requests after SIGTERM. */
  shutdownGraceSeconds?: number;
  /** Header and whole-request timeouts against slow clients (defaults 10 s and 15 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  certPollMs?: number;
  log: Logger;
  /** Shared with the context sources so one /metrics shows everything. */
  metrics?: Metrics;
}

/** Something that keeps a part of the rule context current (topology file, informers). */
export interface ContextSource {
  name: string;
  topology?: () => TopologyView | undefined;
  lookups?: () => ClusterLookups | undefined;
  ready: () => boolean;
  start: () => Promise<void> | void;
  stop: () => Promise<void> | void;
}

export interface RunningServer {
  admissionPort: number;
  healthPort: number;
  metrics: Metrics;
  certs: CertSource;
  /** The config in effect (the file's last good version), for fronts that run beside admission (the audit). */
  config: () => MeshguardConfig;
  /** Stops accepting, waits for in-flight requests (up to the grace period), closes sources. */
  shutdown: () => Promise<void>;
}

export async function startServer(opts: ServeOptions, sources: readonly ContextSource[] = []): Promise<RunningServer> {
  const log = opts.log;
  const metrics = opts.metrics ?? createMetrics();
  const registry = buildRegistry();
  const knownRules = new Set(registry.allRules().map((r) => r.id));

  let config: MeshguardConfig = DEFAULT_CONFIG;
  let configFile: WatchedFile<MeshguardConfig> | undefined;
  if (opts.config) {
    configFile = new WatchedFile(opts.config, (text) => parseConfig(text, knownRules), {
      loaded: (c) => {
        config = c;
        metrics.configValid.set(1);
        log.info({ event: 'config.loaded', path: opts.config, overrides: c.overrides.size }, 'config loaded');
      },
      failed: (reason) => {
        metrics.configValid.set(0);
        metrics.configReloadErrors.inc();
        log.error({ event: 'config.invalid', path: opts.config }, `${reason}; keeping the last good config`);
      },
    });
    await configFile.reload();
    configFile.start();
  }

  for (const s of sources) await s.start();
  const state = (): AdmissionState => {
    const s: AdmissionState = {
      overrides: config.overrides,
      explainMutations: config.explainMutations,
      maxWarnings: config.maxWarnings,
      clusterDomain: config.clusterDomain,
    };
    for (const src of sources) {
      s.topology ??= src.topology?.();
      s.lookups ??= src.lookups?.();
    }
    return s;
  };

  const certs = new CertSource(opts.tlsCert, opts.tlsKey, { log, metrics, ...(opts.certPollMs ? { pollMs: opts.certPollMs } : {}) });
  const app = createAdmissionApp({ registry, mode: () => opts.mode, state, log, metrics, bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT });
  const server = https.createServer(
    // Node checks the header/request timeouts only every connectionsCheckingInterval (30 s by default).
    { minVersion: TLS_MIN_VERSION, ciphers: TLS12_CIPHERS, honorCipherOrder: true, connectionsCheckingInterval: 1000 },
    app,
  );
  certs.onChange((pair) => server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION, ciphers: TLS12_CIPHERS }));
  await certs.reload();
  certs.start();

  // Slow or idle clients are cut off: the apiserver sends a whole request at once and gives up after 30 s.
  server.headersTimeout = opts.headersTimeoutMs ?? 10_000;
  server.requestTimeout = opts.requestTimeoutMs ?? 15_000;
  server.keepAliveTimeout = 65_000;
  server.timeout = 30_000;

  const checks: ReadinessCheck[] = [
    { name: 'tls-certificate', ready: () => certs.current !== undefined },
    ...sources.map((s) => ({ name: s.name, ready: s.ready })),
  ];
  const health = http.createServer({ connectionsCheckingInterval: 1000 }, createHealthApp(metrics, checks));
  health.headersTimeout = 10_000;
  health.requestTimeout = 15_000;

  await listen(server, opts.port, opts.host);
  await listen(health, opts.healthPort, opts.host);
  const admissionPort = (server.address() as AddressInfo).port;
  const healthPort = (health.address() as AddressInfo).port;
  log.info({ event: 'server.started', admissionPort, healthPort, mode: opts.mode, tlsReady: certs.current !== undefined }, 'meshguard serving');

  let draining = false;
  for (const srv of [server, health]) {
    srv.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (draining) res.setHeader('connection', 'close');
    });
  }

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      log.info({ event: 'server.stopping' }, 'draining in-flight requests');
      draining = true;
      const grace = (opts.shutdownGraceSeconds ?? 20) * 1000;
      // net.Server#close only stops listening; http.Server#close would also drop idle keep-alive sockets at
      // once, resetting a request a client has just put on the wire. Idle sockets are swept a moment later
      // instead; active ones close themselves after answering with `Connection: close`.
      const drained = Promise.all([stopListening(server), stopListening(health)]);
      const sweep = setInterval(() => {
        server.closeIdleConnections();
        health.closeIdleConnections();
      }, 1000);
      const timer = setTimeout(() => {
        server.closeAllConnections();
        health.closeAllConnections();
      }, grace);
      await drained;
      clearInterval(sweep);
      clearTimeout(timer);
      certs.stop();
      configFile?.stop();
      for (const s of sources) await s.stop();
      log.info({ event: 'server.stopped' }, 'meshguard stopped');
    })());
  return { admissionPort, healthPort, metrics, certs, config: () => config, shutdown };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function stopListening(server: http.Server): Promise<void> {
  return new Promise((resolve) => net.Server.prototype.close.call(server, () => resolve()));
}
